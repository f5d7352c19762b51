import type { Engine } from './engine';
import { serviceErrors } from './errors';
import type { PendingActivity, Run } from './model';
import { EventType, RetryState, TimeoutType, duration, encodeMessage, millis, temporal, timestamp, type IFailure, type IHistoryEvent, type IPayloads, type Loose } from './proto';
import { decodeToken, encodeToken } from './tokens';
import { scheduleWorkflowTask } from './workflow-task';
import { decideRetry, retryPolicyProto } from './retry-policy';
import { LimitMessages, failureSize, payloadsSize, serverFailure } from './limits';
import { exceedsLimit } from './payload-limits';

/** Whether a blob an activity attempt sends is over the limit (logging above the warn line). */
function tooLarge(engine: Engine, run: Run, size: number, operation: string): boolean {
  return exceedsLimit(engine, size, { namespace: run.namespace, workflowId: run.workflowId, runId: run.runId, operation });
}

type WS = typeof temporal.api.workflowservice.v1;
type Req<K extends keyof WS> = WS[K] extends { create(p?: infer P): unknown } ? P : never;

const TIMEOUT_NAMES: Record<number, string> = {
  [TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START]: 'ScheduleToStart',
  [TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE]: 'StartToClose',
  [TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE]: 'ScheduleToClose',
  [TimeoutType.TIMEOUT_TYPE_HEARTBEAT]: 'Heartbeat',
};

/** Journals the attempt state so a restarted server resumes the activity where it was. */
export function journalActivity(engine: Engine, run: Run, act: PendingActivity, at: number): void {
  if (act.state === 'closing') return;
  engine.record({
    k: 'act', rid: run.runId, sid: act.scheduledId, attempt: act.attempt, state: act.state, at, identity: act.identity || undefined,
    hb: act.heartbeatDetails ? encodeMessage(temporal.api.common.v1.Payloads, temporal.api.common.v1.Payloads.fromObject(act.heartbeatDetails)) : undefined,
    lf: act.lastFailure ? encodeMessage(temporal.api.failure.v1.Failure, temporal.api.failure.v1.Failure.fromObject(act.lastFailure)) : undefined,
  });
}

/** An activity task as a poll (or an eager completion response) hands it out. */
export type EagerActivityTask = Loose<temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse>;

/**
 * Queues the current attempt of an activity for a worker, or with `eager`, starts it at once for
 * the worker completing the workflow task and adds the task to `eager.tasks`.
 */
export function dispatchActivity(engine: Engine, run: Run, scheduledId: number, eager?: { identity: string; tasks: EagerActivityTask[] }): void {
  const act = run.activities.get(scheduledId);
  if (!act || run.status !== 'Running' || engine.restoring) return;
  act.state = 'queued';
  act.attemptScheduledTime = engine.clock.now();
  journalActivity(engine, run, act, act.attemptScheduledTime);
  act.release?.();
  act.release = engine.clock.lock();
  armCloseTimeout(engine, run, act);
  const attempt = act.attempt;
  if (act.timeouts.scheduleToStart > 0 && (act.timeouts.scheduleToClose === 0 || act.timeouts.scheduleToStart < act.timeouts.scheduleToClose)) {
    act.cancels.push(engine.clock.setTimer(act.attemptScheduledTime + act.timeouts.scheduleToStart, () => {
      if (act.state === 'queued' && act.attempt === attempt) finish(engine, run, act, timedOut(act, TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START, RetryState.RETRY_STATE_TIMEOUT), false);
    }));
  }
  const take = (identity: string): EagerActivityTask | undefined => {
    if (run.status !== 'Running' || run.activities.get(scheduledId) !== act || act.state !== 'queued' || act.attempt !== attempt) return undefined;
    act.state = 'started';
    act.identity = identity;
    act.startedTime = engine.clock.now();
    act.lastHeartbeatTime = act.startedTime;
    journalActivity(engine, run, act, act.startedTime);
    armAttemptTimeouts(engine, run, act);
    return {
      taskToken: encodeToken({ t: 'act', ns: run.namespace, rid: run.runId, sid: scheduledId, attempt }),
      workflowNamespace: run.namespace,
      workflowType: { name: run.workflowType },
      workflowExecution: { workflowId: run.workflowId, runId: run.runId },
      activityType: { name: act.activityType },
      activityId: act.activityId,
      header: act.header,
      input: act.input,
      heartbeatDetails: act.heartbeatDetails,
      scheduledTime: timestamp(act.scheduledTime),
      currentAttemptScheduledTime: timestamp(act.attemptScheduledTime),
      startedTime: timestamp(act.startedTime),
      attempt,
      scheduleToCloseTimeout: duration(act.timeouts.scheduleToClose),
      startToCloseTimeout: duration(act.timeouts.startToClose),
      heartbeatTimeout: duration(act.timeouts.heartbeat),
      retryPolicy: retryPolicyProto(act.retryPolicy),
    };
  };
  const task = eager ? take(eager.identity) : undefined;
  if (task) eager!.tasks.push(task);
  else engine.activityTasks.offer(run.namespace, act.taskQueue, take);
}

