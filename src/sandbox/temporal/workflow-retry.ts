import { randomUUID } from 'node:crypto';
import type { Engine } from './engine';
import { onRunClosed, startRun } from './lifecycle';
import type { Run } from './model';
import { decideRetry, effectiveRetryPolicy } from './retry-policy';
import { EventType, duration, millis, temporal, type IFailure } from './proto';

const RetryState = temporal.api.enums.v1.RetryState;

/**
 * Applies the workflow's retry policy to a failure: the backoff before the next attempt, or the
 * retry state to record when there is none (no policy, non-retryable, attempts or time used up).
 */
export function workflowRetry(engine: Engine, run: Run, failure: IFailure | null | undefined): { delayMs: number } | { retryState: number } {
  const started = run.events[0]?.workflowExecutionStartedEventAttributes;
  const p = started?.retryPolicy;
  if (!p) return { retryState: RetryState.RETRY_STATE_RETRY_POLICY_NOT_SET };
  return decideRetry(effectiveRetryPolicy(p), {
    attempt: started.attempt || 1,
    failure,
    nextRetryDelayMs: millis(failure?.applicationFailureInfo?.nextRetryDelay),
    nowMs: engine.clock.now(),
    deadlineMs: millis(started.workflowExecutionExpirationTime),
  });
}

/** Closes the run as failed-and-retrying and returns the effect that starts the next attempt. */
export function failAndRetry(engine: Engine, run: Run, failure: IFailure | null | undefined, completedId: number, delayMs: number): () => void {
  const started = run.events[0]?.workflowExecutionStartedEventAttributes ?? {};
  const newRunId = randomUUID();
  engine.append(run, {
    eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
    workflowExecutionFailedEventAttributes: { failure, retryState: RetryState.RETRY_STATE_IN_PROGRESS, workflowTaskCompletedEventId: completedId, newExecutionRunId: newRunId },
  });
  return () => {
    onRunClosed(engine, run);
    startRun(engine, {
      namespace: run.namespace,
      workflowId: run.workflowId,
      runId: newRunId,
      firstTaskDelayMs: delayMs,
      attributes: {
        ...started,
        attempt: (started.attempt || 1) + 1,
        continuedExecutionRunId: run.runId,
        continuedFailure: failure,
        initiator: temporal.api.enums.v1.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_RETRY,
        firstWorkflowTaskBackoff: duration(delayMs),
        memo: { fields: run.memo },
        searchAttributes: { indexedFields: run.searchAttributes },
        originalExecutionRunId: undefined,
      },
    });
  };
}

/** True when the run closed failed but a retry run continues the execution. */
export function isRetried(run: Run): boolean {
  return !!run.events[run.events.length - 1]?.workflowExecutionFailedEventAttributes?.newExecutionRunId;
}
