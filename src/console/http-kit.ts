import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorBody } from './contract';

/** A request the console answers with a 4xx (or 503): status, a precise message, the field at fault. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Headers on every answer: the page may load only its own scripts, styles and data. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Answers JSON; API answers are never cached (they carry incident data and CSRF tokens). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Answers an error as `{error, field?}`. */
export function sendError(res: ServerResponse, status: number, message: string, field?: string): void {
  const body: ErrorBody = field === undefined ? { error: message } : { error: message, field };
  sendJson(res, status, body);
}

/** Largest JSON body an action accepts. */
export const BODY_LIMIT_BYTES = 16 * 1024;

/** Reads a JSON object body; a wrong type, oversize or unparsable body is a 4xx naming the problem. */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, 'the body must be JSON (Content-Type: application/json)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT_BYTES) throw new HttpError(413, `the body exceeds ${BODY_LIMIT_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HttpError(400, 'the body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** A required non-empty string field of a body, at most `max` characters. */
export function stringField(body: Record<string, unknown>, field: string, max = 500): string {
  const value = body[field];
  if (value === undefined) throw new HttpError(400, `${field} is required`, field);
  if (typeof value !== 'string') throw new HttpError(400, `${field} must be a string`, field);
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new HttpError(400, `${field} must not be empty`, field);
  if (trimmed.length > max) throw new HttpError(400, `${field} must be at most ${max} characters`, field);
  return trimmed;
}

/** An optional string field; absent or empty → undefined. */
export function optionalStringField(body: Record<string, unknown>, field: string, max = 500): string | undefined {
  const value = body[field];
  if (value === undefined || value === null || value === '') return undefined;
  return stringField(body, field, max);
}

/** One cookie's value from a Cookie header (the first of that name). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    if (part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}
