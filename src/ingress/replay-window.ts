/** Options for {@link ReplayWindow}. */
export interface ReplayWindowOptions {
  /** How long a signature is remembered; must cover the timestamp window both ways. */
  windowMs: number;
  /** Most signatures kept; past it the oldest are forgotten first. @default 100000 */
  maxEntries?: number;
}

/**
 * Refuses an exact replay of a signed request within the timestamp window. A signature covers
 * timestamp and body, so seeing it twice means the same bytes were sent twice.
 *
 * A signature is *reserved* when verified and *released* again if the alert could not be handed to
 * Temporal (503): the sender's retry of that very request must get through, or the alert would be
 * lost. Memory is bounded by `maxEntries`, trading a little protection under flood for a ceiling.
 * State is per process: behind several replicas a replay may reach another one, which is harmless
 * because the incident workflow id dedupes it.
 */
export class ReplayWindow {
  private readonly seen = new Map<string, number>();
  private readonly maxEntries: number;

  constructor(private readonly options: ReplayWindowOptions) {
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  /** Records `signature`; false if it is already held within the window (a replay). */
  reserve(signature: string, nowMs: number): boolean {
    this.evictExpired(nowMs);
    const expires = this.seen.get(signature);
    if (expires !== undefined && expires > nowMs) return false;
    this.seen.delete(signature);
    // Remembered for twice the window: a timestamp may sit `windowMs` in the future.
    this.seen.set(signature, nowMs + 2 * this.options.windowMs);
    while (this.seen.size > this.maxEntries) {
      const oldest = this.seen.keys().next().value;
      if (oldest === undefined) break;
      this.seen.delete(oldest);
    }
    return true;
  }

  /** Forgets a reservation whose request was not accepted, so its retry is not a replay. */
  release(signature: string): void {
    this.seen.delete(signature);
  }

  /** Signatures currently held. */
  get size(): number {
    return this.seen.size;
  }

  private evictExpired(nowMs: number): void {
    // Entries expire in insertion order (fixed lifetime), so the expired ones are at the front.
    for (const [sig, expires] of this.seen) {
      if (expires > nowMs) break;
      this.seen.delete(sig);
    }
  }
}
