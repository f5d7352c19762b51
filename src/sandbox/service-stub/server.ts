import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * The shared HTTP shell of the outside-service stand-ins (PagerDuty, Opsgenie, Jira, a webhook
 * receiver): one server on a free port, every request recorded (credentials redacted), a fault
 * hook that answers the next N requests with a chosen status, and a route function per service
 * that returns the documented answer. The services' state lives in their own modules.
 */

/** One request as a route sees it. */
export interface StubRequest {
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body exactly as received. */
  readonly rawBody: string;
  /** Parsed JSON body; undefined when empty or not JSON. */
  readonly body: unknown;
}

/** A route's answer. */
export interface StubReply {
  readonly status: number;
  /** Serialised as JSON; absent for an empty body. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One recorded call (the `authorization` header value is replaced by its scheme). */
export interface StubCall {
  readonly seq: number;
  readonly at: string;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly status: number;
  /** True when the fault hook answered instead of the service. */
  readonly injected: boolean;
}

/** Fault hooks of a stand-in. */
export interface StubFaults {
  /** Answers the next `count` requests with `status` (a 429 carries `Retry-After: retryAfter`). */
  failNext(count: number, status?: number, retryAfter?: number): void;
  clear(): void;
}

/** A running stand-in. */
export interface StubServer {
  /** `http://host:port` */
  readonly url: string;
  readonly faults: StubFaults;
  /** Every call, oldest first. */
  calls(): StubCall[];
  close(): Promise<void>;
}

/** Options of {@link startStub}. */
export interface StubOptions {
  host?: string;
  port?: number;
  /** The body a fault answers with, per status. */
  faultBody?: (status: number) => unknown;
}

function redact(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const value = Array.isArray(v) ? v.join(', ') : v;
    out[k] = k === 'authorization' ? `${value.split(' ')[0] ?? ''} [redacted]` : value;
  }
  return out;
}

function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) reject(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Starts a stand-in answering with `route`; the request's raw headers (auth included) reach the route. */
export async function startStub(route: (req: StubRequest, rawHeaders: Readonly<Record<string, string>>) => StubReply, options: StubOptions = {}): Promise<StubServer> {
  const calls: StubCall[] = [];
  const fault = { count: 0, status: 503, retryAfter: 1 };
  const reply = (res: ServerResponse, r: StubReply): void => {
    const body = r.body === undefined ? '' : JSON.stringify(r.body);
    res.writeHead(r.status, { ...(body !== '' ? { 'content-type': 'application/json' } : {}), ...r.headers });
    res.end(body);
  };
  const server = createServer((req, res) => {
    void (async () => {
      const rawBody = await readBody(req).catch(() => undefined);
      const url = new URL(req.url ?? '/', 'http://stub');
      const raw: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) raw[k] = Array.isArray(v) ? v.join(', ') : v;
      const request: StubRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: redact(req.headers), rawBody: rawBody ?? '', body: parseJson(rawBody ?? '') };
      let r: StubReply;
      let injected = false;
      if (rawBody === undefined) r = { status: 413, body: { message: 'request body too large' } };
      else if (fault.count > 0) {
        fault.count--;
        injected = true;
        r = { status: fault.status, body: options.faultBody?.(fault.status) ?? { message: 'injected fault' }, ...(fault.status === 429 ? { headers: { 'retry-after': String(fault.retryAfter) } } : {}) };
      } else {
        try {
          r = route(request, raw);
        } catch {
          r = { status: 500, body: { message: 'stand-in error' } };
        }
      }
      calls.push({ seq: calls.length + 1, at: new Date().toISOString(), method: request.method, path: request.path, query: Object.fromEntries(url.searchParams), headers: request.headers, body: request.body ?? request.rawBody, status: r.status, injected });
      reply(res, r);
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    faults: {
      failNext(count, status = 503, retryAfter = 1) {
        Object.assign(fault, { count, status, retryAfter });
      },
      clear() {
        fault.count = 0;
      },
    },
    calls: () => [...calls],
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** `value` as a plain object, or an empty one. */
export function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
