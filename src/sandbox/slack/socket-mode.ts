import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../log/logger';

/*
 * Slack's Socket Mode, as the app sees it (issue 15): the app calls `apps.connections.open` with
 * its app-level token (`xapp-…`) and gets a one-time `wss://` URL; on that socket Slack sends a
 * `hello`, then every slash command and interaction as an envelope
 *   {"envelope_id", "type": "slash_commands" | "interactive", "payload", "accepts_response_payload"}
 * which the app acknowledges within 3 s with `{"envelope_id", "payload"?}`; the acknowledgement's
 * payload is what the HTTP receiver would have answered. Slack recycles connections by sending
 * `{"type": "disconnect", "reason"}` and closing; the app opens a new one.
 */

/** Envelope types the sandbox delivers. */
export type EnvelopeType = 'slash_commands' | 'interactive';

/** The app's answer to one envelope. */
export interface EnvelopeAck {
  /** The acknowledgement's `payload` ({} when the app acked without content). */
  readonly payload: Record<string, unknown>;
}

/** Delivery failed: no app connected, or it did not acknowledge in time. */
export class SocketModeDeliveryError extends Error {
  constructor(
    readonly reason: 'not_connected' | 'ack_timeout',
    message: string,
  ) {
    super(message);
    this.name = 'SocketModeDeliveryError';
  }
}

/** Options of {@link SocketModeHub}. */
export interface SocketModeHubOptions {
  /** App-level tokens the hub accepts. */
  readonly appTokens: readonly string[];
  readonly appId: string;
  /** `ws://host:port` of the sandbox server. */
  readonly wsBase: string;
  readonly logger: Logger;
  /** How long a URL from `apps.connections.open` can be used. @default 30000 */
  readonly ticketTtlMs?: number;
  /** How long an envelope waits for its acknowledgement (Slack: 3 s). @default 3000 */
  readonly ackTimeoutMs?: number;
  /** Interval of the server's pings, which the Slack client expects. @default 10000 */
  readonly pingIntervalMs?: number;
  readonly now?: () => number;
}

const SOCKET_PATH = '/link/';

/**
 * The Socket Mode side of the Slack sandbox: issues connection URLs, accepts the WebSocket
 * upgrade on them, delivers envelopes and resolves them with the app's acknowledgement.
 */
export class SocketModeHub {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Map<string, number>();
  private readonly sockets = new Set<WebSocket>();
  private readonly pending = new Map<string, { resolve: (ack: EnvelopeAck) => void; timer: NodeJS.Timeout }>();
  private readonly connectWaiters = new Set<() => void>();
  private readonly pinger: NodeJS.Timeout;
  private readonly now: () => number;
  /** Sockets opened since start (a reconnect adds one). */
  connectionsOpened = 0;
  /** Envelopes sent to the app, by type. */
  readonly delivered: Record<EnvelopeType, number> = { slash_commands: 0, interactive: 0 };

  constructor(private readonly options: SocketModeHubOptions) {
    this.now = options.now ?? Date.now;
    this.pinger = setInterval(() => {
      for (const ws of this.sockets) ws.ping();
    }, options.pingIntervalMs ?? 10_000);
    this.pinger.unref();
  }

  /** Whether `token` is one of the app-level tokens. */
  acceptsAppToken(token: string): boolean {
    return this.options.appTokens.includes(token);
  }

  /** `apps.connections.open`: a one-time URL for the WebSocket. */
  openConnection(): { url: string } {
    const ticket = randomBytes(16).toString('hex');
    this.tickets.set(ticket, this.now() + (this.options.ticketTtlMs ?? 30_000));
    return { url: `${this.options.wsBase}${SOCKET_PATH}?ticket=${ticket}&app_id=${this.options.appId}` };
  }

  /** Takes an HTTP upgrade; answers false when it is not for Socket Mode (the caller refuses it). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    if (url.pathname !== SOCKET_PATH) return false;
    const ticket = url.searchParams.get('ticket') ?? '';
    const expires = this.tickets.get(ticket);
    // A ticket is good once: a replayed URL is refused like Slack refuses it.
    this.tickets.delete(ticket);
    if (expires === undefined || expires < this.now()) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    return true;
  }

  /** Open sockets. */
  get connections(): number {
    return this.sockets.size;
  }

  /** Resolves once at least one app socket is open (after its `hello`). */
  waitForConnection(timeoutMs = 10_000): Promise<void> {
    if (this.sockets.size > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.connectWaiters.delete(done);
        reject(new SocketModeDeliveryError('not_connected', `no Socket Mode connection within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.connectWaiters.add(done);
    });
  }

  /** Sends one envelope to a connected app and resolves with its acknowledgement. */
  deliver(type: EnvelopeType, payload: Record<string, unknown>): Promise<EnvelopeAck> {
    const ws = [...this.sockets].at(-1);
    if (!ws) return Promise.reject(new SocketModeDeliveryError('not_connected', 'no app is connected over Socket Mode'));
    const envelopeId = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        reject(new SocketModeDeliveryError('ack_timeout', `envelope ${envelopeId} was not acknowledged within ${this.options.ackTimeoutMs ?? 3000} ms`));
      }, this.options.ackTimeoutMs ?? 3000);
      this.pending.set(envelopeId, { resolve, timer });
      this.delivered[type]++;
      ws.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: true }));
    });
  }

  /** Slack recycling the connection: `disconnect` on every socket, then closes them. */
  disconnectAll(reason: 'refresh_requested' | 'warning' | 'link_disabled' = 'refresh_requested'): void {
    for (const ws of this.sockets) {
      ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'breachline-slack-sandbox' } }));
      ws.close(1000, reason);
    }
  }

  /** Closes every socket and stops the pings. */
  close(): void {
    clearInterval(this.pinger);
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
  }

  private accept(ws: WebSocket): void {
    this.sockets.add(ws);
    this.connectionsOpened++;
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('error', (err) => this.options.logger.warn({ err: { message: err.message } }, 'slack sandbox socket failed'));
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.sockets.size,
        debug_info: { host: 'breachline-slack-sandbox', approximate_connection_time: 3600 },
        connection_info: { app_id: this.options.appId },
      }),
    );
    for (const wake of this.connectWaiters) wake();
    this.connectWaiters.clear();
  }

  private onMessage(data: unknown, isBinary: boolean): void {
    if (isBinary) return;
    let msg: unknown;
    try {
      msg = JSON.parse(String(data));
    } catch {
      this.options.logger.warn({}, 'slack sandbox: a Socket Mode message that is not JSON');
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    const { envelope_id: id, payload } = msg as { envelope_id?: unknown; payload?: unknown };
    if (typeof id !== 'string') return;
    const waiting = this.pending.get(id);
    if (!waiting) return;
    this.pending.delete(id);
    clearTimeout(waiting.timer);
    waiting.resolve({ payload: typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {} });
  }
}
