import { requestCancelRun, terminateRun } from './control';
import type { Engine } from './engine';
import { serviceErrors } from './errors';
import { startRun } from './lifecycle';
import { checkRequestMemo, checkRequestPayloads } from './payload-limits';
import type { Run } from './model';
import { encodedHistory, temporal, type Loose } from './proto';
import { scheduleWorkflowTask } from './workflow-task';

type WS = typeof temporal.api.workflowservice.v1;
type Req<K extends keyof WS> = WS[K] extends { create(p?: infer P): unknown } ? P : never;
type StartReq = Req<'StartWorkflowExecutionRequest'>;

const Reuse = temporal.api.enums.v1.WorkflowIdReusePolicy;
const Conflict = temporal.api.enums.v1.WorkflowIdConflictPolicy;
const FAILED_STATES: ReadonlySet<Run['status']> = new Set(['Failed', 'Canceled', 'Terminated', 'TimedOut']);

/** Fields shared by StartWorkflowExecution and SignalWithStart that start a run. */
type StartFields = Pick<StartReq, 'namespace' | 'workflowId' | 'workflowType' | 'taskQueue' | 'input' | 'workflowExecutionTimeout' | 'workflowRunTimeout' | 'workflowTaskTimeout' | 'identity' | 'requestId' | 'workflowIdReusePolicy' | 'workflowIdConflictPolicy' | 'retryPolicy' | 'cronSchedule' | 'memo' | 'searchAttributes' | 'header'>;

/**
 * Applies the id reuse and conflict policies and starts a run, or returns the run the request
 * resolves to (request-id dedupe, USE_EXISTING). `started` says which.
 */
export function startWorkflow(
  engine: Engine,
  req: StartFields,
  opts: { defaultConflict: number; signal?: { name: string; input?: temporal.api.common.v1.IPayloads | null; header?: temporal.api.common.v1.IHeader | null } },
): { run: Run; started: boolean } {
  const namespace = engine.existingNamespace(req.namespace).name;
  if (!req.workflowId) throw serviceErrors.invalidArgument('WorkflowId is not set on request.');
  if (!req.workflowType?.name) throw serviceErrors.invalidArgument('WorkflowType is not set on request.');
  if (!req.taskQueue?.name) throw serviceErrors.invalidArgument('TaskQueue is not set on request.');
  const owner = { namespace, workflowId: req.workflowId, operation: opts.signal ? 'SignalWithStartWorkflowExecution' : 'StartWorkflowExecution' };
  checkRequestPayloads(engine, req.input, owner);
  checkRequestMemo(engine, req.memo, owner);
  if (opts.signal) checkRequestPayloads(engine, opts.signal.input, owner);
  const unknown = engine.namespace(namespace).searchAttributes.unknown(req.searchAttributes?.indexedFields ?? {});
  if (unknown.length > 0) throw serviceErrors.invalidArgument(`search attribute ${unknown.join(', ')} is not defined`);
  const runs = engine.namespace(namespace).executions.get(req.workflowId) ?? [];
  if (req.requestId) {
    const same = runs.find((r) => r.requestIds.has(req.requestId!));
    if (same) return { run: same, started: false };
  }
  const current = runs[runs.length - 1];
  const reuse = req.workflowIdReusePolicy || Reuse.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE;
  if (current?.status === 'Running') {
    const conflict = req.workflowIdConflictPolicy || opts.defaultConflict;
    if (conflict === Conflict.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING) {
      if (req.requestId) current.requestIds.add(req.requestId);
      return { run: current, started: false };
    }
    if (conflict === Conflict.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING || reuse === Reuse.WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING) {
      terminateRun(engine, current, 'terminated by a new start with the same workflow id', undefined, req.identity);
    } else {
      throw serviceErrors.alreadyExists(`Workflow execution is already running. WorkflowId: ${req.workflowId}, RunId: ${current.runId}.`);
    }
  } else if (current) {
    if (reuse === Reuse.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE) {
      throw serviceErrors.alreadyExists(`Workflow execution already finished and WorkflowIdReusePolicy is RejectDuplicate. WorkflowId: ${req.workflowId}.`);
    }
    if (reuse === Reuse.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY && !FAILED_STATES.has(current.status)) {
      throw serviceErrors.alreadyExists(`Workflow execution already finished successfully and WorkflowIdReusePolicy is AllowDuplicateFailedOnly. WorkflowId: ${req.workflowId}.`);
    }
  }
  const run = startRun(engine, {
    namespace,
    workflowId: req.workflowId,
    requestId: req.requestId ?? undefined,
    attributes: {
      workflowType: req.workflowType, taskQueue: req.taskQueue, input: req.input, header: req.header,
      workflowExecutionTimeout: req.workflowExecutionTimeout, workflowRunTimeout: req.workflowRunTimeout || req.workflowExecutionTimeout,
      workflowTaskTimeout: req.workflowTaskTimeout, identity: req.identity, retryPolicy: req.retryPolicy,
      cronSchedule: req.cronSchedule, memo: req.memo, searchAttributes: req.searchAttributes,
    },
    signal: opts.signal ? { ...opts.signal, identity: req.identity } : undefined,
  });
  return { run, started: true };
}

