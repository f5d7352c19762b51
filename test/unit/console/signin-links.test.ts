import { describe, expect, it } from 'vitest';
import { csrfMatches, SessionStore } from '../../../src/console/sessions';
import { SigninError, SigninLinks, SIGNIN_TTL_MS } from '../../../src/console/signin-links';

const reason = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof SigninError) return err.reason;
    throw err;
  }
  return 'accepted';
};

describe('console sign-in links', () => {
  it('a token names its user and is redeemed once', () => {
    const links = new SigninLinks();
    const { token } = links.issue('U0COMMANDER');
    expect(links.redeem(token)).toBe('U0COMMANDER');
    expect(reason(() => links.redeem(token))).toBe('used');
  });

  it('carries 32 random bytes and nothing the user typed but the user id', () => {
    const links = new SigninLinks();
    const [id, user] = links.issue('U0DPOFFICER').token.split('.') as [string, string];
    expect(Buffer.from(id, 'base64url')).toHaveLength(32);
    expect(Buffer.from(user, 'base64url').toString()).toBe('U0DPOFFICER');
    expect(links.issue('U0DPOFFICER').token.split('.')[0]).not.toBe(id);
  });

  it('expires at 15 minutes to the millisecond', () => {
    let t = 1_000_000;
    const links = new SigninLinks({ now: () => t });
    const early = links.issue('U1');
    const late = links.issue('U1');
    t += SIGNIN_TTL_MS - 1;
    expect(links.redeem(early.token)).toBe('U1');
    t += 1;
    expect(reason(() => links.redeem(late.token))).toBe('expired');
  });

  it('refuses a token whose user, expiry or signature was changed, or that another process signed', () => {
    let t = 0;
    const links = new SigninLinks({ now: () => t });
    const [id, user, expiry, mac] = links.issue('U0OBSERVER1').token.split('.') as [string, string, string, string];
    const b64 = (s: string): string => Buffer.from(s).toString('base64url');
    expect(reason(() => links.redeem(`${id}.${b64('U0COMMANDER')}.${expiry}.${mac}`))).toBe('forged');
    expect(reason(() => links.redeem(`${id}.${user}.${(t + 10 * SIGNIN_TTL_MS).toString(36)}.${mac}`))).toBe('forged');
    expect(reason(() => links.redeem(`${id}.${user}.${expiry}.${b64('x'.repeat(32))}`))).toBe('forged');
    expect(reason(() => links.redeem(new SigninLinks().issue('U0OBSERVER1').token))).toBe('forged');
    t = 1;
    expect(links.redeem(`${id}.${user}.${expiry}.${mac}`)).toBe('U0OBSERVER1');
  });

  it('refuses malformed input without throwing anything else', () => {
    const links = new SigninLinks();
    for (const bad of [undefined, null, 42, {}, '', 'a.b.c', 'a.b.c.d.e', 'a b.c.d.e', 'x'.repeat(600), 'é.a.b.c']) {
      expect(reason(() => links.redeem(bad))).toBe('malformed');
    }
  });

  it('forgets used ids once they expire, without reopening them', () => {
    let t = 0;
    const links = new SigninLinks({ now: () => t });
    const { token } = links.issue('U1');
    links.redeem(token);
    t += SIGNIN_TTL_MS + 1;
    expect(reason(() => links.redeem(token))).toBe('expired');
  });

  it('needs a secret of at least 32 bytes', () => {
    expect(() => new SigninLinks({ secret: Buffer.alloc(16) })).toThrow(/32 bytes/);
  });
});

describe('console sessions', () => {
  it('last their configured time, and sign out', () => {
    let t = 0;
    const store = new SessionStore({ ttlMs: 1000, now: () => t });
    const s = store.open('U1');
    expect(store.get(s.id)?.userId).toBe('U1');
    t = 999;
    expect(store.get(s.id)).toBeDefined();
    t = 1000;
    expect(store.get(s.id)).toBeUndefined();
    const other = store.open('U2');
    store.close(other.id);
    expect(store.get(other.id)).toBeUndefined();
    expect(store.get(undefined)).toBeUndefined();
  });

  it('match the CSRF token exactly', () => {
    const s = new SessionStore().open('U1');
    expect(csrfMatches(s, s.csrfToken)).toBe(true);
    expect(csrfMatches(s, undefined)).toBe(false);
    expect(csrfMatches(s, '')).toBe(false);
    expect(csrfMatches(s, `${s.csrfToken}x`)).toBe(false);
    expect(csrfMatches(s, s.csrfToken.toUpperCase())).toBe(s.csrfToken === s.csrfToken.toUpperCase());
  });
});
