import type { ServerResponse } from 'node:http';
import type { DomainEvent } from '../domain/events';
import type { StreamIncidentEvent } from './contract';
import { SECURITY_HEADERS } from './http-kit';

/** Every 15 s a `ping`, so proxies keep the stream open and the browser notices a dead one. */
export const PING_INTERVAL_MS = 15_000;

interface Subscriber {
  readonly res: ServerResponse;
  readonly timer: NodeJS.Timeout;
}

/**
 * Server-sent events for the console: every domain event appended to the audit topic goes to every
 * open stream as `event: incident` with its id, type, seq and time only (the page fetches what it
 * needs through the API, which checks the policies). Fed by the audit-topic tail the war room
 * uses; it accepts `DomainEvent`s the way the war room does.
 */
export class LiveFeed {
  private readonly subscribers = new Set<Subscriber>();
  private closed = false;

  constructor(private readonly pingMs = PING_INTERVAL_MS) {}

  /** Number of open streams (for tests and health). */
  get size(): number {
    return this.subscribers.size;
  }

  /**
   * Turns `res` into an event stream until the client leaves, `until` (the session's expiry, ms
   * since the epoch) passes, or the feed closes. `now` is the session clock.
   */
  open(res: ServerResponse, until: number, now: () => number): void {
    if (this.closed) {
      res.writeHead(503, { ...SECURITY_HEADERS, 'content-type': 'text/plain' });
      res.end('shutting down');
      return;
    }
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    // A comment first, so the browser's EventSource reports the stream open at once.
    res.write(': breachline console stream\n\n');
    const sub: Subscriber = {
      res,
      timer: setInterval(() => {
        if (now() >= until) return this.drop(sub);
        res.write(`event: ping\ndata: {"at":"${new Date(now()).toISOString()}"}\n\n`);
      }, this.pingMs),
    };
    // The session may end between pings: end the stream at its expiry exactly.
    const expiry = setTimeout(() => this.drop(sub), Math.max(0, Math.min(until - now(), 2 ** 31 - 1)));
    expiry.unref();
    sub.timer.unref();
    res.on('close', () => {
      clearTimeout(expiry);
      this.drop(sub);
    });
    this.subscribers.add(sub);
  }

  /** Sends one event to every open stream. */
  publish(event: StreamIncidentEvent): void {
    const frame = `event: incident\ndata: ${JSON.stringify(event)}\n\n`;
    for (const sub of this.subscribers) sub.res.write(frame);
  }

  /** The sink the audit-topic tail feeds (same shape as the war room's). */
  accept(event: DomainEvent): void {
    this.publish({ incidentId: event.incidentId, type: event.type, seq: event.seq, at: event.at });
  }

  /** Ends every stream; later `open`s answer 503. */
  close(): void {
    this.closed = true;
    for (const sub of [...this.subscribers]) this.drop(sub);
  }

  private drop(sub: Subscriber): void {
    if (!this.subscribers.delete(sub)) return;
    clearInterval(sub.timer);
    sub.res.end();
  }
}
