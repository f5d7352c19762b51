import { randomUUID } from 'node:crypto';
import { dispatchActivity, requestActivityCancel, type EagerActivityTask } from './activity-task';
import { cancelExternal, signalExternal, startChild } from './children';
import type { Engine } from './engine';
import { serviceErrors } from './errors';
import { onRunClosed, startRun } from './lifecycle';
import type { Run } from './model';
import { CommandType, EventType, duration, millis, temporal, type Loose } from './proto';
import { armTimer, cancelTimer } from './timers';
import { applyProtocolCommand } from './updates';
import { failAndRetry, workflowRetry } from './workflow-retry';
import { effectiveRetryPolicy, retryPolicyProto } from './retry-policy';

type Command = temporal.api.command.v1.ICommand;
type Messages = ReadonlyMap<string, Loose<temporal.api.protocol.v1.IMessage>>;

/** Most eager activity tasks handed back by one completion (the worker reserves its own slots first). */
const MAX_EAGER_ACTIVITIES = 10;

/** What a batch of commands left to do once all their events are written. */
export interface CommandOutcome {
  /** Side effects that must run after the whole batch is in history (dispatch, child start). */
  effects: Array<() => void>;
  /** An event was written that the workflow must see (e.g. an activity cancelled before start). */
  needsWorkflowTask: boolean;
  /** Activity tasks handed back in the completion response (eager execution), filled by `effects`. */
  activityTasks: EagerActivityTask[];
}

/** Rejects a batch the server cannot record, before anything is written. */
export function validateCommands(run: Run, commands: readonly Command[], messages: Messages): void {
  for (const c of commands) {
    switch (c.commandType) {
      case CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK: {
        const a = c.scheduleActivityTaskCommandAttributes;
        if (!a?.activityId || !a.activityType?.name) throw serviceErrors.invalidArgument('ActivityId and ActivityType are required.');
        if (!millis(a.startToCloseTimeout) && !millis(a.scheduleToCloseTimeout)) {
          throw serviceErrors.invalidArgument('A valid StartToClose or ScheduleToCloseTimeout is not set on ScheduleActivityTaskCommand.');
        }
        break;
      }
      case CommandType.COMMAND_TYPE_START_TIMER:
        if (!c.startTimerCommandAttributes?.timerId) throw serviceErrors.invalidArgument('TimerId is not set.');
        break;
      case CommandType.COMMAND_TYPE_CANCEL_TIMER:
        if (!run.timers.has(c.cancelTimerCommandAttributes?.timerId ?? '')) throw serviceErrors.invalidArgument('Unknown timer to cancel.');
        break;
      case CommandType.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION:
        if (!c.startChildWorkflowExecutionCommandAttributes?.workflowId) throw serviceErrors.invalidArgument('WorkflowId is not set on the child.');
        break;
      case CommandType.COMMAND_TYPE_PROTOCOL_MESSAGE:
        if (!messages.has(c.protocolMessageCommandAttributes?.messageId ?? '')) throw serviceErrors.invalidArgument('ProtocolMessage command names no message in the completion.');
        break;
      case CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION:
      case CommandType.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION:
      case CommandType.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION:
      case CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION:
      case CommandType.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK:
      case CommandType.COMMAND_TYPE_RECORD_MARKER:
      case CommandType.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
      case CommandType.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES:
      case CommandType.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION:
      case CommandType.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION:
        break;
      default:
        throw serviceErrors.invalidArgument(`Unsupported command type ${String(c.commandType)}.`);
    }
  }
}

/**
 * Writes one event per command, in command order, each pointing at the WorkflowTaskCompleted that
 * carried it (the core matches them to its commands by position).
 */
