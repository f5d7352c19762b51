import type { Engine } from './engine';
import { closeWith } from './lifecycle';
import type { Run } from './model';
import { EventType, type IPayloads, type temporal } from './proto';
import { scheduleWorkflowTask } from './workflow-task';

/** Writes WorkflowExecutionCancelRequested; the workflow decides how to end. Idempotent. */
export function requestCancelRun(
  engine: Engine,
  run: Run,
  opts: { identity?: string | null; reason?: string | null; externalInitiatedId?: number; externalExecution?: temporal.api.common.v1.IWorkflowExecution },
): void {
  if (run.status !== 'Running' || run.cancelRequested) return;
  // Marked at once so a second request while the first is buffered stays a no-op.
  run.cancelRequested = true;
  engine.addExternal(
    run,
    [{
      event: {
        eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
        workflowExecutionCancelRequestedEventAttributes: {
          cause: opts.reason ?? '',
          identity: opts.identity ?? '',
          externalInitiatedEventId: opts.externalInitiatedId,
          externalWorkflowExecution: opts.externalExecution,
        },
      },
    }],
    (r) => scheduleWorkflowTask(engine, r),
  );
}

/** Closes the run at once with WorkflowExecutionTerminated. */
export function terminateRun(engine: Engine, run: Run, reason: string, details?: IPayloads | null, identity?: string | null): void {
  closeWith(engine, run, {
    eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
    workflowExecutionTerminatedEventAttributes: { reason, details, identity: identity ?? '' },
  });
}
