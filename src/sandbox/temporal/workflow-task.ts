import { randomUUID } from 'node:crypto';
import { applyCommands, validateCommands } from './commands';
import type { Engine } from './engine';
import { serviceErrors } from './errors';
import type { Run } from './model';
import { continueAsNewSuggestion, refuseGrowth, terminateByServer } from './history/limits';
import { LimitMessages, failureSize, serverFailure } from './limits';
import { commandSizeViolation, exceedsLimit, violationReason } from './payload-limits';
import { CommandType, EventType, duration, encodedHistory, temporal, type Loose } from './proto';
import { dispatchQueuedQueries } from './queries';
import { decodeToken, encodeToken } from './tokens';
import { applyRejections, hasAdmittedUpdates, requeueDelivered, updateMessages } from './updates';

type CompleteRequest = temporal.api.workflowservice.v1.IRespondWorkflowTaskCompletedRequest;
type FailRequest = temporal.api.workflowservice.v1.IRespondWorkflowTaskFailedRequest;

const TERMINAL_COMMANDS = new Set<number>([
  CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
]);

/** Schedules a workflow task unless one is already scheduled or started, or the run is closed. */
export function scheduleWorkflowTask(engine: Engine, run: Run): void {
  if (run.status !== 'Running' || run.wft.state !== 'none') return;
  engine.append(run, {
    eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    workflowTaskScheduledEventAttributes: {
      taskQueue: { name: run.taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      startToCloseTimeout: duration(run.workflowTaskTimeoutMs),
      attempt: run.wft.attempt,
    },
  });
  offerWorkflowTask(engine, run);
}

/** Puts the run's scheduled task on its queue (also used after a restart). */
export function offerWorkflowTask(engine: Engine, run: Run): void {
  if (engine.restoring) return;
  run.wft.release?.();
  run.wft.release = engine.clock.lock();
  const { scheduledId, attempt } = run.wft;
  engine.workflowTasks.offer(run.namespace, run.taskQueue, (identity) => {
    if (run.status !== 'Running' || run.wft.state !== 'scheduled' || run.wft.scheduledId !== scheduledId) return undefined;
    if (refuseGrowth(engine, run, 1)) return undefined;
    const started = engine.append(run, {
      eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
      workflowTaskStartedEventAttributes: { scheduledEventId: scheduledId, identity, requestId: randomUUID(), ...continueAsNewSuggestion(engine, run) },
    });
    armWorkflowTaskTimeout(engine, run, engine.clock.now() + run.workflowTaskTimeoutMs);
    return {
      taskToken: encodeToken({ t: 'wft', ns: run.namespace, rid: run.runId, sid: scheduledId, attempt }),
      workflowExecution: { workflowId: run.workflowId, runId: run.runId },
      workflowType: { name: run.workflowType },
      previousStartedEventId: run.lastCompletedStartedId,
      startedEventId: Number(started.eventId),
      attempt,
      history: encodedHistory(run.eventBytes.slice()),
      nextPageToken: Buffer.alloc(0),
      workflowExecutionTaskQueue: { name: run.taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      scheduledTime: run.events[scheduledId - 1]?.eventTime,
      startedTime: started.eventTime,
      queries: {},
      messages: updateMessages(run, Number(started.eventId)),
    };
  });
}

/** Arms the start-to-close timeout of the started task (also used after a restart). */
export function armWorkflowTaskTimeout(engine: Engine, run: Run, at: number): void {
  run.wft.cancelTimeout?.();
  const { scheduledId, startedId } = run.wft;
  run.wft.cancelTimeout = engine.clock.setTimer(at, () => {
    if (run.status !== 'Running' || run.wft.state !== 'started' || run.wft.scheduledId !== scheduledId) return;
    engine.append(run, {
      eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
      workflowTaskTimedOutEventAttributes: {
        scheduledEventId: scheduledId,
        startedEventId: startedId,
        timeoutType: temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE,
      },
    });
    afterWorkflowTask(engine, run, true);
  });
}

/** The run whose started task the token names; NOT_FOUND when stale (as the real server). */
function runForToken(engine: Engine, raw: Uint8Array | null | undefined): Run {
  const token = decodeToken(raw);
  if (token.t !== 'wft') throw serviceErrors.invalidArgument('not a workflow task token');
  const run = engine.runs.get(token.rid);
  if (!run || run.status !== 'Running') throw serviceErrors.notFound('Workflow execution already completed.');
  if (run.wft.state !== 'started' || run.wft.scheduledId !== token.sid || run.wft.attempt !== token.attempt) {
    throw serviceErrors.notFound('Workflow task not found.');
  }
  return run;
}

/** RespondWorkflowTaskCompleted: writes the completion and one event per command. */
export function completeWorkflowTask(engine: Engine, req: CompleteRequest): Loose<temporal.api.workflowservice.v1.IRespondWorkflowTaskCompletedResponse> {
  const run = runForToken(engine, req.taskToken);
  const commands = req.commands ?? [];
  const terminalAt = commands.findIndex((c) => TERMINAL_COMMANDS.has(c.commandType ?? 0));
  if (terminalAt >= 0 && terminalAt !== commands.length - 1) {
    throw serviceErrors.invalidArgument('A workflow-closing command must be the last command.');
  }
  const messages = new Map((req.messages ?? []).map((m) => [m.id ?? '', m]));
  validateCommands(run, commands, messages);
  if (refuseOversizedCompletion(engine, run, req, messages.values())) return {};
  const { scheduledId, startedId } = run.wft;
  const firedTimers = new Set(run.buffered.map(({ event }) => event.timerFiredEventAttributes?.timerId).filter((id) => id != null));
  const cancelsFired = commands.some((c) => c.commandType === CommandType.COMMAND_TYPE_CANCEL_TIMER && firedTimers.has(c.cancelTimerCommandAttributes?.timerId ?? ''));
  if ((terminalAt >= 0 && run.buffered.length > 0) || cancelsFired) {
    // New events arrived while the worker decided to close (or to cancel a timer that has just
    // fired): make it look at them first.
    engine.append(run, {
      eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
      workflowTaskFailedEventAttributes: {
        scheduledEventId: scheduledId,
        startedEventId: startedId,
        cause: temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
        identity: req.identity,
      },
    });
    run.wft.attempt = 1;
    requeueDelivered(run);
    afterWorkflowTask(engine, run, true);
    throw serviceErrors.invalidArgument('UnhandledCommand: new events arrived while the workflow task was being processed.');
  }
  const completed = engine.append(run, {
    eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    workflowTaskCompletedEventAttributes: {
      scheduledEventId: scheduledId,
      startedEventId: startedId,
      identity: req.identity,
      binaryChecksum: req.binaryChecksum,
      sdkMetadata: req.sdkMetadata,
      meteringMetadata: req.meteringMetadata,
    },
  });
  const outcome = applyCommands(engine, run, commands, Number(completed.eventId), messages, req.identity ?? '');
  applyRejections(run, [...messages.values()]);
  requeueDelivered(run);
  const flushed = engine.flushBuffer(run);
  run.wft.cancelTimeout?.();
  for (const effect of outcome.effects) effect();
  if (flushed || req.forceCreateNewWorkflowTask || outcome.needsWorkflowTask || hasAdmittedUpdates(run)) scheduleWorkflowTask(engine, run);
  if (run.wft.state === 'none') releaseLock(run);
  dispatchQueuedQueries(engine, run);
  return { activityTasks: outcome.activityTasks };
}

/**
 * The size limits on a completion, before anything is written. A command carrying a blob over
 * the limit fails the task and terminates the run (true: the completion is answered with an
 * empty response, as the real server does); a completion that would take the history past its
 * hard limit terminates the run and is refused with INVALID_ARGUMENT.
 */
function refuseOversizedCompletion(engine: Engine, run: Run, req: CompleteRequest, messages: Iterable<Loose<temporal.api.protocol.v1.IMessage>>): boolean {
  const commands = req.commands ?? [];
  const violation = commandSizeViolation(engine, run, commands, messages);
  if (violation) {
    const reason = violationReason(violation);
    engine.logger.warn({ namespace: run.namespace, workflowId: run.workflowId, runId: run.runId, reason }, 'workflow task completion exceeds the blob size limit; terminating the workflow');
    requeueDelivered(run);
    terminateByServer(engine, run, reason, { cause: violation.cause, message: reason, identity: req.identity, flushBuffered: true });
    return true;
  }
  const { limits } = engine;
  const count = run.events.length + 1 + commands.length + run.buffered.length;
  const size = run.historySizeBytes + commands.reduce((n, c) => n + temporal.api.command.v1.Command.encode(c).finish().length, 0);
  const reason = size > limits.historySizeError ? LimitMessages.historySize : count > limits.historyCountError ? LimitMessages.historyCount : undefined;
  if (!reason) return false;
  engine.logger.warn({ namespace: run.namespace, workflowId: run.workflowId, runId: run.runId, historyCount: count, historySize: size }, `${reason} Terminating the workflow.`);
  requeueDelivered(run);
  terminateByServer(engine, run, reason, { cause: temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND });
  throw serviceErrors.invalidArgument(reason);
}

/** RespondWorkflowTaskFailed: records the failure and retries the task with attempt + 1. */
export function failWorkflowTask(engine: Engine, req: FailRequest): Loose<temporal.api.workflowservice.v1.IRespondWorkflowTaskFailedResponse> {
  const run = runForToken(engine, req.taskToken);
  if (exceedsLimit(engine, failureSize(req.failure), { namespace: run.namespace, workflowId: run.workflowId, runId: run.runId, operation: 'RespondWorkflowTaskFailed' })) {
    req = { ...req, failure: serverFailure(LimitMessages.failure, true) };
  }
  engine.append(run, {
    eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
    workflowTaskFailedEventAttributes: {
      scheduledEventId: run.wft.scheduledId,
      startedEventId: run.wft.startedId,
      cause: req.cause,
      failure: req.failure,
      identity: req.identity,
      binaryChecksum: req.binaryChecksum,
    },
  });
  afterWorkflowTask(engine, run, true);
  return {};
}

/** After a failed or timed-out task: flush what arrived meanwhile and schedule the retry. */
function afterWorkflowTask(engine: Engine, run: Run, retry: boolean): void {
  run.wft.cancelTimeout?.();
  requeueDelivered(run);
  engine.flushBuffer(run);
  if (retry) scheduleWorkflowTask(engine, run);
  if (run.wft.state === 'none') releaseLock(run);
  dispatchQueuedQueries(engine, run);
}

/** Drops the run's time-skipping lock. */
export function releaseLock(run: Run): void {
  run.wft.release?.();
  run.wft.release = undefined;
}