export function applyCommands(engine: Engine, run: Run, commands: readonly Command[], completedId: number, messages: Messages, identity = ''): CommandOutcome {
  const out: CommandOutcome = { effects: [], needsWorkflowTask: false, activityTasks: [] };
  const wftId = { workflowTaskCompletedEventId: completedId };
  for (const c of commands) {
    switch (c.commandType) {
      case CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK: {
        const ev = engine.append(run, {
          eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
          activityTaskScheduledEventAttributes: { ...normalizeActivity(run, c.scheduleActivityTaskCommandAttributes!), ...wftId },
        });
        const id = Number(ev.eventId);
        // Eager execution (on by default on a real server): an activity the worker asked to run
        // itself, on the workflow's own queue, starts at once and goes back in the response.
        const a = c.scheduleActivityTaskCommandAttributes!;
        const eager = a.requestEagerExecution && (!a.taskQueue?.name || a.taskQueue.name === run.taskQueue) && out.activityTasks.length < MAX_EAGER_ACTIVITIES;
        out.effects.push(() => dispatchActivity(engine, run, id, eager ? { identity, tasks: out.activityTasks } : undefined));
        break;
      }
      case CommandType.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK: {
        const sid = Number(c.requestCancelActivityTaskCommandAttributes?.scheduledEventId ?? 0);
        if (!run.activities.has(sid)) break;
        engine.append(run, {
          eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED,
          activityTaskCancelRequestedEventAttributes: { scheduledEventId: sid, ...wftId },
        });
        if (requestActivityCancel(engine, run, sid)) out.needsWorkflowTask = true;
        break;
      }
      case CommandType.COMMAND_TYPE_START_TIMER: {
        const a = c.startTimerCommandAttributes!;
        engine.append(run, { eventType: EventType.EVENT_TYPE_TIMER_STARTED, timerStartedEventAttributes: { timerId: a.timerId, startToFireTimeout: a.startToFireTimeout, ...wftId } });
        const timerId = a.timerId ?? '';
        out.effects.push(() => armTimer(engine, run, timerId, engine.clock.now() + millis(a.startToFireTimeout)));
        break;
      }
      case CommandType.COMMAND_TYPE_CANCEL_TIMER: {
        const timerId = c.cancelTimerCommandAttributes?.timerId ?? '';
        const timer = run.timers.get(timerId);
        cancelTimer(run, timerId);
        engine.append(run, { eventType: EventType.EVENT_TYPE_TIMER_CANCELED, timerCanceledEventAttributes: { timerId, startedEventId: timer?.startedId, ...wftId } });
        break;
      }
      case CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION:
        engine.append(run, { eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, workflowExecutionCompletedEventAttributes: { result: c.completeWorkflowExecutionCommandAttributes?.result, ...wftId } });
        out.effects.push(() => onRunClosed(engine, run));
        break;
      case CommandType.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION: {
        const failure = c.failWorkflowExecutionCommandAttributes?.failure;
        const retry = workflowRetry(engine, run, failure);
        if ('delayMs' in retry) {
          out.effects.push(failAndRetry(engine, run, failure, completedId, retry.delayMs));
          break;
        }
        engine.append(run, {
          eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
          workflowExecutionFailedEventAttributes: {
            failure,
            retryState: retry.retryState,
            ...wftId,
          },
        });
        out.effects.push(() => onRunClosed(engine, run));
        break;
      }
      case CommandType.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION:
        engine.append(run, { eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED, workflowExecutionCanceledEventAttributes: { details: c.cancelWorkflowExecutionCommandAttributes?.details, ...wftId } });
        out.effects.push(() => onRunClosed(engine, run));
        break;
      case CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION:
        out.effects.push(continueAsNew(engine, run, c.continueAsNewWorkflowExecutionCommandAttributes ?? {}, completedId));
        break;
      case CommandType.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION: {
        const a = c.startChildWorkflowExecutionCommandAttributes!;
        const ev = engine.append(run, {
          eventType: EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
          startChildWorkflowExecutionInitiatedEventAttributes: { ...a, namespace: a.namespace || run.namespace, taskQueue: a.taskQueue?.name ? a.taskQueue : { name: run.taskQueue }, ...wftId },
        });
        const id = Number(ev.eventId);
        out.effects.push(() => startChild(engine, run, id));
        break;
      }
      case CommandType.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION: {
        const a = c.signalExternalWorkflowExecutionCommandAttributes!;
        const ev = engine.append(run, {
          eventType: EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
          signalExternalWorkflowExecutionInitiatedEventAttributes: {
            namespace: a.namespace || run.namespace, workflowExecution: a.execution, signalName: a.signalName, input: a.input,
            control: a.control, childWorkflowOnly: a.childWorkflowOnly, header: a.header, ...wftId,
          },
        });
        const id = Number(ev.eventId);
        out.effects.push(() => signalExternal(engine, run, id));
        break;
      }
      case CommandType.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION: {
        const a = c.requestCancelExternalWorkflowExecutionCommandAttributes!;
        const ev = engine.append(run, {
          eventType: EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
          requestCancelExternalWorkflowExecutionInitiatedEventAttributes: {
            namespace: a.namespace || run.namespace, workflowExecution: { workflowId: a.workflowId, runId: a.runId },
            control: a.control, childWorkflowOnly: a.childWorkflowOnly, reason: a.reason, ...wftId,
          },
        });
        const id = Number(ev.eventId);
        out.effects.push(() => cancelExternal(engine, run, id));
        break;
      }
      case CommandType.COMMAND_TYPE_RECORD_MARKER: {
        const a = c.recordMarkerCommandAttributes ?? {};
        engine.append(run, { eventType: EventType.EVENT_TYPE_MARKER_RECORDED, markerRecordedEventAttributes: { markerName: a.markerName, details: a.details, header: a.header, failure: a.failure, ...wftId } });
        break;
      }
      case CommandType.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const sa = c.upsertWorkflowSearchAttributesCommandAttributes?.searchAttributes;
        for (const l of engine.namespace(run.namespace).searchAttributes.learn(sa?.indexedFields ?? {})) {
          engine.record({ k: 'sa', ns: run.namespace, name: l.name, type: l.type });
        }
        engine.append(run, { eventType: EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, upsertWorkflowSearchAttributesEventAttributes: { searchAttributes: sa ?? {}, ...wftId } });
        break;
      }
      case CommandType.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES:
        engine.append(run, {
          eventType: EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
          workflowPropertiesModifiedEventAttributes: { upsertedMemo: c.modifyWorkflowPropertiesCommandAttributes?.upsertedMemo ?? {}, ...wftId },
        });
        break;
      case CommandType.COMMAND_TYPE_PROTOCOL_MESSAGE:
        applyProtocolCommand(engine, run, messages.get(c.protocolMessageCommandAttributes?.messageId ?? ''), completedId);
        break;
      default:
        break;
    }
  }
  return out;
}

