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
import { rememberSticky, scheduledTaskQueue, stickyQueueKey, stickyTarget } from './sticky';
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
      taskQueue: scheduledTaskQueue(run, stickyTarget(engine, run)),
      startToCloseTimeout: duration(run.workflowTaskTimeoutMs),
      attempt: run.wft.attempt,
    },
  });
  offerWorkflowTask(engine, run);
}

/**
 * Puts the run's scheduled task on its queue (also used after a restart): the worker's sticky
 * queue while the run is sticky, else the normal queue. A sticky task nobody takes within the
 * schedule-to-start timeout (wall time: it waits for a worker, not for workflow time) moves to the
 * normal queue.
 */
export function offerWorkflowTask(engine: Engine, run: Run): void {
  if (engine.restoring) return;
  run.wft.release?.();
  run.wft.release = engine.clock.lock();
  const { scheduledId } = run.wft;
  const sticky = run.sticky;
  const isCurrent = (): boolean => run.status === 'Running' && run.wft.state === 'scheduled' && run.wft.scheduledId === scheduledId && run.sticky === sticky;
  const queue = sticky ? stickyQueueKey(sticky.name) : run.taskQueue;
  engine.workflowTasks.offer(run.namespace, queue, (identity) => (isCurrent() ? startWorkflowTask(engine, run, identity) : undefined));
  if (!sticky) return;
  setTimeout(() => {
    if (!isCurrent() || engine.closing) return;
    run.sticky = undefined;
    offerWorkflowTask(engine, run);
  }, sticky.scheduleToStartMs).unref();
}

/**
 * Starts the run's scheduled task for a worker and builds what it is sent: on a sticky queue only
 * the events after the last completed task (the worker holds the rest), else the whole history.
 * Undefined when the history limit refuses the start.
 */
function startWorkflowTask(engine: Engine, run: Run, identity: string): Loose<temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse> | undefined {
  const { scheduledId, attempt } = run.wft;
  if (refuseGrowth(engine, run, 1)) return undefined;
  const started = engine.append(run, {
    eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    workflowTaskStartedEventAttributes: { scheduledEventId: scheduledId, identity, requestId: randomUUID(), ...continueAsNewSuggestion(engine, run) },
  });
  armWorkflowTaskTimeout(engine, run, engine.clock.now() + run.workflowTaskTimeoutMs);
  const partial = run.sticky !== undefined && run.lastCompletedStartedId > 0;
  return {
    taskToken: encodeToken({ t: 'wft', ns: run.namespace, rid: run.runId, sid: scheduledId, attempt }),
    workflowExecution: { workflowId: run.workflowId, runId: run.runId },
    workflowType: { name: run.workflowType },
    previousStartedEventId: run.lastCompletedStartedId,
    startedEventId: Number(started.eventId),
    attempt,
    history: encodedHistory(partial ? run.eventBytes.slice(run.lastCompletedStartedId) : run.eventBytes.slice()),
    nextPageToken: Buffer.alloc(0),
    workflowExecutionTaskQueue: { name: run.taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    scheduledTime: run.events[scheduledId - 1]?.eventTime,
    startedTime: started.eventTime,
    queries: {},
    messages: updateMessages(run, Number(started.eventId)),
  };
}

/**
 * The next task of a sticky run, scheduled and started at once for the worker that completes the
 * current one and asked for it (`return_new_workflow_task`): it goes back in the completion's
 * response, as from the real server, instead of through a poll. Events that arrived during the
 * task are its usual cause. Falls back to the queue if the history limit refuses the start.
 */
function scheduleInResponse(engine: Engine, run: Run, identity: string): ReturnType<typeof startWorkflowTask> {
  if (run.status !== 'Running' || run.wft.state !== 'none') return undefined;
  engine.append(run, {
    eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    workflowTaskScheduledEventAttributes: { taskQueue: scheduledTaskQueue(run, run.sticky), startToCloseTimeout: duration(run.workflowTaskTimeoutMs), attempt: run.wft.attempt },
  });
  run.wft.release?.();
  run.wft.release = engine.clock.lock();
  const task = startWorkflowTask(engine, run, identity);
  if (!task && (run.wft.state as string) === 'scheduled') offerWorkflowTask(engine, run);
  return task;
}

/**
 * Ends the run's stickiness (ResetStickyTaskQueue, the sticky worker's shutdown); a task waiting on
 * the sticky queue moves to the normal queue with the whole history.
 */
export function dropSticky(engine: Engine, run: Run): void {
  if (!run.sticky) return;
  run.sticky = undefined;
  if (run.status === 'Running' && run.wft.state === 'scheduled') offerWorkflowTask(engine, run);
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
  // The next task goes to the worker's sticky queue if it named one (see sticky.ts).
  rememberSticky(run, req.stickyAttributes);
  const outcome = applyCommands(engine, run, commands, Number(completed.eventId), messages, req.identity ?? '');
  applyRejections(run, [...messages.values()]);
  requeueDelivered(run);
  const flushed = engine.flushBuffer(run);
  run.wft.cancelTimeout?.();
  for (const effect of outcome.effects) effect();
  let workflowTask: ReturnType<typeof startWorkflowTask>;
  if (flushed || req.forceCreateNewWorkflowTask || outcome.needsWorkflowTask || hasAdmittedUpdates(run)) {
    if (req.returnNewWorkflowTask && run.sticky) workflowTask = scheduleInResponse(engine, run, req.identity ?? '');
    else scheduleWorkflowTask(engine, run);
  }
  if (run.wft.state === 'none') releaseLock(run);
  dispatchQueuedQueries(engine, run);
  return workflowTask ? { activityTasks: outcome.activityTasks, workflowTask } : { activityTasks: outcome.activityTasks };
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

/**
 * After a failed or timed-out task: flush what arrived meanwhile and schedule the retry, on the
 * normal queue with the whole history (the worker may have lost the run, as the real server assumes).
 */
function afterWorkflowTask(engine: Engine, run: Run, retry: boolean): void {
  run.wft.cancelTimeout?.();
  run.sticky = undefined;
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
