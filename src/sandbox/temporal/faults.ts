import { setTimeout as sleep } from 'node:timers/promises';
import { TemporalServiceError, type GrpcStatus } from './errors';

/** Fault hooks for tests: fail or slow down named RPCs (e.g. `PollActivityTaskQueue`, or `*`). */
export class FaultInjector {
  private readonly failures = new Map<string, { remaining: number; code: GrpcStatus; message: string }>();
  private readonly latency = new Map<string, number>();

  /** The next `count` calls of `rpc` fail with `code`. */
  failNext(rpc: string, count: number, code: GrpcStatus, message = 'injected fault'): void {
    this.failures.set(rpc, { remaining: count, code, message });
  }

  /** Adds `ms` of latency before every call of `rpc` (`*` for all); 0 removes it. */
  addLatency(rpc: string, ms: number): void {
    if (ms > 0) this.latency.set(rpc, ms);
    else this.latency.delete(rpc);
  }

  /** Removes every fault. */
  clear(): void {
    this.failures.clear();
    this.latency.clear();
  }

  /** Applied by the server before dispatching `rpc`. */
  async before(rpc: string): Promise<void> {
    const delay = this.latency.get(rpc) ?? this.latency.get('*') ?? 0;
    if (delay > 0) await sleep(delay);
    const failure = this.failures.get(rpc) ?? this.failures.get('*');
    if (failure && failure.remaining > 0) {
      failure.remaining--;
      throw new TemporalServiceError(failure.code, failure.message);
    }
  }
}