/** Delivers a signal to a running run. */
export function signalRun(engine: Engine, run: Run, req: Req<'SignalWorkflowExecutionRequest'>): void {
  if (run.status !== 'Running') throw serviceErrors.notFound('workflow execution already completed');
  if (!req.signalName) throw serviceErrors.invalidArgument('SignalName is not set on request.');
  checkRequestPayloads(engine, req.input, { namespace: run.namespace, workflowId: run.workflowId, runId: run.runId, operation: 'SignalWorkflowExecution' });
  if (req.requestId) {
    if (run.requestIds.has(req.requestId)) return;
    run.requestIds.add(req.requestId);
  }
  engine.addExternal(run, [{
    event: {
      eventType: temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
      workflowExecutionSignaledEventAttributes: { signalName: req.signalName, input: req.input, identity: req.identity, header: req.header },
    },
  }], (r) => scheduleWorkflowTask(engine, r));
}

/** RequestCancelWorkflowExecution. */
export function cancelWorkflow(engine: Engine, req: Req<'RequestCancelWorkflowExecutionRequest'>): object {
  const run = engine.findRun(req.namespace ?? '', req.workflowExecution?.workflowId, req.workflowExecution?.runId);
  if (run.status !== 'Running') throw serviceErrors.notFound('workflow execution already completed');
  requestCancelRun(engine, run, { identity: req.identity, reason: req.reason });
  return {};
}

/** TerminateWorkflowExecution. */
export function terminateWorkflow(engine: Engine, req: Req<'TerminateWorkflowExecutionRequest'>): object {
  const run = engine.findRun(req.namespace ?? '', req.workflowExecution?.workflowId, req.workflowExecution?.runId);
  if (run.status !== 'Running') throw serviceErrors.notFound('workflow execution already completed');
  terminateRun(engine, run, req.reason ?? '', req.details, req.identity);
  return {};
}

/** Longest a history long poll is held before an empty answer (the client simply polls again). */
const HISTORY_POLL_MS = 20_000;

/**
 * GetWorkflowExecutionHistory: pages of committed events (never the buffer), or, with the
 * close-event filter and `wait_new_event`, a long poll for the run's terminal event.
 */
export async function getHistory(engine: Engine, req: Req<'GetWorkflowExecutionHistoryRequest'>, isCancelled: () => boolean, maxWaitMs = HISTORY_POLL_MS): Promise<Loose<temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryResponse>> {
  const run = engine.findRun(req.namespace ?? '', req.execution?.workflowId, req.execution?.runId);
  const closeOnly = req.historyEventFilterType === temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT;
  let from = 0;
  if (req.nextPageToken && req.nextPageToken.length > 0) {
    const parsed = Number(Buffer.from(req.nextPageToken).toString('utf8'));
    if (!Number.isInteger(parsed) || parsed < 0) throw serviceErrors.invalidArgument('Invalid NextPageToken.');
    from = parsed;
  }
  if (req.waitNewEvent) {
    const ready = (): boolean => (closeOnly ? run.status !== 'Running' : run.events.length > from);
    if (!ready()) await waitFor(run, ready, () => isCancelled() || engine.closing, Math.max(0, Math.min(HISTORY_POLL_MS, maxWaitMs)));
    if (!ready()) return { history: { events: [] }, nextPageToken: Buffer.from(String(from)) };
  }
  if (closeOnly) {
    if (run.status === 'Running') return { history: { events: [] }, nextPageToken: Buffer.alloc(0) };
    return { history: encodedHistory(run.eventBytes.slice(-1)), nextPageToken: Buffer.alloc(0) };
  }
  const pageSize = req.maximumPageSize && req.maximumPageSize > 0 ? req.maximumPageSize : 1000;
  const events = run.eventBytes.slice(from, from + pageSize);
  const next = from + events.length;
  const more = next < run.events.length || (req.waitNewEvent === true && run.status === 'Running');
  return { history: encodedHistory(events), nextPageToken: more ? Buffer.from(String(next)) : Buffer.alloc(0) };
}

function waitFor(run: Run, ready: () => boolean, isCancelled: () => boolean, waitMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      run.waiters.delete(check);
      resolve();
    };
    const check = (): void => {
      if (ready() || isCancelled()) done();
    };
    const timer = setTimeout(done, waitMs);
    run.waiters.add(check);
  });
}
