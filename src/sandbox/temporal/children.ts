import { requestCancelRun, terminateRun } from './control';
import type { Engine } from './engine';
import { startRun } from './lifecycle';
import type { Run } from './model';
import { EventType, temporal, type IHistoryEvent } from './proto';
import { scheduleWorkflowTask } from './workflow-task';
import { isRetried } from './workflow-retry';

const Policy = temporal.api.enums.v1.ParentClosePolicy;

function external(engine: Engine, run: Run, event: IHistoryEvent, linkStarted = false): void {
  engine.addExternal(run, [{ event, linkStarted }], (r) => scheduleWorkflowTask(engine, r));
}

/** Starts the child a StartChildWorkflowExecutionInitiated event asks for and reports back. */
export function startChild(engine: Engine, parent: Run, initiatedId: number): void {
  const a = parent.events[initiatedId - 1]?.startChildWorkflowExecutionInitiatedEventAttributes;
  if (!a || engine.restoring) return;
  const namespace = a.namespace || parent.namespace;
  const workflowId = a.workflowId ?? '';
  const existing = engine.currentRun(namespace, workflowId);
  if (existing?.status === 'Running') {
    external(engine, parent, {
      eventType: EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED,
      startChildWorkflowExecutionFailedEventAttributes: {
        namespace, workflowId, workflowType: a.workflowType, initiatedEventId: initiatedId, control: a.control,
        cause: temporal.api.enums.v1.StartChildWorkflowExecutionFailedCause.START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS,
      },
    });
    return;
  }
  const parentStarted = parent.events[0]?.workflowExecutionStartedEventAttributes;
  const child = startRun(engine, {
    namespace,
    workflowId,
    attributes: {
      workflowType: a.workflowType, taskQueue: a.taskQueue, input: a.input, header: a.header,
      workflowExecutionTimeout: a.workflowExecutionTimeout, workflowRunTimeout: a.workflowRunTimeout, workflowTaskTimeout: a.workflowTaskTimeout,
      retryPolicy: a.retryPolicy, cronSchedule: a.cronSchedule, memo: a.memo, searchAttributes: a.searchAttributes,
      parentWorkflowNamespace: parent.namespace, parentWorkflowNamespaceId: engine.namespace(parent.namespace).id,
      parentWorkflowExecution: { workflowId: parent.workflowId, runId: parent.runId }, parentInitiatedEventId: initiatedId,
      rootWorkflowExecution: parentStarted?.rootWorkflowExecution ?? { workflowId: parent.workflowId, runId: parent.runId },
      identity: parentStarted?.identity,
    },
  });
  external(engine, parent, {
    eventType: EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED,
    childWorkflowExecutionStartedEventAttributes: {
      namespace, initiatedEventId: initiatedId, workflowExecution: { workflowId, runId: child.runId }, workflowType: a.workflowType, header: a.header,
    },
  });
}

/** Reports a closed child's outcome to its parent (a continued-as-new child has not closed yet). */
export function notifyParent(engine: Engine, child: Run): void {
  if (!child.parent || child.status === 'ContinuedAsNew' || isRetried(child) || engine.restoring) return;
  const parent = engine.runs.get(child.parent.runId);
  const pending = parent?.children.get(child.parent.initiatedId);
  if (!parent || !pending || parent.status !== 'Running') return;
  const last = child.events[child.events.length - 1];
  const common = {
    namespace: child.namespace,
    workflowExecution: { workflowId: child.workflowId, runId: child.runId },
    workflowType: { name: child.workflowType },
    initiatedEventId: pending.initiatedId,
    startedEventId: pending.startedId,
  };
  const link = pending.startedId === 0;
  switch (child.status) {
    case 'Completed':
      return external(engine, parent, { eventType: EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED, childWorkflowExecutionCompletedEventAttributes: { ...common, result: last?.workflowExecutionCompletedEventAttributes?.result } }, link);
    case 'Failed':
      return external(engine, parent, {
        eventType: EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
        childWorkflowExecutionFailedEventAttributes: { ...common, failure: last?.workflowExecutionFailedEventAttributes?.failure, retryState: last?.workflowExecutionFailedEventAttributes?.retryState },
      }, link);
    case 'Canceled':
      return external(engine, parent, { eventType: EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED, childWorkflowExecutionCanceledEventAttributes: { ...common, details: last?.workflowExecutionCanceledEventAttributes?.details } }, link);
    case 'TimedOut':
      return external(engine, parent, { eventType: EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT, childWorkflowExecutionTimedOutEventAttributes: { ...common, retryState: temporal.api.enums.v1.RetryState.RETRY_STATE_TIMEOUT } }, link);
    case 'Terminated':
      return external(engine, parent, { eventType: EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED, childWorkflowExecutionTerminatedEventAttributes: common }, link);
    default:
      return;
  }
}

