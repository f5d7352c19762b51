import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkSignedTimestamp, signPayload, verifyBearer, verifySignature } from '../../../src/ingress/auth';
import { IngressError } from '../../../src/ingress/errors';

const secret = 'splunk-relay-secret-0123456789';
const body = Buffer.from('{"sid":"s1"}');
const now = Date.UTC(2026, 10, 21, 3, 47, 30);
const ts = String(Math.floor(now / 1000));

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof IngressError) return `${error.status} ${error.code}`;
    throw error;
  }
  return 'ok';
}

describe('HMAC signatures', () => {
  it('signs <timestamp>.<body> with HMAC-SHA256, hex, sha256= prefix', () => {
    const expected = createHmac('sha256', secret).update(`${ts}.{"sid":"s1"}`).digest('hex');
    expect(signPayload(secret, ts, body)).toBe(`sha256=${expected}`);
  });

  it('accepts a correct signature (upper-case hex too)', () => {
    const sig = signPayload(secret, ts, body);
    expect(codeOf(() => verifySignature(secret, ts, sig, body))).toBe('ok');
    expect(codeOf(() => verifySignature(secret, ts, `sha256=${sig.slice(7).toUpperCase()}`, body))).toBe('ok');
  });

  it('refuses a changed body, timestamp, secret or malformed header', () => {
    const sig = signPayload(secret, ts, body);
    expect(codeOf(() => verifySignature(secret, ts, sig, Buffer.from('{"sid":"s2"}')))).toBe('401 invalid_signature');
    expect(codeOf(() => verifySignature(secret, String(Number(ts) + 1), sig, body))).toBe('401 invalid_signature');
    expect(codeOf(() => verifySignature(`${secret}x`, ts, sig, body))).toBe('401 invalid_signature');
    expect(codeOf(() => verifySignature(secret, ts, sig.slice(0, -2), body))).toBe('401 invalid_signature');
    expect(codeOf(() => verifySignature(secret, ts, sig.replace('sha256=', 'sha1='), body))).toBe('401 invalid_signature');
  });

  it('takes timestamps within the window either way and refuses the rest, using the injected clock', () => {
    const window = 5 * 60 * 1000;
    expect(codeOf(() => checkSignedTimestamp(ts, 'x', now))).toBe('ok');
    expect(codeOf(() => checkSignedTimestamp(ts, 'x', now + window))).toBe('ok');
    expect(codeOf(() => checkSignedTimestamp(ts, 'x', now + window + 1))).toBe('401 stale_timestamp');
    expect(codeOf(() => checkSignedTimestamp(ts, 'x', now - window - 1))).toBe('401 stale_timestamp');
    expect(codeOf(() => checkSignedTimestamp(ts, 'x', now + 61_000, 60_000))).toBe('401 stale_timestamp');
    expect(codeOf(() => checkSignedTimestamp(undefined, 'x', now))).toBe('401 missing_signature');
    expect(codeOf(() => checkSignedTimestamp(ts, undefined, now))).toBe('401 missing_signature');
    expect(codeOf(() => checkSignedTimestamp(`${now}`.concat('000'), 'x', now))).toBe('401 invalid_signature');
    expect(codeOf(() => checkSignedTimestamp('2026-11-21T03:47:30Z', 'x', now))).toBe('401 invalid_signature');
  });
});

describe('bearer tokens', () => {
  const token = 'elastic-connector-token-abcdef';
  it('accepts the configured token, case-insensitive scheme', () => {
    expect(codeOf(() => verifyBearer(`Bearer ${token}`, token))).toBe('ok');
    expect(codeOf(() => verifyBearer(`bearer ${token}`, token))).toBe('ok');
  });
  it('refuses missing, other-scheme, shorter, longer and different tokens', () => {
    expect(codeOf(() => verifyBearer(undefined, token))).toBe('401 missing_token');
    expect(codeOf(() => verifyBearer(`Basic ${token}`, token))).toBe('401 missing_token');
    expect(codeOf(() => verifyBearer(`Bearer ${token.slice(1)}`, token))).toBe('401 invalid_token');
    expect(codeOf(() => verifyBearer(`Bearer ${token}x`, token))).toBe('401 invalid_token');
    expect(codeOf(() => verifyBearer(`Bearer ${token.toUpperCase()}`, token))).toBe('401 invalid_token');
  });
});
