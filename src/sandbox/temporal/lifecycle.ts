import { randomUUID } from 'node:crypto';
import { cancelActivityTimers } from './activity-task';
import { notifyParent, applyParentClosePolicy } from './children';
import type { Engine } from './engine';
import type { Run } from './model';
import { EventType, duration, millis, temporal, timestamp, type IHistoryEvent, type IPayloads, type Loose } from './proto';
import { dispatchQueuedQueries } from './queries';
import { releaseLock, scheduleWorkflowTask } from './workflow-task';

type StartedAttrs = Loose<temporal.api.history.v1.IWorkflowExecutionStartedEventAttributes>;

/** Everything needed to start a run. */
export interface StartRunParams {
  namespace: string;
  workflowId: string;
  runId?: string;
  requestId?: string;
  attributes: StartedAttrs;
  /** Delay before the first workflow task (a workflow retry's backoff). */
  firstTaskDelayMs?: number;
  /** A signal delivered with the start (SignalWithStart): written right after Started. */
  signal?: { name: string; input?: IPayloads | null; identity?: string | null; header?: temporal.api.common.v1.IHeader | null };
}

/** Default workflow task timeout, as the real server applies it. */
export const DEFAULT_WFT_TIMEOUT_MS = 10_000;

/** Creates a run, writes WorkflowExecutionStarted and schedules the first workflow task. */
export function startRun(engine: Engine, params: StartRunParams): Run {
  const runId = params.runId ?? randomUUID();
  const a = params.attributes;
  const wftTimeout = millis(a.workflowTaskTimeout) || DEFAULT_WFT_TIMEOUT_MS;
  const attributes: StartedAttrs = {
    ...a,
    workflowTaskTimeout: duration(Math.min(wftTimeout, 120_000)),
    originalExecutionRunId: runId,
    firstExecutionRunId: a.firstExecutionRunId || runId,
    attempt: a.attempt || 1,
    workflowId: params.workflowId,
    workflowExecutionExpirationTime:
      a.workflowExecutionExpirationTime ?? (millis(a.workflowExecutionTimeout) > 0 ? timestamp(engine.clock.now() + millis(a.workflowExecutionTimeout)) : undefined),
  };
  const run = newRun(params.namespace, params.workflowId, runId, attributes);
  if (params.requestId) run.requestIds.add(params.requestId);
  const ns = engine.namespace(params.namespace);
  for (const learned of ns.searchAttributes.learn(a.searchAttributes?.indexedFields ?? {})) {
    engine.record({ k: 'sa', ns: params.namespace, name: learned.name, type: learned.type });
  }
  engine.append(run, { eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, workflowExecutionStartedEventAttributes: attributes }, { requestId: params.requestId });
  if (params.signal) {
    engine.append(run, {
      eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
      workflowExecutionSignaledEventAttributes: {
        signalName: params.signal.name,
        input: params.signal.input,
        identity: params.signal.identity,
        header: params.signal.header,
      },
    });
  }
  armRunTimeout(engine, run);
  scheduleFirstWorkflowTask(engine, run);
  return run;
}

/** Schedules the first workflow task, after the start's backoff if it has one (also after a restart). */
export function scheduleFirstWorkflowTask(engine: Engine, run: Run): void {
  const backoff = millis(run.events[0]?.workflowExecutionStartedEventAttributes?.firstWorkflowTaskBackoff);
  if (backoff <= 0) return scheduleWorkflowTask(engine, run);
  if (engine.restoring) return;
  engine.clock.setTimer(run.startTime + backoff, () => {
    // A signal during the backoff may already have started the first task.
    if (!run.events.some((e) => e.workflowTaskScheduledEventAttributes)) scheduleWorkflowTask(engine, run);
  });
}

/** A run object built from its Started event attributes (also used by journal recovery). */
export function newRun(namespace: string, workflowId: string, runId: string, a: StartedAttrs): Run {
  const parent = a.parentWorkflowExecution?.workflowId
    ? {
        namespace: a.parentWorkflowNamespace || namespace,
        workflowId: a.parentWorkflowExecution.workflowId,
        runId: a.parentWorkflowExecution.runId ?? '',
        initiatedId: Number(a.parentInitiatedEventId ?? 0),
      }
    : undefined;
  return {
    namespace,
    workflowId,
    runId,
    firstRunId: a.firstExecutionRunId || runId,
    workflowType: a.workflowType?.name ?? '',
    taskQueue: a.taskQueue?.name ?? '',
    events: [],
    eventBytes: [],
    historySizeBytes: 0,
    historyLimits: { countWarned: false, sizeWarned: false },
    buffered: [],
    status: 'Running',
    startTime: 0,
    executionTime: 0,
    requestIds: new Set(),
    workflowTaskTimeoutMs: millis(a.workflowTaskTimeout) || DEFAULT_WFT_TIMEOUT_MS,
    runTimeoutMs: millis(a.workflowRunTimeout),
    executionTimeoutMs: millis(a.workflowExecutionTimeout),
    memo: { ...(a.memo?.fields ?? {}) },
    searchAttributes: { ...(a.searchAttributes?.indexedFields ?? {}) },
    wft: { state: 'none', scheduledId: 0, startedId: 0, attempt: 1 },
    lastCompletedStartedId: 0,
    activities: new Map(),
    timers: new Map(),
    children: new Map(),
    parent,
    cancelRequested: false,
    queuedQueries: [],
    updates: new Map(),
    waiters: new Set(),
  };
}

/** Arms the run timeout (from the run's start, so it also works after a restart). */
export function armRunTimeout(engine: Engine, run: Run): void {
  if (engine.restoring || run.runTimeoutMs <= 0 || run.status !== 'Running') return;
  run.runTimeoutCancel = engine.clock.setTimer(run.startTime + run.runTimeoutMs, () => {
    if (run.status !== 'Running') return;
    closeWith(engine, run, {
      eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
      workflowExecutionTimedOutEventAttributes: { retryState: temporal.api.enums.v1.RetryState.RETRY_STATE_TIMEOUT },
    });
  });
}

/** Appends a terminal event from outside a workflow task (terminate, timeout) and cleans up. */
export function closeWith(engine: Engine, run: Run, terminal: IHistoryEvent): void {
  if (run.status !== 'Running') return;
  // Buffered events are dropped: nothing may follow the terminal event.
  run.buffered = [];
  engine.append(run, terminal);
  onRunClosed(engine, run);
}

/**
 * Releases everything a closed run held (timers, activity attempts, the workflow-task lock),
 * notifies the parent, applies the parent-close policy to children, and tells listeners.
 */
export function onRunClosed(engine: Engine, run: Run): void {
  run.wft.cancelTimeout?.();
  releaseLock(run);
  run.runTimeoutCancel?.();
  for (const t of run.timers.values()) t.cancel?.();
  for (const act of run.activities.values()) cancelActivityTimers(act);
  dispatchQueuedQueries(engine, run);
  notifyParent(engine, run);
  applyParentClosePolicy(engine, run);
  engine.emitClosed(run);
}
