import type { Socket } from 'node:net';
import { KafkaReader } from '../../../kafka/wire';
import type { KafkaBroker } from '../broker';
import { HANDLERS } from '../handlers';
import { saslStep } from '../handlers/handshake';
import type { RequestContext } from '../handlers/types';
import { ApiKey, API_VERSIONS, apiRange } from '../protocol/api-keys';
import * as apiVersionsV0 from '../protocol/api-versions/v0';
import { ErrorCode } from '../protocol/errors';
import { readRequestHeader, responseWriter } from '../protocol/header';
import type { Session } from './session';

/** APIs a client may call before it has authenticated (Kafka allows exactly these). */
const PRE_AUTH_APIS: ReadonlySet<number> = new Set([ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]);
/** api_key + api_version + correlation_id + client_id length. */
const MIN_FRAME = 10;
/**
 * Kafka's `sasl.server.max.receive.size`: before a client has authenticated, frames above this
 * close the connection, so an anonymous peer cannot make the broker buffer 100 MiB.
 */
const MAX_PRE_AUTH_FRAME = 512 * 1024;

/**
 * One client connection: reassembles size-prefixed frames from TCP chunks, handles requests one
 * at a time in arrival order (as Kafka does by muting a channel while a request is in flight),
 * and closes the connection on anything malformed instead of guessing a response shape.
 */
export class Connection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly broker: KafkaBroker,
    private readonly socket: Socket,
    private readonly session: Session,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => broker.logger.debug({ err, session: session.id }, 'kafka client socket error'));
    socket.on('close', () => {
      this.closed = true;
    });
  }

  /** Closes the socket at once. */
  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private reject(reason: string, detail: Record<string, unknown> = {}): void {
    this.broker.logger.warn({ session: this.session.id, host: this.session.host, reason, ...detail }, 'closing kafka connection');
    this.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      const head = this.chunks[0] as Buffer;
      const first = head.length >= 4 ? head : Buffer.concat(this.chunks);
      const size = first.readInt32BE(0);
      const limit = this.session.principal ? this.broker.maxRequestBytes : Math.min(this.broker.maxRequestBytes, MAX_PRE_AUTH_FRAME);
      // The lower bound is checked per frame in process(): a raw SASL token may be shorter than a header.
      if (size < 0 || size > limit) {
        this.reject(size < 0 ? 'negative frame size' : 'request larger than the maximum request size', { size });
        return;
      }
      if (this.buffered < size + 4) {
        if (first !== head) this.chunks = [first];
        return;
      }
      const all = this.chunks.length === 1 ? head : Buffer.concat(this.chunks, this.buffered);
      const frame = all.subarray(4, 4 + size);
      const rest = all.subarray(4 + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.queue = this.queue.then(() => this.process(frame)).catch((err: unknown) => {
        this.broker.logger.error({ err, session: this.session.id }, 'kafka request failed');
        this.destroy();
      });
    }
  }

  private async process(frame: Buffer): Promise<void> {
    if (this.closed) return;
    if (this.session.rawSasl) {
      this.processRawSaslToken(frame);
      return;
    }
    if (frame.length < MIN_FRAME) {
      this.reject('frame too small', { size: frame.length });
      return;
    }
    const r = new KafkaReader(frame);
    let header;
    try {
      header = readRequestHeader(r);
    } catch {
      this.reject('malformed request header');
      return;
    }
    const range = apiRange(header.apiKey);
    if (!range || header.apiVersion < range.min || header.apiVersion > range.max) {
      if (header.apiKey === ApiKey.ApiVersions) {
        // Kafka answers an ApiVersions version it does not know with a v0 body: error 35 and the
        // supported ranges, so the client can pick a version it shares.
        const w = responseWriter(header.correlationId, false);
        apiVersionsV0.encode(w, { errorCode: ErrorCode.UNSUPPORTED_VERSION, apis: API_VERSIONS });
        this.write(w.buildFramed());
        return;
      }
      this.reject('unsupported api key or version', { apiKey: header.apiKey, apiVersion: header.apiVersion });
      return;
    }
    const flexible = range.flexibleFrom !== undefined && header.apiVersion >= range.flexibleFrom;
    // Kafka's one header exception: the ApiVersions response header is v0 (no tag buffer) for every
    // version, so a client can read it before it knows which versions the broker speaks.
    const flexibleResponseHeader = flexible && header.apiKey !== ApiKey.ApiVersions;
    if (!this.session.principal && !PRE_AUTH_APIS.has(header.apiKey)) {
      this.reject('request before SASL authentication', { apiKey: header.apiKey });
      return;
    }
    if (this.session.expiresAt !== null && Date.now() > this.session.expiresAt && !PRE_AUTH_APIS.has(header.apiKey)) {
      this.reject('SASL session expired without re-authentication', { principal: this.session.principal });
      return;
    }
    const handler = HANDLERS.get(header.apiKey);
    if (!handler) {
      this.reject('no handler', { apiKey: header.apiKey });
      return;
    }
    let req: unknown;
    try {
      if (flexible) r.skipTagBuffer();
      req = handler.decode(r, header.apiVersion);
    } catch (err) {
      this.reject('malformed request body', { apiKey: header.apiKey, err: (err as Error).message });
      return;
    }
    const latency = this.broker.faults.latencyMs;
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    const broker = this.broker;
    const session = this.session;
    const ctx: RequestContext = {
      broker,
      session,
      apiKey: header.apiKey,
      apiName: range.name,
      version: header.apiVersion,
      clientId: header.clientId,
      correlationId: header.correlationId,
      quiet: false,
      authorize: (operation, resourceType, resourceName) =>
        broker.authorize(session, header.clientId, range.name, operation, resourceType, resourceName, !ctx.quiet),
    };
    const injected = broker.faults.take(header.apiKey);
    const reply = injected !== undefined ? handler.fail(ctx, req, injected) : await handler.handle(ctx, req);
    if (reply && !this.closed) {
      const w = responseWriter(header.correlationId, flexibleResponseHeader);
      reply(w);
      this.writeChunks(w.framedChunks());
    }
    if (session.closeAfterReply) {
      this.closed = true;
      this.socket.end();
    }
  }

  /**
   * A raw SASL token after a v0 handshake: answered with a length-framed token, or, when the
   * exchange fails, by closing the connection (Kafka does the same: a raw token has no error field).
   */
  private processRawSaslToken(token: Buffer): void {
    const res = saslStep(this.broker, this.session, token, false);
    if (res.errorCode !== 0) {
      this.reject('SASL authentication failed (raw tokens)', { errorCode: res.errorCode });
      return;
    }
    const out = Buffer.allocUnsafe(4 + res.authBytes.length);
    out.writeInt32BE(res.authBytes.length, 0);
    res.authBytes.copy(out, 4);
    this.write(out);
  }

  private write(buf: Buffer): void {
    if (!this.closed && this.socket.writable) this.socket.write(buf);
  }

  /** Writes a response made of several buffers in one go (one writev), without copying them. */
  private writeChunks(chunks: readonly Buffer[]): void {
    if (this.closed || !this.socket.writable) return;
    if (chunks.length <= 2) {
      this.socket.write(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks as Buffer[]));
      return;
    }
    this.socket.cork();
    for (const c of chunks) this.socket.write(c);
    this.socket.uncork();
  }
}
