import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { badRequest } from './errors';

/*
 * Request-body coercion. Vault's field schemas accept loosely typed input (numbers as strings,
 * comma-separated lists, Go durations); these helpers reproduce that leniency and answer 400 with
 * a field-specific message when a value cannot be read.
 */

/** A request body: Vault accepts only a JSON object at the top level. */
export type Body = Readonly<Record<string, unknown>>;

const UNIT_SECONDS: Readonly<Record<string, number>> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400 };

/** Parses a Go-style duration (`90s`, `1h30m`, `768h`) or a number of seconds into whole seconds. */
export function parseDuration(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.floor(value);
  if (typeof value !== 'string') throw badRequest(`invalid duration for field "${field}"`);
  const text = value.trim();
  if (text === '') return 0;
  if (/^\d+$/.test(text)) return Number(text);
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/y;
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const match = re.exec(text);
    if (!match || match[1] === undefined || match[2] === undefined) throw badRequest(`invalid duration for field "${field}": ${JSON.stringify(value)}`);
    total += Number(match[1]) * (UNIT_SECONDS[match[2]] ?? 0);
    pos = re.lastIndex;
  }
  return Math.floor(total);
}

/** Optional duration field. */
export function optDuration(body: Body, field: string): number | undefined {
  const v = body[field];
  return v === undefined || v === null ? undefined : parseDuration(v, field);
}

/** Optional string field. */
export function optString(body: Body, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw badRequest(`invalid value for field "${field}": expected a string`);
}

/** Required string field. */
export function reqString(body: Body, field: string): string {
  const v = optString(body, field);
  if (v === undefined || v === '') throw badRequest(`missing ${field}`);
  return v;
}

/** Optional boolean, accepting `"true"`/`"false"` strings as Vault does. */
export function optBool(body: Body, field: string): boolean | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1' || v === 1) return true;
  if (v === 'false' || v === '0' || v === 0) return false;
  throw badRequest(`invalid value for field "${field}": expected a boolean`);
}

/** Optional integer, accepting numeric strings. */
export function optInt(body: Body, field: string): number | undefined {
  const v = body[field];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw badRequest(`invalid value for field "${field}": expected an integer`);
  return n;
}

/** Optional list of strings: a JSON array or a comma-separated string. */
export function optStringList(body: Body, field: string): string[] | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(v) && v.every((x): x is string => typeof x === 'string')) return v.map((s) => s.trim()).filter(Boolean);
  throw badRequest(`invalid value for field "${field}": expected a list of strings`);
}

/** Optional list of integers (KV `versions`): array of numbers/numeric strings or a comma list. */
export function optIntList(body: Body, field: string): number[] | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  const items: unknown[] = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v : [v];
  return items.map((x) => {
    const n = typeof x === 'string' ? Number(x.trim()) : x;
    if (typeof n !== 'number' || !Number.isInteger(n)) throw badRequest(`invalid value for field "${field}": expected integers`);
    return n;
  });
}

/** Optional map of string to string (token `meta`, KV `custom_metadata`). */
export function optStringMap(body: Body, field: string): Record<string, string> | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest(`invalid value for field "${field}": expected a map of strings`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') throw badRequest(`invalid value for field "${field}": expected a map of strings`);
    out[k] = x;
  }
  return out;
}

/** A fresh service token id, shaped like Vault's (`hvs.` + 24 base62-ish characters). */
export function newTokenId(): string {
  return `hvs.${randomBytes(18).toString('base64url').replace(/[-_]/g, 'x').slice(0, 24)}`;
}

/** A fresh accessor: 24 characters, like Vault's. */
export function newAccessor(): string {
  return randomBytes(18).toString('base64url').replace(/[-_]/g, 'y').slice(0, 24);
}

/** A UUID, as Vault uses for request ids, role ids and secret ids. */
export function newUuid(): string {
  return randomUUID();
}

/** SHA-256 hex of a string: how lease ids refer to tokens without containing them. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * A dictionary without a prototype. Every map keyed by a client-chosen name (secret paths, key
 * and role names, token ids) is one of these, so a name like `constructor` or `__proto__` is just
 * a name and never reaches Object.prototype.
 */
export function dict<T>(entries: Readonly<Record<string, T>> = {}): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}
