/** Options for {@link ReplayGuard}. */
export interface ReplayGuardOptions {
  /**
   * How long a signature is remembered. It must cover every timestamp the verifier still accepts,
   * in both directions of clock skew. @default 600000 (ten minutes)
   */
  rememberMs?: number;
  /** Most signatures kept; past it the oldest are forgotten first. @default 10000 */
  maxEntries?: number;
}

/**
 * Refuses an exact replay of a signed request. A timestamp check alone lets a captured request be
 * resent for as long as its timestamp is accepted; a signature covers timestamp and body, so a
 * second sighting is a replay, not a new request. Used by both doors that take signed requests:
 * the SIEM ingress and the Slack receiver.
 *
 * Memory is bounded by `maxEntries`, trading a little protection under flood for a ceiling. State
 * is per process: behind several replicas a replay may reach another one, where the incident's
 * workflow-id uniqueness makes it harmless.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  private readonly rememberMs: number;
  private readonly maxEntries: number;

  constructor(options: ReplayGuardOptions = {}) {
    this.rememberMs = options.rememberMs ?? 10 * 60 * 1000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /**
   * Records a verified request's signature; false if it is already held (a replay). It takes the
   * decoded digest, not the header: verifiers accept several spellings of one signature (hex in
   * either case, surrounding whitespace), and keying on the text would let each spelling through
   * once more.
   */
  admit(signature: Uint8Array, nowMs: number): boolean {
    const key = canonicalKey(signature);
    this.evictExpired(nowMs);
    const expires = this.seen.get(key);
    if (expires !== undefined && expires > nowMs) return false;
    this.seen.delete(key);
    this.seen.set(key, nowMs + this.rememberMs);
    while (this.seen.size > this.maxEntries) {
      const oldest = this.seen.keys().next().value;
      if (oldest === undefined) break;
      this.seen.delete(oldest);
    }
    return true;
  }

  /**
   * Forgets a signature whose request was not accepted (e.g. answered 503), so the sender's retry
   * of the very same bytes gets through instead of being lost as a "replay".
   */
  release(signature: Uint8Array): void {
    this.seen.delete(canonicalKey(signature));
  }

  /** Signatures currently held. */
  get size(): number {
    return this.seen.size;
  }

  private evictExpired(nowMs: number): void {
    // Every entry lives equally long, so insertion order is expiry order: expired ones are first.
    for (const [sig, expires] of this.seen) {
      if (expires > nowMs) break;
      this.seen.delete(sig);
    }
  }
}

/** One spelling per digest: its bytes in base64. */
function canonicalKey(signature: Uint8Array): string {
  return Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength).toString('base64');
}
