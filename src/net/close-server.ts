import type { Server } from 'node:http';

/**
 * Stops an HTTP server and ends its open connections with it: `close()` alone waits for every
 * keep-alive connection (an SSE stream, a browser's idle socket) to end by itself, which can be
 * never. Rejects with `close()`'s error, e.g. when the server was not listening.
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}
