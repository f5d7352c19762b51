import type { Engine } from '../engine';
import { closeWith } from '../lifecycle';
import { HISTORY_SERVICE_IDENTITY, LimitMessages, serverFailure } from '../limits';
import type { Run } from '../model';
import { EventType, temporal } from '../proto';

const Cause = temporal.api.enums.v1.WorkflowTaskFailedCause;

/**
 * Logs the history warn lines once per run and says whether a hard limit is crossed (the reason
 * is kept on the run). Called after every append.
 */
export function watchHistoryLimits(engine: Engine, run: Run): boolean {
  const { limits, logger } = engine;
  const count = run.events.length;
  const size = run.historySizeBytes;
  const state = run.historyLimits;
  if (!state.countWarned && count > limits.historyCountWarn) {
    state.countWarned = true;
    logger.warn({ namespace: run.namespace, workflowId: run.workflowId, runId: run.runId, historyCount: count, limit: limits.historyCountWarn }, 'history count exceeds warn limit.');
  }
  if (!state.sizeWarned && size > limits.historySizeWarn) {
    state.sizeWarned = true;
    logger.warn({ namespace: run.namespace, workflowId: run.workflowId, runId: run.runId, historySize: size, limit: limits.historySizeWarn }, 'history size exceeds warn limit.');
  }
  if (state.exceeded) return false;
  if (size > limits.historySizeError) state.exceeded = LimitMessages.historySize;
  else if (count > limits.historyCountError) state.exceeded = LimitMessages.historyCount;
  return state.exceeded !== undefined;
}

/**
 * Called before writing `events` more events that the run did not ask for (an activity outcome,
 * a signal, a workflow task start). The real server discards a transaction that would take the
 * history past its hard limit and terminates the run instead: true when that happened here.
 */
export function refuseGrowth(engine: Engine, run: Run, events: number): boolean {
  if (engine.restoring || run.status !== 'Running' || run.events.length + events <= engine.limits.historyCountError) return false;
  run.historyLimits.exceeded ??= LimitMessages.historyCount;
  enforceHistoryLimit(engine, run);
  return true;
}

/**
 * What the real server does to a run whose history is too long or too large: a started workflow
 * task fails with FORCE_CLOSE_COMMAND, then the run is terminated by the history service.
 */
export function enforceHistoryLimit(engine: Engine, run: Run): void {
  const reason = run.historyLimits.exceeded;
  if (!reason || run.status !== 'Running') return;
  engine.logger.warn({ namespace: run.namespace, workflowId: run.workflowId, runId: run.runId, historyCount: run.events.length, historySize: run.historySizeBytes }, `${reason} Terminating the workflow.`);
  terminateByServer(engine, run, reason, { cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND });
}

/**
 * Terminates a run on the server's own decision (identity `history-service`), failing the started
 * workflow task first with `cause` (and `message` as its server failure) as the real server does.
 */
export function terminateByServer(engine: Engine, run: Run, reason: string, wft: { cause: number; message?: string; identity?: string | null; flushBuffered?: boolean }): void {
  if (run.status !== 'Running') return;
  if (run.wft.state === 'started') {
    engine.append(run, {
      eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
      workflowTaskFailedEventAttributes: {
        scheduledEventId: run.wft.scheduledId,
        startedEventId: run.wft.startedId,
        cause: wft.cause,
        failure: wft.message ? serverFailure(wft.message, false) : undefined,
        identity: wft.identity ?? HISTORY_SERVICE_IDENTITY,
      },
    });
  }
  // A completion that terminates the run writes what arrived meanwhile first, as the real server.
  if (wft.flushBuffered) engine.flushBuffer(run);
  closeWith(engine, run, {
    eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
    workflowExecutionTerminatedEventAttributes: { reason, identity: HISTORY_SERVICE_IDENTITY },
  });
}

/**
 * `suggest_continue_as_new` and `history_size_bytes` for the WorkflowTaskStarted about to be
 * written (the real server measures the history before that event; its id is the count).
 */
export function continueAsNewSuggestion(engine: Engine, run: Run): { suggestContinueAsNew: boolean; historySizeBytes: number; suggestContinueAsNewReasons: number[] } {
  const Reason = temporal.api.enums.v1.SuggestContinueAsNewReason;
  const reasons: number[] = [];
  if (run.historySizeBytes >= engine.limits.historySizeSuggestContinueAsNew) reasons.push(Reason.SUGGEST_CONTINUE_AS_NEW_REASON_HISTORY_SIZE_TOO_LARGE);
  if (run.events.length + 1 >= engine.limits.historyCountSuggestContinueAsNew) reasons.push(Reason.SUGGEST_CONTINUE_AS_NEW_REASON_TOO_MANY_HISTORY_EVENTS);
  return { suggestContinueAsNew: reasons.length > 0, historySizeBytes: run.historySizeBytes, suggestContinueAsNewReasons: reasons };
}
