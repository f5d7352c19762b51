import { Socket, isIP, connect as netConnect } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { KafkaReader, KafkaWriter } from '../wire';
import { encodeRequest, readResponseHeader } from './codecs';
import { AdminErrorCode, KafkaAdminError } from './errors';
import { borrow, giveBack, POOLED_FRAME_MIN } from './frame-pool';

/** Largest response frame accepted; admin responses are tiny, so anything bigger is corruption. */
const MAX_FRAME = 64 * 1024 * 1024;

/** Socket error codes that another attempt (or another broker) may not meet again. */
const TRANSIENT_SOCKET_ERRORS: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** Where and how to open one broker connection. */
export interface ConnectionTarget {
  host: string;
  port: number;
  ssl?: boolean | ConnectionOptions;
  clientId: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
}

interface Pending {
  flexible: boolean;
  /** Given: the response is read by this, synchronously, from a pooled buffer (see `requestInto`). */
  read?: (body: KafkaReader) => unknown;
  resolve: (body: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One TCP (or TLS) connection carrying framed Kafka requests. Responses are matched by
 * correlation id; a timeout or a broken socket fails every outstanding request and closes the
 * connection, so the caller reconnects instead of reading a stream that has lost its framing.
 */
export class BrokerConnection {
  private nextCorrelationId = 1;
  private readonly pending = new Map<number, Pending>();
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  private closedWith: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly target: ConnectionTarget,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(new KafkaAdminError(`connection to ${this.address} failed: ${err.message}`, AdminErrorCode.NETWORK_EXCEPTION, { cause: err })));
    socket.on('close', () => this.fail(new KafkaAdminError(`connection to ${this.address} closed`, AdminErrorCode.NETWORK_EXCEPTION)));
  }

