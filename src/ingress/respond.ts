import type { ServerResponse } from 'node:http';
import { IngressError } from './errors';

/** Writes a JSON response; headers already sent (a broken socket) are left alone. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** Writes an `IngressError` as `{error, message, details?}` with its status and headers. */
export function sendError(res: ServerResponse, error: IngressError, headers: Readonly<Record<string, string>> = {}): void {
  sendJson(res, error.status, error.toBody(), { ...error.headers, ...headers });
}

/** Anything thrown that is not an `IngressError` becomes a 500 that reveals nothing. */
export function asIngressError(error: unknown): IngressError {
  return error instanceof IngressError ? error : new IngressError(500, 'internal', 'internal error; the alert was not accepted, retry later');
}
