import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../../log/logger';
import type { CallRecord, RecordedCall } from './call-record';
import type { FaultInjector } from './faults';
import type { ResponseUrls } from './response-urls';
import type { SocketModeHub } from './socket-mode';
import { SlackApiError, WEB_API_METHODS } from './web-api/index';
import type { MethodArgs } from './web-api/context';
import type { SandboxUser, Workspace } from './workspace';

/** Largest request body the sandbox reads; larger ones get HTTP 413. */
const BODY_LIMIT = 1024 * 1024;

/** What the HTTP layer needs from the rest of the sandbox. */
export interface SlackHttpDeps {
  readonly workspace: Workspace;
  readonly record: CallRecord;
  readonly faults: FaultInjector;
  readonly responseUrls: ResponseUrls;
  /** Bearer token → the user it acts as. */
  readonly tokens: ReadonlyMap<string, SandboxUser>;
  readonly triggerTtlMs: number;
  readonly now: () => number;
  readonly logger: Logger;
  /** Socket Mode, for `apps.connections.open` (absent until the server listens). */
  readonly socketMode?: () => SocketModeHub | undefined;
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    // Drain past the limit rather than abandon the stream, which would reset the connection
    // (and a kept-alive client's next request on it) before the 413 is read.
    if (size <= BODY_LIMIT) chunks.push(buf);
  }
  if (size > BODY_LIMIT) throw new BodyTooLarge();
  return Buffer.concat(chunks).toString('utf8');
}

/** Writes a JSON answer with an exact content length. */
function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Flattens a querystring result: repeated keys keep their last value, as Slack does. */
function flatten(q: ReturnType<typeof parseQuery>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(q)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v) && v.length > 0) out[k] = v[v.length - 1] as string;
  }
  return out;
}

interface ParsedCall {
  readonly transport: RecordedCall['transport'];
  readonly args: Record<string, unknown>;
  /** A token given as an argument (form or query); JSON bodies may not carry one. */
  readonly argToken?: string;
  readonly error?: string;
}

function parseCall(req: IncomingMessage, url: URL, body: string): ParsedCall {
  const query = flatten(parseQuery(url.search.slice(1)));
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (body.length === 0) {
    return { transport: Object.keys(query).length > 0 ? 'query' : 'none', args: query, argToken: query.token };
  }
  if (contentType === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      return { transport: 'json', args: query, error: 'invalid_json' };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { transport: 'json', args: query, error: 'invalid_json' };
    // Slack ignores a token inside a JSON body: JSON callers must authenticate with the header.
    const { token: _ignored, ...rest } = parsed as Record<string, unknown>;
    return { transport: 'json', args: { ...query, ...rest }, argToken: query.token };
  }
  if (contentType === 'application/x-www-form-urlencoded' || contentType === '') {
    const form = flatten(parseQuery(body));
    return { transport: 'form', args: { ...query, ...form }, argToken: form.token ?? query.token };
  }
  return { transport: 'form', args: query, error: 'invalid_form_data' };
}

function withoutToken(args: Record<string, unknown>): Record<string, unknown> {
  const { token: _token, ...rest } = args;
  return rest;
}

/** Answers `/api/<method>` exactly as Slack's Web API would, recording the call. */
export async function handleWebApi(deps: SlackHttpDeps, req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
  const at = new Date(deps.now()).toISOString();
  let body: string;
  try {
    body = await readBody(req);
  } catch (err) {
    if (err instanceof BodyTooLarge) {
      deps.record.addCall({ at, method, transport: 'none', args: {}, httpStatus: 413, ok: false, error: 'request_too_large' });
      sendJson(res, 413, { ok: false, error: 'request_too_large' });
      return;
    }
    throw err;
  }
  const parsed = parseCall(req, url, body);
  const args = withoutToken(parsed.args);
  const answer = (status: number, payload: Record<string, unknown>, extra: Partial<RecordedCall> = {}, headers: Record<string, string> = {}): void => {
    const ok = payload.ok === true;
    deps.record.addCall({ at, method, transport: parsed.transport, args, httpStatus: status, ok, ...(ok ? {} : { error: String(payload.error) }), ...extra });
    sendJson(res, status, payload, headers);
  };
  if (deps.faults.latencyMs > 0) await delay(deps.faults.latencyMs);

  const handler = WEB_API_METHODS[method];
  if (!handler && method !== APPS_CONNECTIONS_OPEN) return answer(200, { ok: false, error: 'unknown_method', req_method: method });
  const fault = deps.faults.take(method);
  if (fault?.kind === 'rate_limited') {
    const retry = fault.retryAfterSeconds;
    return answer(429, { ok: false, error: 'ratelimited' }, { retryAfter: retry }, { 'retry-after': String(retry) });
  }
  if (fault?.kind === 'http_error') return answer(fault.status, { ok: false, error: 'service_unavailable' });
  if (parsed.error) return answer(200, { ok: false, error: parsed.error });

  const token = bearerToken(req) ?? parsed.argToken;
  if (!token) return answer(200, { ok: false, error: 'not_authed' });
  if (method === APPS_CONNECTIONS_OPEN) return answer(200, connectionsOpen(deps, token));
  const actor = deps.tokens.get(token);
  if (!actor || !handler) return answer(200, { ok: false, error: 'invalid_auth' });

  try {
    const result = handler({
      args: parsed.args as MethodArgs,
      workspace: deps.workspace,
      record: deps.record,
      actor,
      triggerTtlMs: deps.triggerTtlMs,
      nowIso: () => new Date(deps.now()).toISOString(),
    });
    return answer(200, { ok: true, ...result });
  } catch (err) {
    if (err instanceof SlackApiError) return answer(200, { ok: false, error: err.error, ...err.extra });
    deps.logger.error({ err, method }, 'slack sandbox method failed');
    return answer(200, { ok: false, error: 'internal_error' });
  }
}

