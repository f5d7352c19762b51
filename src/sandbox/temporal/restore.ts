import { armAttemptTimeouts, armCloseTimeout, dispatchActivity, scheduleRetry } from './activity-task';
import { startChild } from './children';
import type { Engine } from './engine';
import type { JournalRecord } from './journal';
import { armRunTimeout, newRun, scheduleFirstWorkflowTask } from './lifecycle';
import { decodeEvent, EventType, millis, temporal } from './proto';
import type { SearchAttributeTypeName } from './search-attributes';
import { armTimer } from './timers';
import { armWorkflowTaskTimeout, offerWorkflowTask } from './workflow-task';

type ActRecord = Extract<JournalRecord, { k: 'act' }>;

/**
 * Rebuilds the engine from journal records, then re-arms what was pending: workflow tasks,
 * timers, activity attempts (in flight ones keep their token, so a worker that finishes them
 * after the restart still completes them; the server timeouts retry them otherwise), run timeouts.
 * Returns the schedule records for the schedule manager, and the clock offset last journaled.
 */
export function restoreFromJournal(engine: Engine, records: readonly JournalRecord[]): { schedules: unknown[]; clockOffset?: number } {
  const schedules: unknown[] = [];
  const activities = new Map<string, ActRecord>();
  let clockOffset: number | undefined;
  engine.restoring = true;
  try {
    for (const rec of records) {
      switch (rec.k) {
        case 'ns':
          engine.namespace(rec.name).id = rec.id;
          break;
        case 'sa':
          try {
            engine.namespace(rec.ns).searchAttributes.add(rec.name, rec.type as SearchAttributeTypeName);
          } catch {
            // Already known with this or another type: the registry keeps the first.
          }
          break;
        case 'saRemove':
          try {
            engine.namespace(rec.ns).searchAttributes.remove(rec.name);
          } catch {
            // Never registered in this journal: nothing to undo.
          }
          break;
        case 'ev': {
          const event = decodeEvent(rec.e);
          let run = engine.runs.get(rec.rid);
          if (!run) {
            if (event.eventType !== EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED) continue;
            run = newRun(rec.ns, rec.wid, rec.rid, event.workflowExecutionStartedEventAttributes ?? {});
          }
          if (rec.req) run.requestIds.add(rec.req);
          engine.append(run, event);
          break;
        }
        case 'buf': {
          const run = engine.runs.get(rec.rid);
          run?.buffered.push({ event: decodeEvent(rec.e), linkStarted: rec.link });
          break;
        }
        case 'unbuf': {
          const run = engine.runs.get(rec.rid);
          if (run) run.buffered = [];
          break;
        }
        case 'act':
          activities.set(`${rec.rid}/${rec.sid}`, rec);
          break;
        case 'clock':
          clockOffset = rec.offset;
          break;
        case 'sched':
          schedules.push(rec.r);
          break;
      }
    }
  } finally {
    engine.restoring = false;
  }
  for (const run of engine.runs.values()) {
    if (run.status !== 'Running') continue;
    armRunTimeout(engine, run);
    if (run.wft.state === 'scheduled') offerWorkflowTask(engine, run);
    // A retry run still in its backoff: nothing but Started (and maybe a signal) is written yet.
    if (run.wft.state === 'none' && !run.events.some((e) => e.workflowTaskScheduledEventAttributes)) scheduleFirstWorkflowTask(engine, run);
    if (run.wft.state === 'started') {
      run.wft.release = engine.clock.lock();
      const startedAt = millis(run.events[run.wft.startedId - 1]?.eventTime);
      armWorkflowTaskTimeout(engine, run, startedAt + run.workflowTaskTimeoutMs);
    }
    for (const [timerId, timer] of run.timers) {
      const attrs = run.events[timer.startedId - 1];
      armTimer(engine, run, timerId, millis(attrs?.eventTime) + millis(attrs?.timerStartedEventAttributes?.startToFireTimeout));
    }
    const resolved = new Set(run.buffered.map(({ event }) => Number(activityOutcomeScheduledId(event))));
    for (const act of run.activities.values()) {
      if (resolved.has(act.scheduledId)) {
        // Its outcome is already buffered: the attempt is over.
        act.state = 'closing';
        continue;
      }
      const rec = activities.get(`${run.runId}/${act.scheduledId}`);
      if (rec) {
        act.attempt = rec.attempt;
        act.identity = rec.identity ?? '';
        if (rec.hb) act.heartbeatDetails = temporal.api.common.v1.Payloads.decode(Buffer.from(rec.hb, 'base64'));
        if (rec.lf) act.lastFailure = temporal.api.failure.v1.Failure.decode(Buffer.from(rec.lf, 'base64'));
      }
      if (act.cancelRequestedId > 0 && rec?.state !== 'started') continue;
      if (rec?.state === 'started') {
        act.state = 'started';
        act.startedTime = rec.at;
        act.lastHeartbeatTime = engine.clock.now();
        act.release = engine.clock.lock();
        armCloseTimeout(engine, run, act);
        armAttemptTimeouts(engine, run, act);
      } else if (rec?.state === 'backoff') {
        act.state = 'backoff';
        armCloseTimeout(engine, run, act);
        scheduleRetry(engine, run, act, rec.at);
      } else {
        dispatchActivity(engine, run, act.scheduledId);
      }
    }
    for (const child of run.children.values()) {
      // The child start was decided but the server died before it happened.
      if (!child.runId && !engine.currentRun(child.namespace, child.workflowId)?.parent) startChild(engine, run, child.initiatedId);
    }
  }
  return { schedules, clockOffset };
}

function activityOutcomeScheduledId(event: ReturnType<typeof decodeEvent>): unknown {
  const a =
    event.activityTaskCompletedEventAttributes ??
    event.activityTaskFailedEventAttributes ??
    event.activityTaskTimedOutEventAttributes ??
    event.activityTaskCanceledEventAttributes;
  return a?.scheduledEventId ?? -1;
}
