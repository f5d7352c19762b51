/** Time source for TTLs and timestamps; tests inject a {@link ManualClock} to skip time. */
export interface VaultClock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The wall clock. */
export const systemClock: VaultClock = { now: () => Date.now() };

/** A clock that only moves when told to, so TTL expiry is tested without waiting. */
export class ManualClock implements VaultClock {
  private current: number;

  constructor(start: number = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('a clock cannot go backwards');
    this.current += ms;
  }
}

/** RFC 3339 with nanosecond-style precision, as Vault prints times. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString();
}