/** The one method that takes an app-level token rather than a bot or user token. */
const APPS_CONNECTIONS_OPEN = 'apps.connections.open';

/** `apps.connections.open`: a Socket Mode URL for an app-level token; a bot token is the wrong type. */
function connectionsOpen(deps: SlackHttpDeps, token: string): Record<string, unknown> {
  const hub = deps.socketMode?.();
  if (hub?.acceptsAppToken(token)) return { ok: true, ...hub.openConnection() };
  if (deps.tokens.has(token)) return { ok: false, error: 'not_allowed_token_type' };
  return { ok: false, error: 'invalid_auth' };
}

function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  // A malformed header still counts as an attempt: Slack answers invalid_auth, not not_authed.
  return m ? m[1] : h;
}

/** Answers a POST to a response_url the sandbox issued. */
export async function handleResponseUrl(deps: SlackHttpDeps, req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
  const at = new Date(deps.now()).toISOString();
  let parsed: unknown;
  try {
    const body = await readBody(req);
    parsed = JSON.parse(body) as unknown;
  } catch {
    deps.record.addCall({ at, method: 'response_url', transport: 'json', args: { id }, httpStatus: 400, ok: false, error: 'invalid_payload' });
    sendJson(res, 400, { ok: false, error: 'invalid_payload' });
    return;
  }
  const answer = deps.responseUrls.post(id, parsed);
  const args = typeof parsed === 'object' && parsed !== null ? { id, ...(parsed as Record<string, unknown>) } : { id };
  const ok = answer.body.ok === true;
  deps.record.addCall({ at, method: 'response_url', transport: 'json', args, httpStatus: answer.status, ok, ...(ok ? {} : { error: String(answer.body.error) }) });
  sendJson(res, answer.status, answer.body);
}

/** Serves the record for `breachline sandbox slack-log` and for humans with curl. */
export function handleLog(deps: SlackHttpDeps, res: ServerResponse): void {
  sendJson(res, 200, { calls: deps.record.calls(), messages: deps.workspace.allMessages() });
}

/**
 * Arms faults over HTTP, for a sandbox running in another process (`sandbox up`). Body: one of
 * `{"rateLimit":{"method","calls","retryAfterSeconds"}}`, `{"failNext":{"method","calls","status"}}`,
 * `{"latencyMs":n}` or `{"clear":true}`.
 */
export async function handleFaults(deps: SlackHttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let spec: Record<string, unknown>;
  try {
    const parsed = JSON.parse(await readBody(req)) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('expected an object');
    spec = parsed as Record<string, unknown>;
  } catch {
    return sendJson(res, 400, { ok: false, error: 'invalid_json' });
  }
  try {
    const opts = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});
    const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
    if (spec.clear === true) deps.faults.clear();
    if (spec.rateLimit !== undefined) {
      const o = opts(spec.rateLimit);
      deps.faults.rateLimit(String(o.method ?? '*'), { calls: num(o.calls), retryAfterSeconds: num(o.retryAfterSeconds) });
    }
    if (spec.failNext !== undefined) {
      const o = opts(spec.failNext);
      deps.faults.failNext(String(o.method ?? '*'), { calls: num(o.calls), status: num(o.status) });
    }
    if (num(spec.latencyMs) !== undefined) deps.faults.setLatency(num(spec.latencyMs) as number);
  } catch (err) {
    return sendJson(res, 400, { ok: false, error: 'invalid_arguments', detail: (err as Error).message });
  }
  sendJson(res, 200, { ok: true });
}

export { sendJson };