/** Arms start-to-close and heartbeat timeouts of a started attempt (also after a restart). */
export function armAttemptTimeouts(engine: Engine, run: Run, act: PendingActivity): void {
  const attempt = act.attempt;
  if (act.timeouts.startToClose > 0) {
    act.cancels.push(engine.clock.setTimer(act.startedTime + act.timeouts.startToClose, () => {
      if (act.state === 'started' && act.attempt === attempt) retryOrFail(engine, run, act, timeoutFailure(act, TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE));
    }));
  }
  armHeartbeatTimeout(engine, run, act);
}

function armHeartbeatTimeout(engine: Engine, run: Run, act: PendingActivity): void {
  if (act.timeouts.heartbeat <= 0) return;
  const attempt = act.attempt;
  const seen = act.lastHeartbeatTime;
  act.cancels.push(engine.clock.setTimer(seen + act.timeouts.heartbeat, () => {
    if (act.state === 'started' && act.attempt === attempt && act.lastHeartbeatTime === seen) {
      retryOrFail(engine, run, act, timeoutFailure(act, TimeoutType.TIMEOUT_TYPE_HEARTBEAT));
    }
  }));
}

/** Arms the schedule-to-close timeout, which spans every attempt. */
export function armCloseTimeout(engine: Engine, run: Run, act: PendingActivity): void {
  if (act.closeTimerCancel || act.timeouts.scheduleToClose <= 0) return;
  act.closeTimerCancel = engine.clock.setTimer(act.scheduledTime + act.timeouts.scheduleToClose, () => {
    if (act.state === 'closing' || run.activities.get(act.scheduledId) !== act) return;
    finish(engine, run, act, timedOut(act, TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE, RetryState.RETRY_STATE_TIMEOUT), act.state === 'started');
  });
}

/** Stops every server timer and lock of an activity. */
export function cancelActivityTimers(act: PendingActivity): void {
  for (const c of act.cancels.splice(0)) c();
  act.closeTimerCancel?.();
  act.closeTimerCancel = undefined;
  act.release?.();
  act.release = undefined;
}

function timeoutFailure(act: PendingActivity, type: number): IFailure {
  return {
    message: `activity ${TIMEOUT_NAMES[type] ?? 'unknown'} timeout`,
    source: 'Server',
    timeoutFailureInfo: { timeoutType: type, lastHeartbeatDetails: act.heartbeatDetails },
    cause: act.lastFailure ?? undefined,
  };
}

function timedOut(act: PendingActivity, type: number, retryState: number): IHistoryEvent {
  return {
    eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
    activityTaskTimedOutEventAttributes: { failure: timeoutFailure(act, type), scheduledEventId: act.scheduledId, retryState },
  };
}

/**
 * Writes the activity's final outcome. The deferred ActivityTaskStarted goes first when the
 * attempt had started, and the outcome points at it.
 */
