import { EventType, type IHistoryEvent } from '../proto';

/** Event types that close a run; exactly one may appear, and only last. */
export const TERMINAL_EVENT_TYPES: ReadonlySet<number> = new Set([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
]);

/** What may follow a WorkflowTaskStarted (the replayer rejects anything else). */
const AFTER_WFT_STARTED: ReadonlySet<number> = new Set([
  EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
]);

/** Raised when the server is about to write a history the SDK could not replay: a server bug. */
export class HistoryInvariantError extends Error {
  override name = 'HistoryInvariantError';
}

/** The `…EventAttributes` property set on an event, if exactly one is. */
export function attributesKey(event: IHistoryEvent): string | undefined {
  const keys = Object.keys(event).filter(
    (k) => k.endsWith('EventAttributes') && (event as Record<string, unknown>)[k] != null,
  );
  return keys.length === 1 ? keys[0] : undefined;
}

/**
 * Checks that `next` may be appended after `events`: contiguous id, time set, type and attributes
 * present, nothing after a terminal event, only a legal successor after WorkflowTaskStarted.
 */
export function assertAppendable(events: readonly IHistoryEvent[], next: IHistoryEvent): void {
  const last = events[events.length - 1];
  const expectedId = events.length + 1;
  if (Number(next.eventId) !== expectedId) throw new HistoryInvariantError(`event id ${String(next.eventId)}, expected ${expectedId}`);
  if (!next.eventTime) throw new HistoryInvariantError(`event ${expectedId} has no event_time`);
  if (!next.eventType) throw new HistoryInvariantError(`event ${expectedId} has no type`);
  if (!attributesKey(next)) throw new HistoryInvariantError(`event ${expectedId} needs exactly one attributes field`);
  if (expectedId === 1 && next.eventType !== EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED) {
    throw new HistoryInvariantError('the first event must be WorkflowExecutionStarted');
  }
  assertReferences(events, next);
  if (!last) return;
  if (TERMINAL_EVENT_TYPES.has(last.eventType ?? 0)) throw new HistoryInvariantError(`event after the terminal event ${Number(last.eventId)}`);
  if (last.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED && !AFTER_WFT_STARTED.has(next.eventType)) {
    throw new HistoryInvariantError(`${EventType[next.eventType]} cannot follow WorkflowTaskStarted`);
  }
}

/** For result events: the attribute naming the event they answer, and that event's type. */
const REFERENCES: ReadonlyArray<[attrs: keyof IHistoryEvent, field: string, target: number]> = [
  ['activityTaskStartedEventAttributes', 'scheduledEventId', EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED],
  ['activityTaskCompletedEventAttributes', 'scheduledEventId', EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED],
  ['activityTaskFailedEventAttributes', 'scheduledEventId', EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED],
  ['activityTaskTimedOutEventAttributes', 'scheduledEventId', EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED],
  ['activityTaskCanceledEventAttributes', 'scheduledEventId', EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED],
  ['activityTaskCancelRequestedEventAttributes', 'scheduledEventId', EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED],
  ['timerFiredEventAttributes', 'startedEventId', EventType.EVENT_TYPE_TIMER_STARTED],
  ['timerCanceledEventAttributes', 'startedEventId', EventType.EVENT_TYPE_TIMER_STARTED],
  ['childWorkflowExecutionStartedEventAttributes', 'initiatedEventId', EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED],
  ['startChildWorkflowExecutionFailedEventAttributes', 'initiatedEventId', EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED],
  ['childWorkflowExecutionCompletedEventAttributes', 'initiatedEventId', EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED],
  ['childWorkflowExecutionFailedEventAttributes', 'initiatedEventId', EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED],
  ['childWorkflowExecutionCanceledEventAttributes', 'initiatedEventId', EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED],
  ['childWorkflowExecutionTimedOutEventAttributes', 'initiatedEventId', EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED],
  ['childWorkflowExecutionTerminatedEventAttributes', 'initiatedEventId', EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED],
  ['workflowTaskStartedEventAttributes', 'scheduledEventId', EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED],
];

/** Result events must point at an existing event of the right type; fired timers keep their id. */
function assertReferences(events: readonly IHistoryEvent[], next: IHistoryEvent): void {
  for (const [key, field, target] of REFERENCES) {
    const attrs = next[key] as Record<string, unknown> | null | undefined;
    if (!attrs) continue;
    const refId = Number(attrs[field] ?? 0);
    const ref = events[refId - 1];
    if (!ref || ref.eventType !== target) {
      throw new HistoryInvariantError(`${String(key)}.${field} = ${refId} does not name a ${EventType[target]} event`);
    }
    if (key === 'timerFiredEventAttributes' || key === 'timerCanceledEventAttributes') {
      if (ref.timerStartedEventAttributes?.timerId !== (attrs.timerId as string | undefined)) {
        throw new HistoryInvariantError(`timer id ${String(attrs.timerId)} does not match TimerStarted ${refId}`);
      }
    }
  }
}
