import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../../../src/sandbox/slack/faults';
import { formatCall, snapshotFromJournal } from '../../../src/sandbox/slack/log-format';
import { signSlackRequest } from '../../../src/sandbox/slack/request-signing';
import { defaultSeed, Workspace } from '../../../src/sandbox/slack/workspace';

describe('FaultInjector', () => {
  it('consumes armed faults in order, per method, then answers normally', () => {
    const f = new FaultInjector();
    f.rateLimit('chat.postMessage', { calls: 1, retryAfterSeconds: 3 });
    f.failNext('chat.postMessage', { calls: 1, status: 502 });
    expect(f.take('users.info')).toBeUndefined();
    expect(f.take('chat.postMessage')).toEqual({ kind: 'rate_limited', retryAfterSeconds: 3 });
    expect(f.take('chat.postMessage')).toEqual({ kind: 'http_error', status: 502 });
    expect(f.take('chat.postMessage')).toBeUndefined();
    f.failNext('*', { calls: 2 });
    expect(f.take('views.open')?.kind).toBe('http_error');
    expect(f.take('auth.test')?.kind).toBe('http_error');
    expect(f.take('auth.test')).toBeUndefined();
    expect(() => f.rateLimit('x', { calls: 0 })).toThrow(RangeError);
  });
});

describe('sandbox message timestamps', () => {
  it('are unique and increasing even within one millisecond or when the clock steps back', () => {
    let now = 1_700_000_000_000;
    const ws = new Workspace(defaultSeed(), () => now);
    const a = ws.nextTs();
    const b = ws.nextTs();
    now -= 5_000;
    const c = ws.nextTs();
    expect(a).toBe('1700000000.000000');
    expect(b).toBe('1700000000.000001');
    expect(Number(c)).toBeGreaterThan(Number(b));
  });
});

describe('journal reading', () => {
  it('keeps the latest version of each message and skips a torn last line', () => {
    const message = { kind: 'message', channel: 'C1', ts: '1.000001', user: 'U1', text: 'v1', edits: [] };
    const lines = [
      JSON.stringify({ kind: 'call', seq: 1, at: '2026-11-22T03:00:00.000Z', method: 'chat.postMessage', transport: 'form', args: { channel: '#incidents' }, httpStatus: 200, ok: true }),
      JSON.stringify({ kind: 'message', event: 'posted', at: 'x', message }),
      JSON.stringify({ kind: 'message', event: 'updated', at: 'y', message: { ...message, text: 'v2' } }),
      '{"kind":"call","seq":2,',
    ];
    const snap = snapshotFromJournal(lines.join('\n'));
    expect(snap.calls).toHaveLength(1);
    expect(snap.calls[0]).not.toHaveProperty('kind');
    expect(snap.messages.map((m) => m.text)).toEqual(['v2']);
    expect(formatCall(snap.calls[0]!)).toMatch(/^#1\s+03:00:00\.000 chat\.postMessage\s+200 ok\s+channel=#incidents$/);
  });
});

describe('signSlackRequest', () => {
  it('matches the worked example in Slack\'s "Verifying requests from Slack"', () => {
    // Secret, timestamp, body and signature as published in Slack's documentation.
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const signed = signSlackRequest('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, body);
    expect(signed['x-slack-signature']).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
  });
});
