/**
 * A lean HTTP/1.1 load generator for the storm bench: requests are written as bytes on a pool of
 * keep-alive sockets and answers are read by status line and Content-Length alone. Node's `http`
 * client costs about 200 µs of CPU per request, which on a 2-core machine is CPU taken from the
 * server under test; this costs a small fraction of that, so the figures measure the ingress.
 * One request in flight per socket (no pipelining): a busy pool queues here, and the open-loop
 * caller still measures from each request's scheduled time.
 */
import { connect, type Socket } from 'node:net';

/** One request's bytes, without Host and Content-Length, which the pool adds. */
export interface RawRequest {
  method: 'POST' | 'GET';
  path: string;
  headers: Readonly<Record<string, string>>;
  body: string;
}

interface Pending {
  bytes: Buffer;
  resolve: (status: number) => void;
}

interface Conn {
  socket: Socket;
  busy?: Pending;
  buffer: Buffer;
  closed: boolean;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** Parses one response off the front of `buffer`: its status and length, or undefined if incomplete. */
function responseAt(buffer: Buffer): { status: number; length: number } | undefined {
  const end = buffer.indexOf(HEADER_END);
  if (end < 0) return undefined;
  const head = buffer.toString('latin1', 0, end);
  const status = Number(head.slice(9, 12));
  const match = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  const bodyLength = match ? Number(match[1]) : 0;
  const length = end + 4 + bodyLength;
  return buffer.length >= length ? { status, length } : undefined;
}

/** A fixed pool of keep-alive sockets to one host. */
export class RawHttpPool {
  private readonly idle: Conn[] = [];
  private readonly queue: Pending[] = [];
  private open = 0;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly maxSockets: number,
  ) {}

  /** Sends the request and resolves with the status; 0 when the socket failed before an answer. */
  send(request: RawRequest): Promise<number> {
    const lines = [`${request.method} ${request.path} HTTP/1.1`, `host: ${this.host}:${this.port}`, `content-length: ${Buffer.byteLength(request.body)}`];
    for (const [name, value] of Object.entries(request.headers)) lines.push(`${name}: ${value}`);
    const bytes = Buffer.from(`${lines.join('\r\n')}\r\n\r\n${request.body}`);
    return new Promise((resolve) => this.dispatch({ bytes, resolve }));
  }

  /** Ends every socket. */
  close(): void {
    for (const c of this.idle) c.socket.destroy();
    this.idle.length = 0;
  }

  private dispatch(pending: Pending): void {
    const conn = this.idle.pop() ?? (this.open < this.maxSockets ? this.connect() : undefined);
    if (conn === undefined) {
      this.queue.push(pending);
      return;
    }
    conn.busy = pending;
    conn.socket.write(pending.bytes);
  }

  private connect(): Conn {
    this.open++;
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    const conn: Conn = { socket, buffer: Buffer.alloc(0), closed: false };
    socket.on('data', (chunk: Buffer) => {
      conn.buffer = conn.buffer.length === 0 ? chunk : Buffer.concat([conn.buffer, chunk]);
      const response = responseAt(conn.buffer);
      if (response === undefined) return;
      conn.buffer = conn.buffer.subarray(response.length);
      const done = conn.busy;
      conn.busy = undefined;
      done?.resolve(response.status);
      this.release(conn);
    });
    const gone = (): void => {
      if (conn.closed) return;
      conn.closed = true;
      this.open--;
      const index = this.idle.indexOf(conn);
      if (index >= 0) this.idle.splice(index, 1);
      const lost = conn.busy;
      conn.busy = undefined;
      lost?.resolve(0);
      const next = this.queue.shift();
      if (next !== undefined) this.dispatch(next);
    };
    socket.on('error', gone);
    socket.on('close', gone);
    return conn;
  }

  private release(conn: Conn): void {
    if (conn.closed) return;
    const next = this.queue.shift();
    if (next !== undefined) {
      conn.busy = next;
      conn.socket.write(next.bytes);
      return;
    }
    this.idle.push(conn);
  }
}
