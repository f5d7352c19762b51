/** What the sandbox does instead of answering a call normally. */
export type InjectedFault =
  | { readonly kind: 'rate_limited'; readonly retryAfterSeconds: number }
  | { readonly kind: 'http_error'; readonly status: number };

/** Selects the calls a fault applies to: one Web API method, or `*` for all of them. */
export type MethodSelector = string;

interface Armed {
  readonly method: MethodSelector;
  remaining: number;
  readonly fault: InjectedFault;
}

/**
 * Fault hooks (design §4): rate-limit or fail the next N calls to a method, and add latency.
 * Faults are consumed in the order they were armed, so a test can script "429, then 503, then ok".
 */
export class FaultInjector {
  private readonly armed: Armed[] = [];
  private latency = 0;

  /** The next `calls` calls to `method` answer HTTP 429 with `Retry-After: retryAfterSeconds`. */
  rateLimit(method: MethodSelector, options: { calls?: number; retryAfterSeconds?: number } = {}): void {
    this.arm(method, options.calls ?? 1, { kind: 'rate_limited', retryAfterSeconds: options.retryAfterSeconds ?? 1 });
  }

  /** The next `calls` calls to `method` answer with an HTTP error status (5xx by default). */
  failNext(method: MethodSelector, options: { calls?: number; status?: number } = {}): void {
    this.arm(method, options.calls ?? 1, { kind: 'http_error', status: options.status ?? 503 });
  }

  /** Delay every Web API answer by this many milliseconds (0 turns it off). */
  setLatency(ms: number): void {
    this.latency = Math.max(0, ms);
  }

  get latencyMs(): number {
    return this.latency;
  }

  /** Removes every armed fault and the latency. */
  clear(): void {
    this.armed.length = 0;
    this.latency = 0;
  }

  /** Consumes the fault that applies to this call, if any. */
  take(method: string): InjectedFault | undefined {
    const i = this.armed.findIndex((a) => a.method === method || a.method === '*');
    if (i < 0) return undefined;
    const a = this.armed[i] as Armed;
    a.remaining -= 1;
    if (a.remaining <= 0) this.armed.splice(i, 1);
    return a.fault;
  }

  private arm(method: MethodSelector, calls: number, fault: InjectedFault): void {
    if (!Number.isInteger(calls) || calls < 1) throw new RangeError(`calls must be a positive integer, got ${calls}`);
    this.armed.push({ method, remaining: calls, fault });
  }
}
