import { duration, millis, RetryState, type IFailure, type IRetryPolicy } from './proto';

/** A retry policy with the server's defaults applied, intervals in milliseconds. */
export interface RetryPolicyMs {
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  /** 0 means unlimited. */
  maximumAttempts: number;
  nonRetryableErrorTypes: string[];
}

/**
 * The policy the server enforces for what the SDK sent: Temporal's defaults (initial 1 s,
 * coefficient 2, maximum 100 × initial, unlimited attempts; jts `StateMachines`) fill every field
 * left unset. Activities and workflow runs share these rules, so they live here once.
 */
export function effectiveRetryPolicy(rp: IRetryPolicy | null | undefined): RetryPolicyMs {
  const initialIntervalMs = millis(rp?.initialInterval) || 1000;
  return {
    initialIntervalMs,
    backoffCoefficient: rp?.backoffCoefficient || 2,
    maximumIntervalMs: millis(rp?.maximumInterval) || 100 * initialIntervalMs,
    maximumAttempts: rp?.maximumAttempts ?? 0,
    nonRetryableErrorTypes: rp?.nonRetryableErrorTypes ?? [],
  };
}

/** The effective policy as history records it (`ActivityTaskScheduled`, activity tasks). */
export function retryPolicyProto(p: RetryPolicyMs): IRetryPolicy {
  return {
    initialInterval: duration(p.initialIntervalMs),
    backoffCoefficient: p.backoffCoefficient,
    maximumInterval: duration(p.maximumIntervalMs),
    maximumAttempts: p.maximumAttempts,
    nonRetryableErrorTypes: p.nonRetryableErrorTypes,
  };
}

/** What {@link decideRetry} needs to know about the attempt that just failed. */
export interface FailedAttempt {
  /** 1-based number of the attempt that failed. */
  attempt: number;
  failure: IFailure | null | undefined;
  /** The failure's own `next_retry_delay`, in ms; 0 when it set none. */
  nextRetryDelayMs: number;
  nowMs: number;
  /** No attempt may start at or after this instant (schedule-to-close, execution timeout); 0 = none. */
  deadlineMs: number;
  /** An activity whose cancellation was requested is not retried. */
  cancelRequested?: boolean;
}

/**
 * Retry or give up (wire notes §4, jts `TestServiceRetryState`): a non-retryable failure, a
 * requested cancellation, spent attempts or a backoff past the deadline end it with the retry
 * state to record; otherwise the next attempt starts after the backoff.
 */
export function decideRetry(p: RetryPolicyMs, a: FailedAttempt): { delayMs: number } | { retryState: number } {
  const app = a.failure?.applicationFailureInfo;
  if (app?.nonRetryable || (app?.type && p.nonRetryableErrorTypes.includes(app.type))) return { retryState: RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE };
  // The server's own failures (e.g. a result over the size limit) say whether they may be retried.
  if (a.failure?.serverFailureInfo?.nonRetryable) return { retryState: RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE };
  if (a.cancelRequested) return { retryState: RetryState.RETRY_STATE_CANCEL_REQUESTED };
  if (p.maximumAttempts > 0 && a.attempt >= p.maximumAttempts) return { retryState: RetryState.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED };
  const delayMs = a.nextRetryDelayMs || Math.min(p.initialIntervalMs * p.backoffCoefficient ** (a.attempt - 1), p.maximumIntervalMs);
  if (a.deadlineMs > 0 && a.nowMs + delayMs >= a.deadlineMs) return { retryState: RetryState.RETRY_STATE_TIMEOUT };
  return { delayMs };
}
