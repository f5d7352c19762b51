import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Why a sign-in token was refused; each is answered as a 401 with its own message. */
export type SigninRefusal = 'malformed' | 'forged' | 'expired' | 'used';

/** A sign-in token that cannot open a session. */
export class SigninError extends Error {
  constructor(
    readonly reason: SigninRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'SigninError';
  }
}

/** Options of {@link SigninLinks}. */
export interface SigninLinksOptions {
  /** HMAC key; at least 32 bytes. @default 32 random bytes (per process: links die with it) */
  readonly secret?: Buffer;
  /** How long a link is valid, ms. @default 15 minutes */
  readonly ttlMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** 15 minutes: long enough to switch from Slack to a browser, short enough to be useless when leaked later. */
export const SIGNIN_TTL_MS = 15 * 60_000;

const b64 = (b: Buffer): string => b.toString('base64url');
const PART = /^[A-Za-z0-9_-]+$/;

/**
 * One-time sign-in tokens for the console, handed out by `/ir console`.
 *
 * A token is `<id>.<user>.<expiry>.<mac>`: 32 random bytes, the Slack user id, the expiry (ms since
 * the epoch, base 36), each base64url, and an HMAC-SHA256 over the first three under a secret that
 * never leaves the process. It is redeemed once: redeemed ids are remembered until they expire, so
 * a second use (a leaked link, a browser that replays the request) is refused.
 */
export class SigninLinks {
  private readonly secret: Buffer;
  private readonly ttlMs: number;
  private readonly now: () => number;
  /** Redeemed token ids → their expiry; pruned as they expire. */
  private readonly used = new Map<string, number>();

  constructor(options: SigninLinksOptions = {}) {
    this.secret = options.secret ?? randomBytes(32);
    if (this.secret.length < 32) throw new Error('the console sign-in secret needs at least 32 bytes');
    this.ttlMs = options.ttlMs ?? SIGNIN_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /** A fresh token for `userId`, with when it expires. */
  issue(userId: string): { token: string; expiresAt: Date } {
    const expires = this.now() + this.ttlMs;
    const body = `${b64(randomBytes(32))}.${b64(Buffer.from(userId, 'utf8'))}.${expires.toString(36)}`;
    return { token: `${body}.${b64(this.mac(body))}`, expiresAt: new Date(expires) };
  }

  /**
   * The Slack user a token was issued to, marking it used; throws {@link SigninError} for a token
   * that is malformed, not signed by this process, expired or already used.
   */
  redeem(token: unknown): string {
    if (typeof token !== 'string' || token.length > 512) throw new SigninError('malformed', 'the sign-in token is malformed');
    const parts = token.split('.');
    if (parts.length !== 4 || !parts.every((p) => PART.test(p))) throw new SigninError('malformed', 'the sign-in token is malformed');
    const [id, user, expiry, mac] = parts as [string, string, string, string];
    const expected = this.mac(`${id}.${user}.${expiry}`);
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new SigninError('forged', 'the sign-in token was not issued by this console');
    const now = this.now();
    this.prune(now);
    const expires = parseInt(expiry, 36);
    if (!Number.isSafeInteger(expires) || expires <= now) throw new SigninError('expired', 'the sign-in link has expired: ask for a new one with /ir console');
    if (this.used.has(id)) throw new SigninError('used', 'the sign-in link has been used already: ask for a new one with /ir console');
    this.used.set(id, expires);
    const userId = Buffer.from(user, 'base64url').toString('utf8');
    if (userId.length === 0) throw new SigninError('malformed', 'the sign-in token names no user');
    return userId;
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.secret).update(body).digest();
  }

  private prune(now: number): void {
    for (const [id, expires] of this.used) if (expires <= now) this.used.delete(id);
  }
}