/** Terminates, cancels or abandons the children of a run that just closed. */
export function applyParentClosePolicy(engine: Engine, parent: Run): void {
  if (engine.restoring) return;
  for (const pending of parent.children.values()) {
    if (!pending.runId) continue;
    const child = engine.currentRun(pending.namespace, pending.workflowId);
    if (!child || child.status !== 'Running' || child.parent?.runId !== parent.runId) continue;
    if (pending.parentClosePolicy === Policy.PARENT_CLOSE_POLICY_ABANDON) continue;
    if (pending.parentClosePolicy === Policy.PARENT_CLOSE_POLICY_REQUEST_CANCEL) {
      requestCancelRun(engine, child, { reason: 'by parent close policy', identity: 'history-service' });
    } else {
      terminateRun(engine, child, 'by parent close policy', undefined, 'history-service');
    }
  }
}

function target(engine: Engine, namespace: string, exec: temporal.api.common.v1.IWorkflowExecution | null | undefined): Run | undefined {
  const runs = engine.namespaces.get(namespace)?.executions.get(exec?.workflowId ?? '');
  const run = exec?.runId ? runs?.find((r) => r.runId === exec.runId) : runs?.[runs.length - 1];
  return run?.status === 'Running' ? run : undefined;
}

/** Delivers a SignalExternalWorkflowExecution and reports the outcome to the sender. */
export function signalExternal(engine: Engine, run: Run, initiatedId: number): void {
  const a = run.events[initiatedId - 1]?.signalExternalWorkflowExecutionInitiatedEventAttributes;
  if (!a || engine.restoring) return;
  const namespace = a.namespace || run.namespace;
  const to = target(engine, namespace, a.workflowExecution);
  if (!to) {
    external(engine, run, {
      eventType: EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED,
      signalExternalWorkflowExecutionFailedEventAttributes: {
        initiatedEventId: initiatedId, namespace, workflowExecution: a.workflowExecution, control: a.control,
        cause: temporal.api.enums.v1.SignalExternalWorkflowExecutionFailedCause.SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND,
      },
    });
    return;
  }
  external(engine, to, {
    eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
    workflowExecutionSignaledEventAttributes: { signalName: a.signalName, input: a.input, header: a.header, identity: '', externalWorkflowExecution: { workflowId: run.workflowId, runId: run.runId } },
  });
  external(engine, run, {
    eventType: EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED,
    externalWorkflowExecutionSignaledEventAttributes: { initiatedEventId: initiatedId, namespace, workflowExecution: { workflowId: to.workflowId, runId: to.runId }, control: a.control },
  });
}

/** Delivers a RequestCancelExternalWorkflowExecution and reports the outcome to the sender. */
export function cancelExternal(engine: Engine, run: Run, initiatedId: number): void {
  const a = run.events[initiatedId - 1]?.requestCancelExternalWorkflowExecutionInitiatedEventAttributes;
  if (!a || engine.restoring) return;
  const namespace = a.namespace || run.namespace;
  const to = target(engine, namespace, a.workflowExecution);
  if (!to) {
    external(engine, run, {
      eventType: EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED,
      requestCancelExternalWorkflowExecutionFailedEventAttributes: {
        initiatedEventId: initiatedId, namespace, workflowExecution: a.workflowExecution, control: a.control,
        cause: temporal.api.enums.v1.CancelExternalWorkflowExecutionFailedCause.CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND,
      },
    });
    return;
  }
  requestCancelRun(engine, to, { reason: a.reason, externalInitiatedId: initiatedId, externalExecution: { workflowId: run.workflowId, runId: run.runId } });
  external(engine, run, {
    eventType: EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
    externalWorkflowExecutionCancelRequestedEventAttributes: { initiatedEventId: initiatedId, namespace, workflowExecution: { workflowId: to.workflowId, runId: to.runId } },
  });
}
