import type { Engine, NamespaceState } from './engine';
import { serviceErrors } from './errors';
import type { Run } from './model';
import { duration, temporal, timestamp, type Loose } from './proto';
import { statusEnum } from './queries';
import { compileVisibilityQuery, VisibilityQueryError, type VisibilityRecord } from './visibility-query';

type WS = typeof temporal.api.workflowservice.v1;
type Req<K extends keyof WS> = WS[K] extends { create(p?: infer P): unknown } ? P : never;
type ExecutionInfo = Loose<temporal.api.workflow.v1.IWorkflowExecutionInfo>;

/** The visibility record of a run, search attributes decoded with the namespace's types. */
export function visibilityRecord(ns: NamespaceState, run: Run): VisibilityRecord {
  return {
    workflowId: run.workflowId,
    runId: run.runId,
    workflowType: run.workflowType,
    taskQueue: run.taskQueue,
    status: run.status,
    startTime: run.startTime,
    executionTime: run.executionTime,
    closeTime: run.closeTime,
    searchAttributes: ns.searchAttributes.decode(run.searchAttributes),
  };
}

/** WorkflowExecutionInfo as Describe and List return it. */
export function executionInfo(run: Run): ExecutionInfo {
  const started = run.events[0]?.workflowExecutionStartedEventAttributes;
  return {
    execution: { workflowId: run.workflowId, runId: run.runId },
    type: { name: run.workflowType },
    startTime: timestamp(run.startTime),
    executionTime: timestamp(run.executionTime),
    closeTime: run.closeTime ? timestamp(run.closeTime) : undefined,
    status: statusEnum(run.status),
    historyLength: run.events.length,
    memo: { fields: run.memo },
    searchAttributes: { indexedFields: run.searchAttributes },
    taskQueue: run.taskQueue,
    parentExecution: started?.parentWorkflowExecution,
    parentNamespaceId: started?.parentWorkflowNamespaceId,
    rootExecution: started?.rootWorkflowExecution ?? { workflowId: run.workflowId, runId: run.runId },
    firstRunId: run.firstRunId,
  };
}

function matching(engine: Engine, namespace: string | null | undefined, query: string | null | undefined): Array<{ run: Run; record: VisibilityRecord }> {
  const ns = engine.existingNamespace(namespace);
  let compiled;
  try {
    compiled = compileVisibilityQuery(query ?? '', (name) => ns.searchAttributes.typeOf(name));
  } catch (err) {
    if (err instanceof VisibilityQueryError) throw serviceErrors.invalidArgument(err.message);
    throw err;
  }
  const byRunId = new Map<string, Run>();
  const records: VisibilityRecord[] = [];
  for (const runs of ns.executions.values()) {
    for (const run of runs) {
      const record = visibilityRecord(ns, run);
      if (compiled.matches(record)) {
        records.push(record);
        byRunId.set(run.runId, run);
      }
    }
  }
  return compiled.sort(records).map((record) => ({ record, run: byRunId.get(record.runId)! }));
}

function page<T>(items: T[], pageSize: number | null | undefined, token: Uint8Array | null | undefined): { items: T[]; next: Uint8Array } {
  const from = token && token.length > 0 ? Number(Buffer.from(token).toString('utf8')) : 0;
  if (!Number.isInteger(from) || from < 0) throw serviceErrors.invalidArgument('Invalid NextPageToken.');
  const size = pageSize && pageSize > 0 ? pageSize : 1000;
  const slice = items.slice(from, from + size);
  const next = from + slice.length;
  return { items: slice, next: next < items.length ? Buffer.from(String(next)) : Buffer.alloc(0) };
}

/** ListWorkflowExecutions (and ScanWorkflowExecutions, which differs only in ordering guarantees). */
export function listWorkflows(engine: Engine, req: Req<'ListWorkflowExecutionsRequest'>): Loose<temporal.api.workflowservice.v1.IListWorkflowExecutionsResponse> {
  const { items, next } = page(matching(engine, req.namespace, req.query), req.pageSize, req.nextPageToken);
  return { executions: items.map(({ run }) => executionInfo(run)), nextPageToken: next };
}

/** CountWorkflowExecutions. */
export function countWorkflows(engine: Engine, req: Req<'CountWorkflowExecutionsRequest'>): Loose<temporal.api.workflowservice.v1.ICountWorkflowExecutionsResponse> {
  return { count: matching(engine, req.namespace, req.query).length };
}

/** DescribeWorkflowExecution. */
export function describeWorkflow(engine: Engine, req: Req<'DescribeWorkflowExecutionRequest'>): Loose<temporal.api.workflowservice.v1.IDescribeWorkflowExecutionResponse> {
  const run = engine.findRun(req.namespace ?? '', req.execution?.workflowId, req.execution?.runId);
  const State = temporal.api.enums.v1.PendingActivityState;
  return {
    executionConfig: {
      taskQueue: { name: run.taskQueue },
      workflowExecutionTimeout: duration(run.executionTimeoutMs),
      workflowRunTimeout: duration(run.runTimeoutMs),
      defaultWorkflowTaskTimeout: duration(run.workflowTaskTimeoutMs),
    },
    workflowExecutionInfo: executionInfo(run),
    pendingActivities: [...run.activities.values()].map((a) => ({
      activityId: a.activityId,
      activityType: { name: a.activityType },
      state: a.cancelRequestedId > 0 ? State.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED : a.state === 'started' ? State.PENDING_ACTIVITY_STATE_STARTED : State.PENDING_ACTIVITY_STATE_SCHEDULED,
      heartbeatDetails: a.heartbeatDetails,
      lastHeartbeatTime: a.lastHeartbeatTime ? timestamp(a.lastHeartbeatTime) : undefined,
      lastStartedTime: a.startedTime ? timestamp(a.startedTime) : undefined,
      attempt: a.attempt,
      maximumAttempts: a.retryPolicy.maximumAttempts,
      scheduledTime: timestamp(a.attemptScheduledTime),
      lastFailure: a.lastFailure,
      lastWorkerIdentity: a.identity,
    })),
    pendingChildren: [...run.children.values()].map((c) => ({
      workflowId: c.workflowId,
      runId: c.runId,
      workflowTypeName: c.workflowType,
      initiatedId: c.initiatedId,
      parentClosePolicy: c.parentClosePolicy,
    })),
  };
}
