import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's own limit: a request older (or newer) than five minutes is refused. */
export const DEFAULT_MAX_SKEW_SECONDS = 5 * 60;

/** The parts of an incoming request that signature verification reads. */
export interface SlackRequestToVerify {
  readonly signingSecret: string;
  /** The raw body exactly as received; parsing first would change the signed bytes. */
  readonly body: string;
  /** `X-Slack-Request-Timestamp`. */
  readonly timestamp: string | undefined;
  /** `X-Slack-Signature`, e.g. `v0=3f2a…`. */
  readonly signature: string | undefined;
  /** The verifier's clock, in milliseconds since the epoch; injected so tests need not wait. */
  readonly nowMs: number;
  /** @default {@link DEFAULT_MAX_SKEW_SECONDS} */
  readonly maxSkewSeconds?: number;
}

/** Why a request was refused; logged, never sent back. */
export type VerificationFailure = 'missing_headers' | 'malformed_timestamp' | 'stale' | 'unknown_version' | 'mismatch';

/** The outcome of {@link verifySlackSignature}. */
export type VerificationResult =
  | {
      readonly ok: true;
      readonly timestampSeconds: number;
      /** The header as sent. */
      readonly signature: string;
      /** The decoded digest: the one spelling of the signature, for the replay guard. */
      readonly digest: Buffer;
    }
  | { readonly ok: false; readonly reason: VerificationFailure };

/**
 * Checks that a request came from Slack ("Verifying requests from Slack"): the timestamp is within
 * the allowed skew of `nowMs` in either direction, and the `v0` signature equals HMAC-SHA256 of
 * `v0:<timestamp>:<body>` under the signing secret, compared in constant time. Pure: no I/O, no
 * clock of its own.
 */
export function verifySlackSignature(req: SlackRequestToVerify): VerificationResult {
  if (!req.timestamp || !req.signature) return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,12}$/.test(req.timestamp)) return { ok: false, reason: 'malformed_timestamp' };
  const timestampSeconds = Number(req.timestamp);
  const skew = req.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS;
  if (Math.abs(req.nowMs / 1000 - timestampSeconds) > skew) return { ok: false, reason: 'stale' };
  const [version, hash] = splitOnce(req.signature, '=');
  if (version !== 'v0' || hash === undefined) return { ok: false, reason: 'unknown_version' };
  const expected = createHmac('sha256', req.signingSecret).update(`v0:${req.timestamp}:${req.body}`, 'utf8').digest();
  const given = /^[0-9a-f]{64}$/i.test(hash) ? Buffer.from(hash, 'hex') : undefined;
  if (!given || !timingSafeEqual(given, expected)) return { ok: false, reason: 'mismatch' };
  return { ok: true, timestampSeconds, signature: req.signature, digest: given };
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}
