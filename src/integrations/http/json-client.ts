import { IntegrationError } from './errors';

/*
 * The one HTTP path of the outside-service adapters: Node's fetch (undici) with a timeout, JSON in
 * and out, and every non-2xx answer turned into an {@link IntegrationError} carrying the service's
 * own error text. Adapters pass a `describe` that reads their service's error shape.
 */

/** One request. */
export interface JsonRequest {
  service: string;
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** Serialised as JSON unless `rawBody` is given. */
  body?: unknown;
  /** Sent as is (signed webhooks sign these exact bytes). */
  rawBody?: string;
  /** @default 10000 */
  timeoutMs?: number;
  /** Statuses that count as success. @default any 2xx */
  ok?: (status: number) => boolean;
  /** Reads the service's error explanation from a parsed error body. */
  describe?: (body: unknown) => string | undefined;
}

/** A successful answer. */
export interface JsonResponse {
  status: number;
  /** Parsed JSON, the text when it is not JSON, undefined when empty. */
  body: unknown;
  headers: Headers;
}

function parse(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function retryAfter(headers: Headers): number | undefined {
  const v = headers.get('retry-after');
  if (v === null) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Sends one request; resolves with a 2xx (or `ok`) answer, rejects with an {@link IntegrationError}. */
export async function requestJson(req: JsonRequest): Promise<JsonResponse> {
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  let body: string | undefined = req.rawBody;
  if (body === undefined && req.body !== undefined) {
    body = JSON.stringify(req.body);
    headers['content-type'] ??= 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(req.url, { method: req.method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(req.timeoutMs ?? 10_000) });
  } catch (err) {
    const cause = err instanceof Error ? (err.name === 'TimeoutError' ? 'timed out' : err.message) : 'request failed';
    throw new IntegrationError({ service: req.service, operation: req.operation, detail: cause });
  }
  const parsed = parse(await res.text());
  const ok = req.ok ?? ((s: number) => s >= 200 && s < 300);
  if (!ok(res.status)) {
    const detail = req.describe?.(parsed) ?? (typeof parsed === 'string' ? parsed.slice(0, 200) : res.statusText || 'request refused');
    const after = retryAfter(res.headers);
    throw new IntegrationError({ service: req.service, operation: req.operation, status: res.status, detail, ...(after !== undefined ? { retryAfterSeconds: after } : {}) });
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** `value` as a plain object, or an empty one. */
export function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
