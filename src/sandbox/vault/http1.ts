import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions as TlsServerOptions } from 'node:tls';

/*
 * A deliberately small HTTP/1.1 server. Vault's API uses the non-standard `LIST` method (node-vault
 * sends it for every list call), and Node's built-in parser rejects any method outside its fixed
 * table before user code runs. So the sandbox reads requests itself: request line, headers, and a
 * body framed by Content-Length or chunked encoding; keep-alive, one request at a time per socket.
 */

/** One parsed request. */
export interface Http1Request {
  /** Upper-cased method token, e.g. `GET`, `LIST`. */
  readonly method: string;
  /** Request target as sent: path plus optional query. */
  readonly target: string;
  /** Header names lower-cased; repeated headers joined with `, `. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
  readonly remoteAddress: string;
}

/** What a handler answers. */
export interface Http1Response {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

/** Handles one request; a rejection is answered with a bare 500 and the socket stays usable. */
export type Http1Handler = (request: Http1Request) => Promise<Http1Response>;

const MAX_HEADER_BYTES = 64 * 1024;
const MAX_BODY_BYTES = 32 * 1024 * 1024;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const REASONS: Readonly<Record<number, string>> = {
  100: 'Continue', 200: 'OK', 204: 'No Content', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 412: 'Precondition Failed', 413: 'Payload Too Large', 429: 'Too Many Requests',
  431: 'Request Header Fields Too Large', 472: 'DR Secondary', 473: 'Performance Standby', 500: 'Internal Server Error',
  501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** A protocol violation that ends the connection after one error response. */
class FramingError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

interface Head {
  method: string;
  target: string;
  version: string;
  headers: Map<string, string>;
}

function parseHead(text: string): Head {
  const lines = text.split('\r\n');
  const requestLine = (lines.shift() ?? '').split(' ');
  const [method, target, version] = requestLine;
  if (requestLine.length !== 3 || !method || !target || !version || !TOKEN.test(method) || !/^HTTP\/1\.[01]$/.test(version)) {
    throw new FramingError(400, 'malformed request line');
  }
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new FramingError(400, 'malformed header');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const prior = headers.get(name);
    headers.set(name, prior === undefined ? value : `${prior}, ${value}`);
  }
  return { method: method.toUpperCase(), target, version, headers };
}

/** Decodes a complete chunked body starting at `offset`, or returns null when more bytes are needed. */
function readChunked(buf: Buffer, offset: number): { body: Buffer; end: number } | null {
  const parts: Buffer[] = [];
  let pos = offset;
  let total = 0;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', pos);
    if (lineEnd < 0) return null;
    const size = Number.parseInt(buf.subarray(pos, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size < 0) throw new FramingError(400, 'malformed chunk size');
    total += size;
    if (total > MAX_BODY_BYTES) throw new FramingError(413, 'body too large');
    pos = lineEnd + 2;
    if (size === 0) {
      // Trailers (rare) end with an empty line; skip them.
      const trailerEnd = buf.indexOf('\r\n\r\n', pos - 2);
      if (trailerEnd < 0) return null;
      return { body: Buffer.concat(parts), end: trailerEnd + 4 };
    }
    if (buf.length < pos + size + 2) return null;
    parts.push(buf.subarray(pos, pos + size));
    pos += size + 2;
  }
}

function serialise(response: Http1Response, keepAlive: boolean): Buffer {
  const body = response.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(response.body) ? response.body : Buffer.from(response.body);
  const lines = [`HTTP/1.1 ${response.status} ${REASONS[response.status] ?? 'Status'}`];
  for (const [k, v] of Object.entries(response.headers ?? {})) lines.push(`${k}: ${v}`);
  if (response.status !== 204) lines.push(`Content-Length: ${body.length}`);
  lines.push(`Date: ${new Date().toUTCString()}`);
  lines.push(`Connection: ${keepAlive ? 'keep-alive' : 'close'}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), response.status === 204 ? Buffer.alloc(0) : body]);
}

function serveSocket(socket: Socket, handler: Http1Handler): void {
  let buffered: Buffer = Buffer.alloc(0);
  let busy = false;
  let closed = false;
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closed = true;
  });

  const fail = (err: FramingError): void => {
    if (closed) return;
    const body = JSON.stringify({ errors: [err.message] });
    socket.end(serialise({ status: err.status, headers: { 'Content-Type': 'application/json' }, body }, false));
    closed = true;
  };

  const pump = (): void => {
    while (!busy && !closed) {
      const headEnd = buffered.indexOf('\r\n\r\n');
      if (headEnd < 0) {
        if (buffered.length > MAX_HEADER_BYTES) fail(new FramingError(431, 'request headers too large'));
        return;
      }
      let head: Head;
      let body: Buffer;
      let consumed: number;
      try {
        head = parseHead(buffered.subarray(0, headEnd).toString('latin1'));
        const start = headEnd + 4;
        const te = head.headers.get('transfer-encoding');
        if (te !== undefined && te.toLowerCase().includes('chunked')) {
          const chunked = readChunked(buffered, start);
          if (!chunked) return;
          body = chunked.body;
          consumed = chunked.end;
        } else {
          const lengthText = head.headers.get('content-length') ?? '0';
          if (!/^\d+$/.test(lengthText)) throw new FramingError(400, 'malformed content-length');
          const length = Number(lengthText);
          if (length > MAX_BODY_BYTES) throw new FramingError(413, 'body too large');
          if (buffered.length < start + length) {
            if (head.headers.get('expect')?.toLowerCase() === '100-continue' && buffered.length === start) {
              socket.write('HTTP/1.1 100 Continue\r\n\r\n');
              head.headers.delete('expect');
            }
            return;
          }
          body = buffered.subarray(start, start + length);
          consumed = start + length;
        }
      } catch (err) {
        fail(err instanceof FramingError ? err : new FramingError(400, 'malformed request'));
        return;
      }
      buffered = buffered.subarray(consumed);
      const keepAlive = head.version === 'HTTP/1.1' ? head.headers.get('connection')?.toLowerCase() !== 'close' : head.headers.get('connection')?.toLowerCase() === 'keep-alive';
      busy = true;
      const request: Http1Request = { method: head.method, target: head.target, headers: head.headers, body: Buffer.from(body), remoteAddress: socket.remoteAddress ?? '' };
      handler(request)
        .catch((): Http1Response => ({ status: 500, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ errors: ['internal error'] }) }))
        .then((response) => {
          busy = false;
          if (closed) return;
          if (keepAlive) {
            socket.write(serialise(response, true));
            pump();
          } else {
            socket.end(serialise(response, false));
            closed = true;
          }
        })
        .catch(() => socket.destroy());
    }
  };

  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    pump();
  });
}

/** A listening server plus a `close()` that also ends idle keep-alive sockets. */
export interface Http1Server {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
  /** Destroys every open client connection (fault injection: dropped connections). */
  dropConnections(): void;
}

/** Starts an HTTP/1.1 server on `host:port` that accepts any method token. */
export async function listenHttp1(host: string, port: number, handler: Http1Handler, tls?: TlsServerOptions): Promise<Http1Server> {
  const sockets = new Set<Socket>();
  const onSocket = (socket: Socket): void => {
    // Responses go out in one write; without this, Nagle plus the client's delayed ACK can add
    // tens of milliseconds to a request that follows another on the same connection.
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveSocket(socket, handler);
  };
  const server = tls ? createTlsServer(tls, onSocket) : createServer(onSocket);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    port: boundPort,
    dropConnections: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
