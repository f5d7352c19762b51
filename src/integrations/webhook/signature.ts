import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * The signature of breachline's outgoing webhooks, in the style of Stripe's and Slack's:
 *
 *   Breachline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * The receiver recomputes the HMAC over the timestamp and the exact bytes received, compares in
 * constant time, and refuses a timestamp outside its tolerance (5 minutes by default), which
 * bounds how long a captured request can be replayed. The `Idempotency-Key` header (the step key)
 * lets it drop the retries of a delivery it already processed.
 */

/** Header carrying the signature. */
export const SIGNATURE_HEADER = 'breachline-signature';
/** Default tolerance between the signed timestamp and the receiver's clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The header value for `body` signed at `timestampSeconds`. */
export function signWebhook(secret: string, body: string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/** Why a signature was refused, or `ok`. */
export type SignatureVerdict = 'ok' | 'missing' | 'malformed' | 'stale' | 'mismatch';

/** Checks a signature header against `body` at `nowSeconds`. */
export function verifyWebhook(secret: string, body: string, header: string | undefined, nowSeconds: number, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS): SignatureVerdict {
  if (header === undefined || header === '') return 'missing';
  const parts = new Map(header.split(',').map((kv) => { const i = kv.indexOf('='); return [kv.slice(0, i).trim(), kv.slice(i + 1).trim()] as const; }));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1');
  if (!Number.isInteger(t) || v1 === undefined || !/^[0-9a-f]{64}$/.test(v1)) return 'malformed';
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return 'stale';
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(v1, 'hex')) ? 'ok' : 'mismatch';
}
