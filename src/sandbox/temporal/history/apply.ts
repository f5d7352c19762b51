import type { PendingActivity, Run } from '../model';
import { EventType, millis, num, type IHistoryEvent } from '../proto';
import { effectiveRetryPolicy } from '../retry-policy';

/**
 * Folds one appended event into the run's derived state (pending activities, timers, children,
 * workflow task, status). The live server and journal recovery share it, so a restarted server
 * derives exactly the state it had.
 */
export function applyEvent(run: Run, ev: IHistoryEvent, now: number): void {
  const id = num(ev.eventId);
  const time = millis(ev.eventTime) || now;
  switch (ev.eventType) {
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
      run.startTime = time;
      run.executionTime = time;
      break;
    case EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
      run.wft = { ...run.wft, state: 'scheduled', scheduledId: id, startedId: 0, attempt: ev.workflowTaskScheduledEventAttributes?.attempt ?? 1 };
      break;
    case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
      run.wft = { ...run.wft, state: 'started', startedId: id };
      break;
    case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
      run.lastCompletedStartedId = num(ev.workflowTaskCompletedEventAttributes?.startedEventId);
      run.wft = { ...run.wft, state: 'none', attempt: 1 };
      break;
    case EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
    case EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
      run.wft = { ...run.wft, state: 'none', attempt: run.wft.attempt + 1 };
      break;
    case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
      run.activities.set(id, activityFromEvent(run, ev, id, time));
      break;
    case EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED: {
      const act = run.activities.get(num(ev.activityTaskCancelRequestedEventAttributes?.scheduledEventId));
      if (act) act.cancelRequestedId = id;
      break;
    }
    case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      run.activities.delete(num(ev.activityTaskCompletedEventAttributes?.scheduledEventId));
      break;
    case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
      run.activities.delete(num(ev.activityTaskFailedEventAttributes?.scheduledEventId));
      break;
    case EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
      run.activities.delete(num(ev.activityTaskTimedOutEventAttributes?.scheduledEventId));
      break;
    case EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
      run.activities.delete(num(ev.activityTaskCanceledEventAttributes?.scheduledEventId));
      break;
    case EventType.EVENT_TYPE_TIMER_STARTED:
      run.timers.set(ev.timerStartedEventAttributes?.timerId ?? '', { startedId: id });
      break;
    case EventType.EVENT_TYPE_TIMER_FIRED:
      run.timers.delete(ev.timerFiredEventAttributes?.timerId ?? '');
      break;
    case EventType.EVENT_TYPE_TIMER_CANCELED:
      run.timers.delete(ev.timerCanceledEventAttributes?.timerId ?? '');
      break;
    case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED: {
      const a = ev.startChildWorkflowExecutionInitiatedEventAttributes!;
      run.children.set(id, {
        initiatedId: id,
        namespace: a.namespace || run.namespace,
        workflowId: a.workflowId ?? '',
        workflowType: a.workflowType?.name ?? '',
        startedId: 0,
        parentClosePolicy: a.parentClosePolicy ?? 0,
      });
      break;
    }
    case EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED: {
      const a = ev.childWorkflowExecutionStartedEventAttributes!;
      const child = run.children.get(num(a.initiatedEventId));
      if (child) {
        child.runId = a.workflowExecution?.runId ?? '';
        child.startedId = id;
      }
      break;
    }
    case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED:
      run.children.delete(num(ev.startChildWorkflowExecutionFailedEventAttributes?.initiatedEventId));
      break;
    case EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
    case EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
    case EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED:
    case EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT:
    case EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED: {
      const a =
        ev.childWorkflowExecutionCompletedEventAttributes ??
        ev.childWorkflowExecutionFailedEventAttributes ??
        ev.childWorkflowExecutionCanceledEventAttributes ??
        ev.childWorkflowExecutionTimedOutEventAttributes ??
        ev.childWorkflowExecutionTerminatedEventAttributes;
      run.children.delete(num(a?.initiatedEventId));
      break;
    }
    case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
      Object.assign(run.searchAttributes, ev.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
      break;
    case EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
      Object.assign(run.memo, ev.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields ?? {});
      break;
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: {
      const a = ev.workflowExecutionUpdateAcceptedEventAttributes!;
      const updateId = a.protocolInstanceId ?? '';
      run.updates.set(updateId, { id: updateId, request: a.acceptedRequest ?? {}, state: 'accepted', acceptedEventId: id });
      break;
    }
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED: {
      const a = ev.workflowExecutionUpdateCompletedEventAttributes!;
      const update = run.updates.get(a.meta?.updateId ?? '');
      if (update) {
        update.state = 'completed';
        update.outcome = a.outcome ?? {};
      }
      break;
    }
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
      run.cancelRequested = true;
      break;
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
      close(run, 'Completed', time);
      break;
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
      close(run, 'Failed', time);
      break;
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
      close(run, 'TimedOut', time);
      break;
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
      close(run, 'Canceled', time);
      break;
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
      close(run, 'Terminated', time);
      break;
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
      close(run, 'ContinuedAsNew', time);
      break;
    default:
      break;
  }
}

function close(run: Run, status: Run['status'], time: number): void {
  run.status = status;
  run.closeTime = time;
}

function activityFromEvent(run: Run, ev: IHistoryEvent, id: number, time: number): PendingActivity {
  const a = ev.activityTaskScheduledEventAttributes!;
  const rp = a.retryPolicy ?? {};
  return {
    scheduledId: id,
    activityId: a.activityId ?? '',
    activityType: a.activityType?.name ?? '',
    taskQueue: a.taskQueue?.name || run.taskQueue,
    header: a.header,
    input: a.input,
    timeouts: {
      scheduleToClose: millis(a.scheduleToCloseTimeout),
      scheduleToStart: millis(a.scheduleToStartTimeout),
      startToClose: millis(a.startToCloseTimeout),
      heartbeat: millis(a.heartbeatTimeout),
    },
    retryPolicy: effectiveRetryPolicy(rp),
    scheduledTime: time,
    attempt: 1,
    state: 'queued',
    attemptScheduledTime: time,
    startedTime: 0,
    identity: '',
    lastHeartbeatTime: 0,
    cancelRequestedId: 0,
    cancels: [],
  };
}
