/**
 * Fault hooks (design §4): latency before each request, failing the next N requests of an API
 * with a chosen error code, and dropping every connection.
 */
export class FaultInjector {
  /** Delay applied before each request is handled. */
  latencyMs = 0;
  private readonly failures = new Map<number, Array<{ remaining: number; code: number }>>();
  /** Set by the broker: closes every client connection. */
  dropAll: () => void = () => undefined;

  /** The next `count` requests of `apiKey` are answered with `errorCode` and have no effect. */
  failNext(apiKey: number, count: number, errorCode: number): void {
    const list = this.failures.get(apiKey) ?? [];
    list.push({ remaining: count, code: errorCode });
    this.failures.set(apiKey, list);
  }

  /** Adds latency to every request (0 removes it). */
  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  /** Closes every open client connection (clients see a network error and reconnect). */
  dropConnections(): void {
    this.dropAll();
  }

  /** Clears every pending fault. */
  reset(): void {
    this.latencyMs = 0;
    this.failures.clear();
  }

  /** Consumes one pending failure for the API, returning its error code. */
  take(apiKey: number): number | undefined {
    const list = this.failures.get(apiKey);
    const head = list?.[0];
    if (!list || !head) return undefined;
    head.remaining--;
    if (head.remaining <= 0) list.shift();
    return head.code;
  }
}
