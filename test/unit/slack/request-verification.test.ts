import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifySlackSignature } from '../../../src/slack/request-verification';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const BODY = 'token=xyz&team_id=T1&command=%2Fir&text=help';
/** A fixed instant: 2026-11-22T03:00:00Z. */
const NOW_S = 1_795_316_400;
const NOW_MS = NOW_S * 1000;

/** Slack's published recipe, computed here independently of the code under test. */
function sign(secret: string, ts: number | string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
}

const valid = { signingSecret: SECRET, body: BODY, timestamp: String(NOW_S), signature: sign(SECRET, NOW_S, BODY), nowMs: NOW_MS };

describe('verifySlackSignature', () => {
  it('accepts a correctly signed, current request', () => {
    expect(verifySlackSignature(valid)).toEqual({ ok: true, timestampSeconds: NOW_S, signature: valid.signature, digest: Buffer.from(valid.signature.slice(3), 'hex') });
  });

  it('accepts the worked example from Slack\'s documentation at its own instant', () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const example = {
      signingSecret: '8f742231b10e8888abcd99yyyzzz85a5',
      body,
      timestamp: '1531420618',
      signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    };
    expect(verifySlackSignature({ ...example, nowMs: 1531420618_000 }).ok).toBe(true);
    // The same request read today is long stale.
    expect(verifySlackSignature({ ...example, nowMs: NOW_MS })).toEqual({ ok: false, reason: 'stale' });
  });

  it('rejects a body changed after signing', () => {
    expect(verifySlackSignature({ ...valid, body: `${BODY}&user_id=U2` })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('rejects a signature made with another secret', () => {
    expect(verifySlackSignature({ ...valid, signature: sign('other-secret', NOW_S, BODY) })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('rejects a timestamp changed after signing', () => {
    expect(verifySlackSignature({ ...valid, timestamp: String(NOW_S - 1) })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('uses the injected clock: five minutes either way is the edge', () => {
    expect(verifySlackSignature({ ...valid, nowMs: NOW_MS + 300_000 }).ok).toBe(true);
    expect(verifySlackSignature({ ...valid, nowMs: NOW_MS + 301_000 })).toEqual({ ok: false, reason: 'stale' });
    expect(verifySlackSignature({ ...valid, nowMs: NOW_MS - 301_000 })).toEqual({ ok: false, reason: 'stale' });
  });

  it('honours a configured skew', () => {
    expect(verifySlackSignature({ ...valid, nowMs: NOW_MS + 61_000, maxSkewSeconds: 60 })).toEqual({ ok: false, reason: 'stale' });
  });

  it('rejects missing, malformed and unknown-version headers', () => {
    expect(verifySlackSignature({ ...valid, signature: undefined })).toEqual({ ok: false, reason: 'missing_headers' });
    expect(verifySlackSignature({ ...valid, timestamp: undefined })).toEqual({ ok: false, reason: 'missing_headers' });
    expect(verifySlackSignature({ ...valid, timestamp: '12a' })).toEqual({ ok: false, reason: 'malformed_timestamp' });
    expect(verifySlackSignature({ ...valid, signature: valid.signature.replace('v0=', 'v1=') })).toEqual({ ok: false, reason: 'unknown_version' });
    expect(verifySlackSignature({ ...valid, signature: 'v0=abc' })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySlackSignature({ ...valid, signature: 'v0' })).toEqual({ ok: false, reason: 'unknown_version' });
  });
});