  /** Opens the connection (TLS when `ssl` is set); rejects with a retriable error on failure. */
  static open(target: ConnectionTarget): Promise<BrokerConnection> {
    return new Promise((resolve, reject) => {
      const address = `${target.host}:${target.port}`;
      const tlsOptions = typeof target.ssl === 'object' ? target.ssl : {};
      const socket = target.ssl
        ? // SNI carries host names only (RFC 6066); certificates for IP addresses are still checked.
          tlsConnect({ ...(isIP(target.host) ? {} : { servername: target.host }), ...tlsOptions, host: target.host, port: target.port })
        : netConnect({ host: target.host, port: target.port });
      const readyEvent = target.ssl ? 'secureConnect' : 'connect';
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new KafkaAdminError(`connection to ${address} timed out after ${target.connectTimeoutMs} ms`, AdminErrorCode.REQUEST_TIMED_OUT));
      }, target.connectTimeoutMs);
      const onError = (err: Error & { code?: string }): void => {
        clearTimeout(timer);
        socket.destroy();
        // A certificate the client refuses stays refused: only transport errors are worth a retry.
        const retriable = err.code === undefined || TRANSIENT_SOCKET_ERRORS.has(err.code);
        reject(new KafkaAdminError(`cannot connect to ${address}: ${err.message}`, AdminErrorCode.NETWORK_EXCEPTION, { cause: err, retriable }));
      };
      socket.once('error', onError);
      socket.once(readyEvent, () => {
        clearTimeout(timer);
        socket.off('error', onError);
        socket.setNoDelay(true);
        resolve(new BrokerConnection(socket, target));
      });
    });
  }

  /** `host:port` of the broker. */
  get address(): string {
    return `${this.target.host}:${this.target.port}`;
  }

  /** False once the socket failed or was closed. */
  get isOpen(): boolean {
    return this.closedWith === undefined;
  }

  /** Sends one request and resolves with a reader positioned at the response body. */
  request(apiKey: number, apiVersion: number, flexible: boolean, body: (w: KafkaWriter) => void): Promise<KafkaReader> {
    return this.send(apiKey, apiVersion, flexible, body, undefined) as Promise<KafkaReader>;
  }

  /**
   * Sends one request whose response `read` digests at once: a large response is assembled in a
   * pooled buffer (`frame-pool`) that is reused after `read` returns, so nothing `read` returns
   * may point into the reader's bytes (copy what must be kept). Resolves with `read`'s result.
   */
  requestInto<T>(apiKey: number, apiVersion: number, flexible: boolean, body: (w: KafkaWriter) => void, read: (r: KafkaReader) => T): Promise<T> {
    return this.send(apiKey, apiVersion, flexible, body, read) as Promise<T>;
  }

  private send(apiKey: number, apiVersion: number, flexible: boolean, body: (w: KafkaWriter) => void, read: ((r: KafkaReader) => unknown) | undefined): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fffffff;
    const frame = encodeRequest({ apiKey, apiVersion, correlationId, clientId: this.target.clientId, flexible }, body);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new KafkaAdminError(`request (api ${apiKey}) to ${this.address} timed out after ${this.target.requestTimeoutMs} ms`, AdminErrorCode.REQUEST_TIMED_OUT));
      }, this.target.requestTimeoutMs);
      this.pending.set(correlationId, { flexible, ...(read !== undefined ? { read } : {}), resolve, reject, timer });
      this.socket.write(frame);
    });
  }

  /** Closes the socket; outstanding requests fail. */
  close(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      // A peer that never acknowledges the FIN must not hold close() forever.
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
  }

  /**
   * Collects chunks and joins them once per frame: a large response (a Fetch of many partitions)
   * arrives in hundreds of socket chunks, and joining on every chunk would copy it quadratically.
   */
  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    while (this.bufferedBytes >= 4) {
      if ((this.chunks[0] as Buffer).length < 4) this.joinChunks();
      const size = (this.chunks[0] as Buffer).readInt32BE(0);
      if (size < 4 || size > MAX_FRAME) {
        this.fail(new KafkaAdminError(`invalid response frame size ${size} from ${this.address}`, AdminErrorCode.NETWORK_EXCEPTION));
        return;
      }
      if (this.bufferedBytes < 4 + size) return;
      if (size >= POOLED_FRAME_MIN && this.pending.get(this.peekCorrelationId())?.read !== undefined) {
        const pooled = borrow(size);
        try {
          this.dispatch(this.takeFrame(size, pooled));
        } finally {
          giveBack(pooled);
        }
        continue;
      }
      const all = this.joinChunks();
      const frame = all.subarray(4, 4 + size);
      const rest = all.subarray(4 + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.bufferedBytes = rest.length;
      this.dispatch(frame);
    }
  }

  /** The correlation id of the buffered frame (bytes 4..8; joins the first chunks if they are shorter). */
  private peekCorrelationId(): number {
    while ((this.chunks[0] as Buffer).length < 8) {
      const [a, b, ...rest] = this.chunks as [Buffer, Buffer, ...Buffer[]];
      this.chunks = [Buffer.concat([a, b]), ...rest];
    }
    return (this.chunks[0] as Buffer).readInt32BE(4);
  }

  /** Copies the next frame (without its size prefix) into `into` and drops it from the buffered chunks. */
  private takeFrame(size: number, into: Buffer): Buffer {
    let skip = 4;
    let filled = 0;
    while (filled < size) {
      const chunk = this.chunks[0] as Buffer;
      const take = Math.min(chunk.length - skip, size - filled);
      chunk.copy(into, filled, skip, skip + take);
      filled += take;
      if (skip + take === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(skip + take);
      skip = 0;
    }
    this.bufferedBytes -= 4 + size;
    return into.subarray(0, size);
  }

  private joinChunks(): Buffer {
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.bufferedBytes);
    this.chunks = [all];
    return all;
  }

  private dispatch(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const waiting = this.pending.get(correlationId);
    if (!waiting) {
      this.fail(new KafkaAdminError(`unexpected correlation id ${correlationId} from ${this.address}`, AdminErrorCode.NETWORK_EXCEPTION));
      return;
    }
    this.pending.delete(correlationId);
    clearTimeout(waiting.timer);
    try {
      const reader = new KafkaReader(frame);
      readResponseHeader(reader, waiting.flexible);
      waiting.resolve(waiting.read !== undefined ? waiting.read(reader) : reader);
    } catch (err) {
      waiting.reject(err as Error);
    }
  }

  private fail(err: Error): void {
    if (!this.closedWith) this.closedWith = err;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
      this.pending.delete(id);
    }
    if (!this.socket.destroyed) this.socket.destroy();
  }
}
