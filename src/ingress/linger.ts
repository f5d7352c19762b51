import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** How long a refused upload may keep sending before the connection is cut. @default 10000 */
export const DEFAULT_LINGER_MS = 10_000;

/**
 * Keeps reading (and discarding) a request body that was refused before it was read, after the
 * answer has gone out with `Connection: close`. Node closes such a connection as soon as the
 * answer is written; a client still sending its body then writes into a closed socket, gets EPIPE
 * or ECONNRESET, and a reset can throw away the answer it had not read yet. So the close is
 * deferred: our side of the connection is ended once the answer is flushed, the rest of the body
 * is drained, and the socket is destroyed when the body ends or after `maxMs`, whichever is first
 * (a sender that never stops cannot hold the connection open forever).
 */
export function lingerUntilBodyRead(req: IncomingMessage, maxMs = DEFAULT_LINGER_MS): void {
  if (req.readableEnded) return;
  const socket = req.socket as Socket & { destroySoon?: () => void };
  // Node's server calls destroySoon() on a `Connection: close` answer once it is written.
  socket.destroySoon = () => {
    socket.end();
    const cut = (): void => {
      clearTimeout(timer);
      socket.destroy();
    };
    const timer = setTimeout(cut, maxMs);
    timer.unref();
    req.once('end', cut);
    req.once('error', cut);
    socket.once('close', () => clearTimeout(timer));
    req.resume();
  };
}
