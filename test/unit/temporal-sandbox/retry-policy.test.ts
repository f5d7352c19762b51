import { describe, expect, it } from 'vitest';
import { RetryState } from '../../../src/sandbox/temporal/proto';
import { decideRetry, effectiveRetryPolicy } from '../../../src/sandbox/temporal/retry-policy';

const attempt = (n: number, extra: Partial<Parameters<typeof decideRetry>[1]> = {}) => ({ attempt: n, failure: undefined, nextRetryDelayMs: 0, nowMs: 0, deadlineMs: 0, ...extra });

describe('retry policy', () => {
  it("fills Temporal's defaults: 1 s, ×2, 100 × initial, unlimited", () => {
    expect(effectiveRetryPolicy(undefined)).toEqual({ initialIntervalMs: 1000, backoffCoefficient: 2, maximumIntervalMs: 100_000, maximumAttempts: 0, nonRetryableErrorTypes: [] });
    expect(effectiveRetryPolicy({ initialInterval: { seconds: 2 } }).maximumIntervalMs).toBe(200_000);
  });

  it('backs off exponentially up to the maximum interval, or by the failure’s own delay', () => {
    const p = effectiveRetryPolicy({ initialInterval: { seconds: 1 }, maximumInterval: { seconds: 5 } });
    expect([1, 2, 3, 4].map((n) => decideRetry(p, attempt(n)))).toEqual([{ delayMs: 1000 }, { delayMs: 2000 }, { delayMs: 4000 }, { delayMs: 5000 }]);
    expect(decideRetry(p, attempt(3, { nextRetryDelayMs: 250 }))).toEqual({ delayMs: 250 });
  });

  it('ends on a non-retryable failure before anything else, then cancellation, then spent attempts, then the deadline', () => {
    const p = effectiveRetryPolicy({ maximumAttempts: 2, nonRetryableErrorTypes: ['Fatal'] });
    const fatal = { applicationFailureInfo: { type: 'Fatal' } };
    expect(decideRetry(p, attempt(2, { failure: fatal, cancelRequested: true }))).toEqual({ retryState: RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE });
    expect(decideRetry(p, attempt(2, { cancelRequested: true }))).toEqual({ retryState: RetryState.RETRY_STATE_CANCEL_REQUESTED });
    expect(decideRetry(p, attempt(2))).toEqual({ retryState: RetryState.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED });
    expect(decideRetry(p, attempt(1, { nowMs: 100, deadlineMs: 1100 }))).toEqual({ retryState: RetryState.RETRY_STATE_TIMEOUT });
    expect(decideRetry(p, attempt(1, { nowMs: 100, deadlineMs: 1101 }))).toEqual({ delayMs: 1000 });
  });
});