/** Timeouts and retry policy as the server records them (wire notes §4, jts normalisation). */
function normalizeActivity(run: Run, a: temporal.api.command.v1.IScheduleActivityTaskCommandAttributes): Loose<temporal.api.history.v1.IActivityTaskScheduledEventAttributes> {
  const runLimit = run.runTimeoutMs || run.executionTimeoutMs;
  const clamp = (ms: number): number => (runLimit > 0 && (ms === 0 || ms > runLimit) ? runLimit : ms);
  const s2c = clamp(millis(a.scheduleToCloseTimeout));
  const stc = clamp(millis(a.startToCloseTimeout) || s2c);
  const s2s = clamp(millis(a.scheduleToStartTimeout) || s2c);
  const hb = Math.min(millis(a.heartbeatTimeout), stc || Infinity);
  return {
    activityId: a.activityId,
    activityType: a.activityType,
    taskQueue: a.taskQueue?.name ? a.taskQueue : { name: run.taskQueue },
    header: a.header,
    input: a.input,
    scheduleToCloseTimeout: duration(s2c),
    scheduleToStartTimeout: duration(s2s),
    startToCloseTimeout: duration(stc),
    heartbeatTimeout: duration(hb),
    retryPolicy: retryPolicyProto(effectiveRetryPolicy(a.retryPolicy)),
    useWorkflowBuildId: a.useWorkflowBuildId,
    priority: a.priority,
  };
}

/** Closes the run with ContinuedAsNew and returns the effect that starts its successor. */
function continueAsNew(engine: Engine, run: Run, a: temporal.api.command.v1.IContinueAsNewWorkflowExecutionCommandAttributes, completedId: number): () => void {
  const started = run.events[0]?.workflowExecutionStartedEventAttributes ?? {};
  const newRunId = randomUUID();
  const workflowType = a.workflowType?.name ? a.workflowType : started.workflowType;
  const taskQueue = a.taskQueue?.name ? a.taskQueue : started.taskQueue;
  const runTimeout = millis(a.workflowRunTimeout) ? a.workflowRunTimeout : started.workflowRunTimeout;
  const taskTimeout = millis(a.workflowTaskTimeout) ? a.workflowTaskTimeout : started.workflowTaskTimeout;
  const memo = a.memo?.fields && Object.keys(a.memo.fields).length ? a.memo : { fields: run.memo };
  const searchAttributes = a.searchAttributes?.indexedFields && Object.keys(a.searchAttributes.indexedFields).length ? a.searchAttributes : { indexedFields: run.searchAttributes };
  engine.append(run, {
    eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
    workflowExecutionContinuedAsNewEventAttributes: {
      newExecutionRunId: newRunId, workflowType, taskQueue, input: a.input, workflowRunTimeout: runTimeout, workflowTaskTimeout: taskTimeout,
      workflowTaskCompletedEventId: completedId, initiator: a.initiator, header: a.header, memo, searchAttributes,
    },
  });
  return () => {
    onRunClosed(engine, run);
    startRun(engine, {
      namespace: run.namespace,
      workflowId: run.workflowId,
      runId: newRunId,
      attributes: {
        workflowType, taskQueue, input: a.input, workflowRunTimeout: runTimeout, workflowTaskTimeout: taskTimeout,
        workflowExecutionTimeout: started.workflowExecutionTimeout, header: a.header, memo, searchAttributes,
        continuedExecutionRunId: run.runId, initiator: a.initiator, firstExecutionRunId: run.firstRunId,
        parentWorkflowNamespace: started.parentWorkflowNamespace, parentWorkflowExecution: started.parentWorkflowExecution,
        parentInitiatedEventId: started.parentInitiatedEventId, rootWorkflowExecution: started.rootWorkflowExecution,
        identity: started.identity, retryPolicy: started.retryPolicy,
      },
    });
  };
}
