import { createHash, createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { IngressError } from './errors';

/** Header carrying the signing time, in whole seconds since the epoch. */
export const TIMESTAMP_HEADER = 'x-breachline-timestamp';
/** Header carrying `sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<raw body>`. */
export const SIGNATURE_HEADER = 'x-breachline-signature';
/** How far a signed timestamp may be from the receiver's clock, either way. */
export const DEFAULT_REPLAY_WINDOW_MS = 5 * 60 * 1000;

/** Credentials configured for one source. */
export interface SourceCredentials {
  hmacSecret?: string;
  bearerToken?: string;
}

/**
 * Computes the signature header value a sender must attach: `sha256=` + hex HMAC-SHA256 of the
 * timestamp, a dot, and the body bytes exactly as sent. Exported for relays, tests and the bench.
 */
export function signPayload(secret: string, timestamp: string, body: Buffer | string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(body).digest('hex');
  return `sha256=${mac}`;
}

/**
 * Checks the timestamp header alone; runs before the body is read so a stale or unsigned request
 * costs nothing. Returns the parsed timestamp in seconds.
 */
export function checkSignedTimestamp(timestamp: string | undefined, signature: string | undefined, nowMs: number, windowMs = DEFAULT_REPLAY_WINDOW_MS): number {
  if (!timestamp || !signature) {
    throw new IngressError(401, 'missing_signature', `this source requires the ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER} headers`);
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new IngressError(401, 'invalid_signature', `${TIMESTAMP_HEADER} must be whole seconds since the epoch`);
  }
  const seconds = Number(timestamp);
  if (Math.abs(nowMs - seconds * 1000) > windowMs) {
    throw new IngressError(401, 'stale_timestamp', `${TIMESTAMP_HEADER} is more than ${Math.round(windowMs / 1000)} s away from the server clock`);
  }
  return seconds;
}

/**
 * The configured secrets as key objects, made once: importing the raw key on every request is a
 * measurable part of an alert's cost in a storm. Few sources, few secrets: the map stays tiny.
 */
const hmacKeys = new Map<string, KeyObject>();
function hmacKey(secret: string): KeyObject {
  let key = hmacKeys.get(secret);
  if (key === undefined) {
    if (hmacKeys.size >= 64) hmacKeys.clear();
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    hmacKeys.set(secret, key);
  }
  return key;
}

/**
 * Verifies `sha256=<hex>` against the body in constant time. Both sides are 32-byte digests, so
 * `timingSafeEqual` never sees unequal lengths and nothing leaks through timing. Returns the
 * decoded digest: the one spelling of the signature, which is what the replay guard must remember.
 */
export function verifySignature(secret: string, timestamp: string, signature: string, body: Buffer): Buffer {
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(signature.trim());
  if (!match?.[1]) throw new IngressError(401, 'invalid_signature', `${SIGNATURE_HEADER} must be sha256=<64 hex digits>`);
  const given = Buffer.from(match[1], 'hex');
  const expected = createHmac('sha256', hmacKey(secret)).update(`${timestamp}.`, 'utf8').update(body).digest();
  if (!timingSafeEqual(given, expected)) {
    throw new IngressError(401, 'invalid_signature', 'signature does not match the body and timestamp');
  }
  return given;
}

/**
 * Verifies `Authorization: Bearer <token>`. Both tokens are hashed first so the comparison runs on
 * equal-length digests: the time taken says nothing about the configured token, not even its length.
 */
export function verifyBearer(authorization: string | undefined, token: string): void {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) throw new IngressError(401, 'missing_token', 'this source requires Authorization: Bearer <token>', undefined, { 'WWW-Authenticate': 'Bearer' });
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  if (!timingSafeEqual(digest(match[1]), digest(token))) {
    throw new IngressError(401, 'invalid_token', 'bearer token is not valid for this source', undefined, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
  }
}
