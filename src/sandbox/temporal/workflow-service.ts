import { cancelActivity, completeActivity, failActivity, heartbeatActivity, tokenForActivityId } from './activity-task';
import type { Engine } from './engine';
import { TemporalServiceError, GrpcStatus, serviceErrors } from './errors';
import { cancelWorkflow, getHistory, signalRun, startWorkflow, terminateWorkflow } from './frontend';
import { duration, temporal, type Loose } from './proto';
import { checkRequestPayloads } from './payload-limits';
import { queryWorkflow, respondQueryTask } from './queries';
import type { CallContext, RpcHandler } from './server';
import { pollUpdate, updateWorkflow } from './updates';
import { countWorkflows, describeWorkflow, listWorkflows } from './visibility';
import { runsStickyTo, stickyQueueKey } from './sticky';
import { completeWorkflowTask, dropSticky, failWorkflowTask } from './workflow-task';

type WS = typeof temporal.api.workflowservice.v1;
type Req<K extends keyof WS> = WS[K] extends { create(p?: infer P): unknown } ? P : never;

const Conflict = temporal.api.enums.v1.WorkflowIdConflictPolicy;
const STICKY = temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_STICKY;

/** NOT_FOUND with the typed detail the client turns into NamespaceNotFoundError. */
function namespaceNotFound(name: string): TemporalServiceError {
  const T = temporal.api.errordetails.v1.NamespaceNotFoundFailure;
  return new TemporalServiceError(GrpcStatus.NOT_FOUND, `Namespace ${name} is not found.`, {
    typeName: 'temporal.api.errordetails.v1.NamespaceNotFoundFailure',
    value: T.encode({ namespace: name }).finish(),
  });
}

/** How long a poll may be held: under the client's deadline, at most 55 s. */
function pollWindow(ctx: CallContext): number {
  return Math.max(0, Math.min(55_000, ctx.remainingMs() - 1_000));
}