function finish(engine: Engine, run: Run, act: PendingActivity, outcome: IHistoryEvent, started: boolean): void {
  cancelActivityTimers(act);
  act.state = 'closing';
  const items: Array<{ event: IHistoryEvent; linkStarted?: boolean }> = [];
  if (started) {
    items.push({
      event: {
        eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED,
        activityTaskStartedEventAttributes: { scheduledEventId: act.scheduledId, identity: act.identity, attempt: act.attempt, lastFailure: act.lastFailure, requestId: `${act.scheduledId}-${act.attempt}` },
      },
    });
  }
  items.push({ event: outcome, linkStarted: started });
  engine.addExternal(run, items, (r) => scheduleWorkflowTask(engine, r));
}

/** Applies the retry policy to a failed or timed-out attempt (wire notes §4). */
function retryOrFail(engine: Engine, run: Run, act: PendingActivity, failure: IFailure, nextRetryDelayMs = 0): void {
  const isTimeout = !!failure.timeoutFailureInfo;
  const final = (retryState: number): void => {
    const event: IHistoryEvent = isTimeout
      ? { eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT, activityTaskTimedOutEventAttributes: { failure, scheduledEventId: act.scheduledId, retryState } }
      : { eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED, activityTaskFailedEventAttributes: { failure, scheduledEventId: act.scheduledId, retryState, identity: act.identity } };
    finish(engine, run, act, event, true);
  };
  const now = engine.clock.now();
  const decision = decideRetry(act.retryPolicy, {
    attempt: act.attempt,
    failure,
    nextRetryDelayMs,
    nowMs: now,
    deadlineMs: act.timeouts.scheduleToClose > 0 ? act.scheduledTime + act.timeouts.scheduleToClose : 0,
    cancelRequested: act.cancelRequestedId > 0,
  });
  if ('retryState' in decision) return final(decision.retryState);
  const delay = decision.delayMs;
  // A retry writes no history: the next attempt simply runs after the backoff.
  for (const c of act.cancels.splice(0)) c();
  act.release?.();
  act.release = undefined;
  act.state = 'backoff';
  act.lastFailure = failure;
  act.attempt += 1;
  journalActivity(engine, run, act, now + delay);
  scheduleRetry(engine, run, act, now + delay);
}

/** Re-dispatches an activity in backoff at `at` (also after a restart). */
export function scheduleRetry(engine: Engine, run: Run, act: PendingActivity, at: number): void {
  const attempt = act.attempt;
  act.cancels.push(engine.clock.setTimer(at, () => {
    if (act.state === 'backoff' && act.attempt === attempt) dispatchActivity(engine, run, act.scheduledId);
  }));
}

/**
 * Handles RequestCancelActivityTask. Returns true when the activity had not started and was
 * cancelled on the spot (the workflow then needs a new task to see ActivityTaskCanceled).
 */
export function requestActivityCancel(engine: Engine, run: Run, scheduledId: number): boolean {
  const act = run.activities.get(scheduledId);
  if (!act || act.state === 'started' || act.state === 'closing') return false;
  cancelActivityTimers(act);
  act.state = 'closing';
  engine.append(run, {
    eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
    activityTaskCanceledEventAttributes: { scheduledEventId: scheduledId, latestCancelRequestedEventId: act.cancelRequestedId },
  });
  return true;
}

/** The started attempt a token names; NOT_FOUND when stale, as the real server answers. */
function attemptForToken(engine: Engine, raw: Uint8Array | null | undefined): { run: Run; act: PendingActivity } {
  const token = decodeToken(raw);
  if (token.t !== 'act') throw serviceErrors.invalidArgument('not an activity task token');
  const run = engine.runs.get(token.rid);
  if (!run || run.status !== 'Running') throw serviceErrors.notFound('workflow execution already completed');
  const act = run.activities.get(token.sid);
  if (!act || act.attempt !== token.attempt || act.state !== 'started') throw serviceErrors.notFound('activity task not found');
  return { run, act };
}

