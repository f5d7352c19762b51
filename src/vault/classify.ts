import type { VaultErrorKind } from './errors';

/*
 * Maps a Vault HTTP answer to an error kind. Vault uses 400 for several distinct failures and a
 * few quirks (AppRole answers an unknown secret-id accessor with 500), so this table is the one
 * place that reads Vault's error strings; nothing downstream of the adapter looks at text.
 */

interface Rule {
  readonly status: number | ((s: number) => boolean);
  readonly text?: RegExp;
  readonly kind: VaultErrorKind;
  readonly reason: string;
}

const RULES: readonly Rule[] = [
  { status: 503, text: /vault is sealed/i, kind: 'sealed', reason: 'Vault is sealed' },
  { status: 400, text: /check-and-set parameter did not match/i, kind: 'cas-mismatch', reason: 'check-and-set version is stale' },
  { status: 400, text: /check-and-set parameter required/i, kind: 'invalid-request', reason: 'check-and-set is required on this path' },
  { status: 400, text: /invalid accessor/i, kind: 'not-found', reason: 'no token has this accessor' },
  { status: 400, text: /role .* does not exist/i, kind: 'not-found', reason: 'no AppRole role of this name' },
  { status: 404, kind: 'not-found', reason: 'nothing at this path' },
  { status: 500, text: /failed to find accessor entry/i, kind: 'not-found', reason: 'no secret id has this accessor' },
  { status: 403, kind: 'permission-denied', reason: 'token lacks the capability or is invalid' },
  { status: 429, kind: 'unavailable', reason: 'rate limited or standby' },
  { status: 412, kind: 'unavailable', reason: 'not yet consistent' },
  { status: (s) => s >= 500, kind: 'unavailable', reason: 'server error' },
  { status: (s) => s >= 400, kind: 'invalid-request', reason: 'request rejected' },
];

/** Kind and fixed reason for an HTTP status plus Vault's `errors` strings. */
export function classify(status: number, errors: readonly string[]): { kind: VaultErrorKind; reason: string } {
  const text = errors.join('\n');
  for (const rule of RULES) {
    const statusMatches = typeof rule.status === 'number' ? rule.status === status : rule.status(status);
    if (statusMatches && (!rule.text || rule.text.test(text))) return { kind: rule.kind, reason: rule.reason };
  }
  return { kind: 'unavailable', reason: `unexpected status ${status}` };
}

/** Node's codes for a certificate the client refuses (none of them gets better by retrying). */
const TLS_REFUSALS: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Kind and reason for a request that got no HTTP answer: a refused certificate is a configuration
 * problem (not retriable, with Node's code so the operator knows which), anything else is
 * `unavailable`.
 */
export function classifyNoResponse(err: unknown): { kind: VaultErrorKind; reason: string } {
  let code: unknown;
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TLS_REFUSALS.has(code)) {
      return { kind: 'invalid-request', reason: `TLS: the server certificate was refused (${code}); check the Vault CA bundle` };
    }
  }
  return { kind: 'unavailable', reason: 'no response (network error or timeout)' };
}