/** WorkflowService handlers, by RPC name. Schedule RPCs are added by the caller. */
export function workflowServiceHandlers(engine: Engine): Record<string, RpcHandler> {
  const ns = (name: string | null | undefined): string => {
    if (!name) throw serviceErrors.invalidArgument('Namespace is not set on request.');
    if (!engine.namespaces.has(name)) throw namespaceNotFound(name);
    return name;
  };
  const namespaceDescription = (name: string): Loose<temporal.api.workflowservice.v1.IDescribeNamespaceResponse> => {
    const state = engine.namespace(name);
    return {
      namespaceInfo: { name: state.name, id: state.id, state: temporal.api.enums.v1.NamespaceState.NAMESPACE_STATE_REGISTERED },
      config: { workflowExecutionRetentionTtl: duration(24 * 3600 * 1000) },
      isGlobalNamespace: false,
    };
  };
  const handlers = {
    GetSystemInfo: () => ({
      serverVersion: '1.24.0-breachline-sandbox',
      capabilities: {
        signalAndQueryHeader: true, internalErrorDifferentiation: true, activityFailureIncludeHeartbeat: true,
        supportsSchedules: true, encodedFailureAttributes: true, upsertMemo: true, sdkMetadata: true,
        buildIdBasedVersioning: false, eagerWorkflowStart: false, nexus: false,
      },
    }),
    DescribeNamespace: (req: Req<'DescribeNamespaceRequest'>) => {
      if (req.id && !req.namespace) {
        const found = [...engine.namespaces.values()].find((n) => n.id === req.id);
        if (!found) throw serviceErrors.notFound(`Namespace ${req.id} is not found.`);
        return namespaceDescription(found.name);
      }
      if (!req.namespace) throw serviceErrors.invalidArgument('Namespace is not set on request.');
      return namespaceDescription(req.namespace);
    },
    RegisterNamespace: (req: Req<'RegisterNamespaceRequest'>) => {
      if (!req.namespace) throw serviceErrors.invalidArgument('Namespace is not set on request.');
      if (engine.namespaces.has(req.namespace)) throw serviceErrors.alreadyExists('Namespace already exists.');
      engine.namespace(req.namespace);
      return {};
    },
    ListNamespaces: () => ({ namespaces: [...engine.namespaces.keys()].map(namespaceDescription), nextPageToken: Buffer.alloc(0) }),
    StartWorkflowExecution: (req: Req<'StartWorkflowExecutionRequest'>) => {
      ns(req.namespace);
      const { run, started } = startWorkflow(engine, req, { defaultConflict: Conflict.WORKFLOW_ID_CONFLICT_POLICY_FAIL });
      return { runId: run.runId, started };
    },
    SignalWithStartWorkflowExecution: (req: Req<'SignalWithStartWorkflowExecutionRequest'>) => {
      ns(req.namespace);
      if (!req.signalName) throw serviceErrors.invalidArgument('SignalName is not set on request.');
      const signal = { name: req.signalName, input: req.signalInput, header: req.header };
      const { run, started } = startWorkflow(engine, { ...req, requestId: undefined }, { defaultConflict: Conflict.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING, signal });
      if (!started) signalRun(engine, run, { signalName: req.signalName, input: req.signalInput, identity: req.identity, header: req.header, requestId: req.requestId });
      return { runId: run.runId, started };
    },
    SignalWorkflowExecution: (req: Req<'SignalWorkflowExecutionRequest'>) => {
      const run = engine.findRun(ns(req.namespace), req.workflowExecution?.workflowId, req.workflowExecution?.runId);
      signalRun(engine, run, req);
      return {};
    },
    QueryWorkflow: (req: Req<'QueryWorkflowRequest'>) => {
      const run = engine.findRun(ns(req.namespace), req.execution?.workflowId, req.execution?.runId);
      checkRequestPayloads(engine, req.query?.queryArgs, { namespace: run.namespace, workflowId: run.workflowId, runId: run.runId, operation: 'QueryWorkflow' });
      return queryWorkflow(engine, run, req);
    },
    RequestCancelWorkflowExecution: (req: Req<'RequestCancelWorkflowExecutionRequest'>) => cancelWorkflow(engine, { ...req, namespace: ns(req.namespace) }),
    TerminateWorkflowExecution: (req: Req<'TerminateWorkflowExecutionRequest'>) => terminateWorkflow(engine, { ...req, namespace: ns(req.namespace) }),
    DescribeWorkflowExecution: (req: Req<'DescribeWorkflowExecutionRequest'>) => describeWorkflow(engine, { ...req, namespace: ns(req.namespace) }),
    GetWorkflowExecutionHistory: (req: Req<'GetWorkflowExecutionHistoryRequest'>, ctx: CallContext) =>
      getHistory(engine, { ...req, namespace: ns(req.namespace) }, () => ctx.isCancelled(), ctx.remainingMs() - 1_000),
    ListWorkflowExecutions: (req: Req<'ListWorkflowExecutionsRequest'>) => listWorkflows(engine, { ...req, namespace: ns(req.namespace) }),
    ScanWorkflowExecutions: (req: Req<'ScanWorkflowExecutionsRequest'>) => listWorkflows(engine, { ...req, namespace: ns(req.namespace) }),
    CountWorkflowExecutions: (req: Req<'CountWorkflowExecutionsRequest'>) => countWorkflows(engine, { ...req, namespace: ns(req.namespace) }),
    UpdateWorkflowExecution: (req: Req<'UpdateWorkflowExecutionRequest'>, ctx: CallContext) => {
      const run = engine.findRun(ns(req.namespace), req.workflowExecution?.workflowId, req.workflowExecution?.runId);
      checkRequestPayloads(engine, req.request?.input?.args, { namespace: run.namespace, workflowId: run.workflowId, runId: run.runId, operation: 'UpdateWorkflowExecution' });
      return updateWorkflow(engine, run, req, ctx.remainingMs() - 1_000);
    },
    ExecuteMultiOperation: async (req: Req<'ExecuteMultiOperationRequest'>, ctx: CallContext) => {
      // Update-with-start, the only combination the SDK sends: start (or reuse) a run, then update it.
      const namespace = ns(req.namespace);
      const [first, second] = req.operations ?? [];
      const startReq = first?.startWorkflow;
      const updateReq = second?.updateWorkflow;
      if (req.operations?.length !== 2 || !startReq || !updateReq) throw serviceErrors.invalidArgument('ExecuteMultiOperation expects a start followed by an update.');
      if (startReq.workflowId !== updateReq.workflowExecution?.workflowId) throw serviceErrors.invalidArgument('The start and the update must name the same workflow id.');
      checkRequestPayloads(engine, updateReq.request?.input?.args, { namespace, workflowId: startReq.workflowId ?? '', operation: 'UpdateWorkflowExecution' });
      const { run, started } = startWorkflow(engine, { ...startReq, namespace }, { defaultConflict: Conflict.WORKFLOW_ID_CONFLICT_POLICY_FAIL });
      const update = await updateWorkflow(engine, run, { ...updateReq, namespace, workflowExecution: { workflowId: run.workflowId, runId: run.runId } }, ctx.remainingMs() - 1_000);
      return { responses: [{ startWorkflow: { runId: run.runId, started } }, { updateWorkflow: update }] };
    },
    PollWorkflowExecutionUpdate: (req: Req<'PollWorkflowExecutionUpdateRequest'>, ctx: CallContext) => {
      const run = engine.findRun(ns(req.namespace), req.updateRef?.workflowExecution?.workflowId, req.updateRef?.workflowExecution?.runId);
      return pollUpdate(engine, run, req, ctx.remainingMs() - 1_000);
    },
    GetSearchAttributes: () => ({ keys: {} }),
    PollWorkflowTaskQueue: async (req: Req<'PollWorkflowTaskQueueRequest'>, ctx: CallContext) => {
      const namespace = ns(req.namespace);
      if (!req.taskQueue?.name) throw serviceErrors.invalidArgument('TaskQueue is not set on request.');
      // A worker's sticky queue gets the tasks of the runs it caches (sticky.ts).
      const name = req.taskQueue.kind === STICKY ? stickyQueueKey(req.taskQueue.name) : req.taskQueue.name;
      const task = await engine.workflowTasks.poll(namespace, name, req.identity ?? '', pollWindow(ctx), () => ctx.isCancelled());
      return task ?? {};
    },
    PollActivityTaskQueue: async (req: Req<'PollActivityTaskQueueRequest'>, ctx: CallContext) => {
      const namespace = ns(req.namespace);
      if (!req.taskQueue?.name) throw serviceErrors.invalidArgument('TaskQueue is not set on request.');
      const task = await engine.activityTasks.poll(namespace, req.taskQueue.name, req.identity ?? '', pollWindow(ctx), () => ctx.isCancelled());
      return task ?? {};
    },
    RespondWorkflowTaskCompleted: (req: Req<'RespondWorkflowTaskCompletedRequest'>) => completeWorkflowTask(engine, req),
    RespondWorkflowTaskFailed: (req: Req<'RespondWorkflowTaskFailedRequest'>) => failWorkflowTask(engine, req),
    RespondQueryTaskCompleted: (req: Req<'RespondQueryTaskCompletedRequest'>) => respondQueryTask(engine, req),
    RespondActivityTaskCompleted: (req: Req<'RespondActivityTaskCompletedRequest'>) => completeActivity(engine, req),
    RespondActivityTaskFailed: (req: Req<'RespondActivityTaskFailedRequest'>) => failActivity(engine, req),
    RespondActivityTaskCanceled: (req: Req<'RespondActivityTaskCanceledRequest'>) => cancelActivity(engine, req),
    RecordActivityTaskHeartbeat: (req: Req<'RecordActivityTaskHeartbeatRequest'>) => heartbeatActivity(engine, req),
    RespondActivityTaskCompletedById: (req: Req<'RespondActivityTaskCompletedByIdRequest'>) =>
      completeActivity(engine, { ...req, taskToken: tokenForActivityId(engine, ns(req.namespace), req.workflowId, req.runId, req.activityId) }),
    RespondActivityTaskFailedById: (req: Req<'RespondActivityTaskFailedByIdRequest'>) =>
      failActivity(engine, { ...req, taskToken: tokenForActivityId(engine, ns(req.namespace), req.workflowId, req.runId, req.activityId) }),
    RespondActivityTaskCanceledById: (req: Req<'RespondActivityTaskCanceledByIdRequest'>) =>
      cancelActivity(engine, { ...req, taskToken: tokenForActivityId(engine, ns(req.namespace), req.workflowId, req.runId, req.activityId) }),
    RecordActivityTaskHeartbeatById: (req: Req<'RecordActivityTaskHeartbeatByIdRequest'>) =>
      heartbeatActivity(engine, { ...req, taskToken: tokenForActivityId(engine, ns(req.namespace), req.workflowId, req.runId, req.activityId) }),
    ResetStickyTaskQueue: (req: Req<'ResetStickyTaskQueueRequest'>) => {
      dropSticky(engine, engine.findRun(ns(req.namespace), req.execution?.workflowId, req.execution?.runId));
      return {};
    },
    ShutdownWorker: (req: Req<'ShutdownWorkerRequest'>) => {
      // The worker's cache is gone with it: its runs' tasks go to the normal queue from now on.
      const namespace = ns(req.namespace);
      if (req.stickyTaskQueue) for (const run of runsStickyTo(engine, namespace, req.stickyTaskQueue)) dropSticky(engine, run);
      return {};
    },
  };
  return handlers as Record<string, RpcHandler>;
}
