/** Options for {@link ReplayGuard}. */
export interface ReplayGuardOptions {
  /** How long a signature is remembered; at least the timestamp skew Slack allows. @default 600000 */
  windowMs?: number;
  /** Most signatures kept; the oldest are forgotten first. @default 10000 */
  maxEntries?: number;
}

/**
 * Remembers the signatures of verified requests so an exact replay inside the timestamp window is
 * refused. The timestamp check alone lets a captured request be resent for five minutes; a
 * signature covers timestamp and body, so a second sighting is a replay, not a new request.
 * Bounded: past `maxEntries` the oldest sightings are dropped, trading a little protection under
 * flood for a fixed memory ceiling.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  private readonly windowMs: number;
  private readonly maxEntries: number;

  constructor(options: ReplayGuardOptions = {}) {
    this.windowMs = options.windowMs ?? 10 * 60 * 1000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /**
   * Records a verified request's signature. Returns false if it was already seen within the
   * window (a replay), true if it is new.
   */
  admit(signature: string, nowMs: number): boolean {
    this.evictExpired(nowMs);
    const expires = this.seen.get(signature);
    if (expires !== undefined && expires > nowMs) return false;
    this.seen.delete(signature);
    this.seen.set(signature, nowMs + this.windowMs);
    while (this.seen.size > this.maxEntries) {
      const oldest = this.seen.keys().next().value;
      if (oldest === undefined) break;
      this.seen.delete(oldest);
    }
    return true;
  }

  /** Number of signatures currently remembered. */
  get size(): number {
    return this.seen.size;
  }

  private evictExpired(nowMs: number): void {
    // Insertion order equals expiry order (fixed window), so expired entries sit at the front.
    for (const [sig, expires] of this.seen) {
      if (expires > nowMs) break;
      this.seen.delete(sig);
    }
  }
}
