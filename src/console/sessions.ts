import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A signed-in console user. */
export interface ConsoleSession {
  /** The cookie value: 32 random bytes, base64url. Never logged. */
  readonly id: string;
  readonly userId: string;
  /** Sent by the front end in `X-CSRF-Token`; 32 random bytes, base64url. */
  readonly csrfToken: string;
  /** ms since the epoch. */
  readonly expiresAt: number;
}

/** Options of {@link SessionStore}. */
export interface SessionStoreOptions {
  /** How long a session lasts, ms. @default 8 hours */
  readonly ttlMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** 8 hours: a working shift. */
export const SESSION_TTL_MS = 8 * 3_600_000;

/**
 * Console sessions, in memory: a restart of the main process signs everyone out, which is the
 * safe direction (a new link is one `/ir console` away). Expired sessions are dropped on access.
 */
export class SessionStore {
  private readonly sessions = new Map<string, ConsoleSession>();
  private readonly ttlMs: number;
  readonly now: () => number;

  constructor(options: SessionStoreOptions = {}) {
    this.ttlMs = options.ttlMs ?? SESSION_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /** Opens a session for a Slack user (and forgets the expired ones, so the store stays small). */
  open(userId: string): ConsoleSession {
    const now = this.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
    const session: ConsoleSession = {
      id: randomBytes(32).toString('base64url'),
      userId,
      csrfToken: randomBytes(32).toString('base64url'),
      expiresAt: now + this.ttlMs,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id, or undefined (unknown or expired). */
  get(id: string | undefined): ConsoleSession | undefined {
    if (id === undefined) return undefined;
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  /** Signs a session out. */
  close(id: string): void {
    this.sessions.delete(id);
  }
}

/** Whether `given` is the session's CSRF token, compared in constant time. */
export function csrfMatches(session: ConsoleSession, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(session.csrfToken, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