/** The token of the running attempt of an activity named by workflow and activity id (the `…ById` calls). */
export function tokenForActivityId(engine: Engine, namespace: string, workflowId?: string | null, runId?: string | null, activityId?: string | null): Uint8Array {
  if (!activityId) throw serviceErrors.invalidArgument('ActivityId is not set on request.');
  const run = engine.findRun(namespace, workflowId, runId);
  const act = [...run.activities.values()].find((a) => a.activityId === activityId && a.state === 'started');
  if (!act) throw serviceErrors.notFound(`activity ${activityId} is not running`);
  return encodeToken({ t: 'act', ns: namespace, rid: run.runId, sid: act.scheduledId, attempt: act.attempt });
}

/** RespondActivityTaskCompleted. */
export function completeActivity(engine: Engine, req: Req<'RespondActivityTaskCompletedRequest'>): object {
  const { run, act } = attemptForToken(engine, req.taskToken);
  if (tooLarge(engine, run, payloadsSize(req.result), 'RespondActivityTaskCompleted')) {
    // The real frontend records an oversized result as a non-retryable server failure.
    retryOrFail(engine, run, act, serverFailure(LimitMessages.completeResult, true));
    return {};
  }
  finish(engine, run, act, { eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, activityTaskCompletedEventAttributes: { result: req.result, scheduledEventId: act.scheduledId, identity: req.identity } }, true);
  return {};
}

/** RespondActivityTaskFailed: retried per policy or written as the final failure. */
export function failActivity(engine: Engine, req: Req<'RespondActivityTaskFailedRequest'>): object {
  const { run, act } = attemptForToken(engine, req.taskToken);
  const failures: IFailure[] = [];
  if (tooLarge(engine, run, payloadsSize(req.lastHeartbeatDetails), 'RespondActivityTaskFailed')) failures.push(serverFailure(LimitMessages.heartbeat, true));
  else if (req.lastHeartbeatDetails?.payloads?.length) act.heartbeatDetails = req.lastHeartbeatDetails;
  let failure: IFailure = req.failure ?? { message: 'activity failed' };
  if (tooLarge(engine, run, failureSize(req.failure), 'RespondActivityTaskFailed')) failure = serverFailure(LimitMessages.failure, true);
  retryOrFail(engine, run, act, failure, millis(failure.applicationFailureInfo?.nextRetryDelay));
  return { failures };
}

/** RespondActivityTaskCanceled. */
export function cancelActivity(engine: Engine, req: Req<'RespondActivityTaskCanceledRequest'>): object {
  const { run, act } = attemptForToken(engine, req.taskToken);
  if (tooLarge(engine, run, payloadsSize(req.details), 'RespondActivityTaskCanceled')) {
    retryOrFail(engine, run, act, serverFailure(LimitMessages.cancelDetails, true));
    return {};
  }
  finish(engine, run, act, {
    eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
    activityTaskCanceledEventAttributes: { details: req.details, scheduledEventId: act.scheduledId, latestCancelRequestedEventId: act.cancelRequestedId, identity: req.identity },
  }, true);
  return {};
}

/** RecordActivityTaskHeartbeat: keeps the details for the next attempt and reports cancellation. */
export function heartbeatActivity(engine: Engine, req: Req<'RecordActivityTaskHeartbeatRequest'>): Loose<temporal.api.workflowservice.v1.IRecordActivityTaskHeartbeatResponse> {
  const { run, act } = attemptForToken(engine, req.taskToken);
  if (tooLarge(engine, run, payloadsSize(req.details as IPayloads | null | undefined), 'RecordActivityTaskHeartbeat')) {
    // Fails the attempt and tells the worker to stop it, as the real frontend does.
    retryOrFail(engine, run, act, serverFailure(LimitMessages.heartbeat, true));
    return { cancelRequested: true, activityPaused: false, activityReset: false };
  }
  act.heartbeatDetails = (req.details as IPayloads | null | undefined) ?? act.heartbeatDetails;
  act.lastHeartbeatTime = engine.clock.now();
  journalActivity(engine, run, act, act.startedTime);
  armHeartbeatTimeout(engine, run, act);
  return { cancelRequested: act.cancelRequestedId > 0, activityPaused: false, activityReset: false };
}
