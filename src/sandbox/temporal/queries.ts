import { randomUUID } from 'node:crypto';
import type { Engine } from './engine';
import { TemporalServiceError, GrpcStatus, serviceErrors } from './errors';
import type { PendingQuery, Run } from './model';
import { encodedHistory, temporal, type Loose } from './proto';
import { decodeToken, encodeToken } from './tokens';
import { LimitMessages, payloadsSize } from './limits';
import { exceedsLimit } from './payload-limits';

type QueryRequest = temporal.api.workflowservice.v1.IQueryWorkflowRequest;
type QueryResponse = Loose<temporal.api.workflowservice.v1.IQueryWorkflowResponse>;

const STATUS_ENUM: Record<Run['status'], number> = {
  Running: temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
  Completed: temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED,
  Failed: temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED,
  Canceled: temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED,
  Terminated: temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED,
  ContinuedAsNew: temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW,
  TimedOut: temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
};

/** Wire enum of a run status. */
export function statusEnum(status: Run['status']): number {
  return STATUS_ENUM[status];
}

/** How long a query may wait for a worker before the caller gets DEADLINE_EXCEEDED. */
const QUERY_TIMEOUT_MS = 30_000;

/**
 * QueryWorkflow, through the legacy query-task path: the query goes to a worker as its own task
 * with the full history, once no workflow task is in flight.
 */
export function queryWorkflow(engine: Engine, run: Run, req: QueryRequest): Promise<QueryResponse> {
  const reject = req.queryRejectCondition ?? 0;
  const Cond = temporal.api.enums.v1.QueryRejectCondition;
  if (
    (reject === Cond.QUERY_REJECT_CONDITION_NOT_OPEN && run.status !== 'Running') ||
    (reject === Cond.QUERY_REJECT_CONDITION_NOT_COMPLETED_CLEANLY && run.status !== 'Running' && run.status !== 'Completed')
  ) {
    return Promise.resolve({ queryRejected: { status: statusEnum(run.status) } });
  }
  if (!req.query?.queryType) return Promise.reject(serviceErrors.invalidArgument('query type is required'));
  return new Promise((resolve, rejectPromise) => {
    const timer = setTimeout(() => {
      engine.pendingQueries.delete(pending.id);
      run.queuedQueries = run.queuedQueries.filter((q) => q !== pending);
      rejectPromise(new TemporalServiceError(GrpcStatus.DEADLINE_EXCEEDED, 'query timed out: no worker answered'));
    }, QUERY_TIMEOUT_MS);
    timer.unref();
    const pending: PendingQuery = {
      id: randomUUID(),
      query: req.query!,
      resolve: (r) => {
        clearTimeout(timer);
        resolve(r);
      },
      reject: (e) => {
        clearTimeout(timer);
        rejectPromise(e);
      },
    };
    run.queuedQueries.push(pending);
    dispatchQueuedQueries(engine, run);
  });
}

/** Hands queued queries to workers once no workflow task is scheduled or started. */
export function dispatchQueuedQueries(engine: Engine, run: Run): void {
  if (run.queuedQueries.length === 0 || (run.status === 'Running' && run.wft.state !== 'none')) return;
  for (const pending of run.queuedQueries.splice(0)) {
    engine.workflowTasks.offer(run.namespace, run.taskQueue, () => {
      if (run.status === 'Running' && run.wft.state !== 'none') {
        // A workflow task got ahead of us: answer after it, against the history it produces.
        run.queuedQueries.push(pending);
        return undefined;
      }
      engine.pendingQueries.set(pending.id, pending);
      return {
        taskToken: encodeToken({ t: 'query', id: pending.id }),
        workflowExecution: { workflowId: run.workflowId, runId: run.runId },
        workflowType: { name: run.workflowType },
        workflowExecutionTaskQueue: { name: run.taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        query: pending.query,
        history: encodedHistory(run.eventBytes.slice()),
        previousStartedEventId: run.lastCompletedStartedId,
        startedEventId: 0,
        attempt: 1,
        nextPageToken: Buffer.alloc(0),
      };
    });
  }
}

/** RespondQueryTaskCompleted: answers the waiting QueryWorkflow call. */
export function respondQueryTask(engine: Engine, req: temporal.api.workflowservice.v1.IRespondQueryTaskCompletedRequest): object {
  const token = decodeToken(req.taskToken);
  if (token.t !== 'query') throw serviceErrors.invalidArgument('not a query task token');
  const pending = engine.pendingQueries.get(token.id);
  if (!pending) throw serviceErrors.notFound('query task not found');
  engine.pendingQueries.delete(token.id);
  // An answer over the blob limit reaches the caller as a failed query, as from the real frontend.
  if (exceedsLimit(engine, payloadsSize(req.queryResult), { namespace: '', workflowId: '', operation: 'RespondQueryTaskCompleted' })) {
    pending.reject(serviceErrors.invalidArgument(LimitMessages.blob));
    return {};
  }
  if (req.completedType === temporal.api.enums.v1.QueryResultType.QUERY_RESULT_TYPE_ANSWERED) {
    pending.resolve({ queryResult: req.queryResult });
  } else {
    pending.reject(serviceErrors.invalidArgument(req.errorMessage || req.failure?.message || 'query failed'));
  }
  return {};
}
