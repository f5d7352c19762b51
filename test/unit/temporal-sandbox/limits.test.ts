import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, resolveLimits } from '../../../src/sandbox/temporal/limits';
import { violationReason } from '../../../src/sandbox/temporal/payload-limits';
import { encodedHistory, protoRoot, temporal } from '../../../src/sandbox/temporal/proto';
import { serializeResponse } from '../../../src/sandbox/temporal/server';

describe('temporal sandbox limits', () => {
  it('defaults to the real server values and takes lowered ones', () => {
    expect(DEFAULT_LIMITS).toMatchObject({ blobSizeError: 2 * 1024 * 1024, historyCountError: 51_200, historyCountWarn: 10_240, historySizeError: 50 * 1024 * 1024, historySizeWarn: 10 * 1024 * 1024, grpcMaxReceiveBytes: 4 * 1024 * 1024 });
    expect(resolveLimits({ historyCountError: 100 })).toMatchObject({ historyCountError: 100, blobSizeError: DEFAULT_LIMITS.blobSizeError });
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => resolveLimits({ historyCountError: 0 })).toThrow(/historyCountError/);
    expect(() => resolveLimits({ blobSizeError: 1.5 })).toThrow(/blobSizeError/);
  });

  it('words a termination reason as the real server does', () => {
    const cause = temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES;
    expect(violationReason({ cause, message: 'ScheduleActivityTaskCommandAttributes.Input exceeds size limit.' }))
      .toBe('BadScheduleActivityAttributes: ScheduleActivityTaskCommandAttributes.Input exceeds size limit.');
  });
});

describe('pre-encoded history responses', () => {
  it('decode to the same message as a normally encoded response', () => {
    const E = temporal.api.history.v1.HistoryEvent;
    const events = [
      { eventId: 1, eventType: 1, workflowExecutionStartedEventAttributes: { workflowType: { name: 'w' }, taskQueue: { name: 'q' } } },
      { eventId: 2, eventType: 5, workflowTaskScheduledEventAttributes: { taskQueue: { name: 'q' }, attempt: 1 } },
    ];
    const type = protoRoot.lookupType('temporal.api.workflowservice.v1.PollWorkflowTaskQueueResponse');
    const plain = { taskToken: Buffer.from('t'), startedEventId: 3, attempt: 1, workflowType: { name: 'w' } };
    const fast = serializeResponse(type, { ...plain, history: encodedHistory(events.map((e) => E.encode(E.fromObject(e)).finish())) });
    const slow = Buffer.from(type.encode(type.fromObject({ ...plain, history: { events } })).finish());
    expect(type.toObject(type.decode(fast), { longs: Number })).toEqual(type.toObject(type.decode(slow), { longs: Number }));
  });
});
