import { describe, expect, it } from 'vitest';
import { assertAppendable, HistoryInvariantError } from '../../../src/sandbox/temporal/history/invariants';
import { EventType, timestamp, type IHistoryEvent } from '../../../src/sandbox/temporal/proto';

const at = timestamp(Date.now());
const started: IHistoryEvent = { eventId: 1, eventTime: at, eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, workflowExecutionStartedEventAttributes: { workflowType: { name: 'w' } } };
const wftScheduled: IHistoryEvent = { eventId: 2, eventTime: at, eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, workflowTaskScheduledEventAttributes: {} };
const wftStarted: IHistoryEvent = { eventId: 3, eventTime: at, eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, workflowTaskStartedEventAttributes: { scheduledEventId: 2 } };

describe('history invariants', () => {
  it('accepts a well-formed start', () => {
    expect(() => assertAppendable([], started)).not.toThrow();
    expect(() => assertAppendable([started], wftScheduled)).not.toThrow();
  });

  it('rejects gaps, missing times, missing attributes and a wrong first event', () => {
    expect(() => assertAppendable([started], { ...wftScheduled, eventId: 3 })).toThrow(HistoryInvariantError);
    expect(() => assertAppendable([started], { ...wftScheduled, eventTime: undefined })).toThrow(/event_time/);
    expect(() => assertAppendable([started], { eventId: 2, eventTime: at, eventType: EventType.EVENT_TYPE_TIMER_FIRED })).toThrow(/attributes/);
    expect(() => assertAppendable([], { ...wftScheduled, eventId: 1 })).toThrow(/first event/);
  });

  it('requires result events to name the event they answer', () => {
    const fired: IHistoryEvent = { eventId: 3, eventTime: at, eventType: EventType.EVENT_TYPE_TIMER_FIRED, timerFiredEventAttributes: { timerId: '1', startedEventId: 2 } };
    expect(() => assertAppendable([started, wftScheduled], fired)).toThrow(/TIMER_STARTED/);
    const timer: IHistoryEvent = { eventId: 2, eventTime: at, eventType: EventType.EVENT_TYPE_TIMER_STARTED, timerStartedEventAttributes: { timerId: '2' } };
    expect(() => assertAppendable([started, timer], fired)).toThrow(/timer id/);
    expect(() => assertAppendable([started, { ...timer, timerStartedEventAttributes: { timerId: '1' } }], fired)).not.toThrow();
  });

  it('allows only a completion, failure, timeout or termination after WorkflowTaskStarted', () => {
    const signal: IHistoryEvent = { eventId: 4, eventTime: at, eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, workflowExecutionSignaledEventAttributes: { signalName: 's' } };
    expect(() => assertAppendable([started, wftScheduled, wftStarted], signal)).toThrow(/cannot follow/);
    const terminated: IHistoryEvent = { eventId: 4, eventTime: at, eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED, workflowExecutionTerminatedEventAttributes: {} };
    expect(() => assertAppendable([started, wftScheduled, wftStarted], terminated)).not.toThrow();
    expect(() => assertAppendable([started, wftScheduled, wftStarted, terminated], { ...signal, eventId: 5 })).toThrow(/terminal/);
  });
});
