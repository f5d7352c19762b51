import { describe, expect, it } from 'vitest';
import { clockStageViews, evidenceView, stepViews, timelineEntries, windowView } from '../../../src/console/incident-views';
import type { DomainEvent } from '../../../src/domain/events';
import { foldEvents } from '../../../src/domain/incident';
import { clockViews } from '../../../workflows/clock-decisions';
import { incidentEvents } from '../slack-ops/incident-fixture';
import { consoleRef } from '../../../src/console/temporal-sources';

const ID = 'incident-views';
const AT = '2026-11-22T02:00:00.000Z';

/** The fixture's events and more, numbered on. */
function withMore(...more: Array<Pick<DomainEvent, 'type' | 'data'> & { actor?: DomainEvent['actor'] }>): DomainEvent[] {
  const events = incidentEvents(ID);
  for (const m of more) events.push({ incidentId: ID, seq: events.length + 1, at: AT, actor: m.actor ?? { kind: 'system', id: 'workflow' }, ...m } as DomainEvent);
  return events;
}

describe('incident page projections', () => {
  it('marks a step that waits for an operator as needs-attention, the others as the fold has them', () => {
    const s = foldEvents(
      withMore(
        { type: 'ApprovalGranted', data: { approvalId: 'appr-contain', stepId: 'contain', role: 'incident-commander', approver: 'U0COMMANDER' } },
        { type: 'StepStarted', data: { stepId: 'contain', action: 'contain', attempt: 1 } },
        { type: 'StepFailed', data: { stepId: 'contain', action: 'contain', attempt: 1, error: { type: 'KafkaUnavailable', message: 'no broker', retriable: false } } },
      ),
    );
    expect(stepViews(s).map((v) => [v.id, v.state, v.title])).toEqual([
      ['contain', 'needs-attention', 'contain'],
      ['rotate', 'pending', 'rotate (rotate-credentials)'],
      ['notify-authority', 'awaiting-approval', 'notify-authority (notify)'],
    ]);
  });

  it('gives each partition of the window with its precision; a window from before access records is bounded', () => {
    const s = foldEvents(
      withMore({
        type: 'ForensicWindowEstablished',
        data: {
          topic: 'orders',
          partitions: [
            { partition: 0, from: '10', to: '19', records: '10', bytes: '1000', firstTs: 1_700_000_000_000, lastTs: null, ranges: [], clampedRecords: '0', precision: 'exact', sources: ['request-log'] },
            { partition: 1, from: '5', to: '7', records: '3', bytes: '300', firstTs: null, lastTs: null, ranges: [], clampedRecords: '0' },
          ],
          totals: { partitions: 2, ranges: 2, records: '13', bytes: '1300', firstTs: 1_700_000_000_000, lastTs: null },
          bytesExact: true,
          sources: ['committed-offsets'],
          dataSubjects: { count: 2, method: 'exact', relativeStandardError: 0 },
          piiCategories: [],
        },
      }),
    );
    expect(windowView(s)?.partitions).toEqual([
      { topic: 'orders', partition: 0, fromOffset: '10', toOffset: '19', fromTime: '2023-11-14T22:13:20.000Z', toTime: null, records: '10', precision: 'exact', sources: ['request-log'] },
      { topic: 'orders', partition: 1, fromOffset: '5', toOffset: '7', fromTime: null, toTime: null, records: '3', precision: 'bounded', sources: ['committed-offsets'] },
    ]);
  });

  it('has no window before forensics and no evidence before a replay', () => {
    const events = incidentEvents(ID).filter((e) => e.type !== 'ForensicWindowEstablished').map((e, i) => ({ ...e, seq: i + 1 }));
    const s = foldEvents(events);
    expect(windowView(s)).toBeNull();
    expect(evidenceView(s, null)).toBeNull();
  });

  it('takes evidence progress from the running replay, with its rate and ETA', () => {
    const s = foldEvents(incidentEvents(ID));
    const progress = { startedAt: AT, updatedAt: AT, records: '500', totalRecords: '2000', bytes: '5000', totalBytes: '20000', evidenceBytes: '5100', partitionsDone: 1, partitionsTotal: 4, recordsPerSecond: 250, etaSeconds: 6, done: false };
    expect(evidenceView(s, progress)).toEqual({ records: '500', bytes: '5000', totalRecords: '2000', ratePerSecond: 250, etaSeconds: 6, done: false });
    expect(evidenceView(s, { ...progress, etaSeconds: null })).not.toHaveProperty('etaSeconds');
  });

  it('lists every stage of every clock, with the first filing once made', () => {
    const s = foldEvents(
      withMore({
        type: 'NotificationFiled',
        actor: { kind: 'user', id: 'U0DPOFFICER' },
        data: { regime: 'gdpr', recipient: 'supervisory-authority', authority: 'UK ICO', reference: 'ICO-1', filedAt: AT, late: false, stage: 'authority', phase: 'initial' },
      }),
    );
    expect(clockStageViews(clockViews(s, 'Europe/London'), s)).toEqual([
      { regime: 'gdpr', authority: 'UK ICO', stage: 'authority', dueAt: '2099-01-01T00:00:00.000Z', state: 'filed', rule: 'GDPR Art. 33(1)', filedAt: AT, reference: 'ICO-1' },
    ]);
  });

  it('tells who did what in the timeline, oldest first', () => {
    const events = withMore({ type: 'ApprovalGranted', actor: { kind: 'user', id: 'U0COMMANDER' }, data: { approvalId: 'appr-contain', stepId: 'contain', role: 'incident-commander', approver: 'U0COMMANDER' } });
    const entries = timelineEntries([...events].reverse());
    expect(entries[0]?.type).toBe('IncidentOpened');
    expect(entries.at(-1)).toEqual({ at: AT, type: 'ApprovalGranted', summary: 'Step "contain" approved by U0COMMANDER (incident-commander)', actor: 'U0COMMANDER' });
  });
});

describe('the id the console hands out for a run', () => {
  it('is the workflow id for a running run and a first generation, the incident id for a closed later one', () => {
    expect(consoleRef('incident-abc', true, 'incident-abc.3')).toBe('incident-abc');
    expect(consoleRef('incident-abc', false, 'incident-abc')).toBe('incident-abc');
    expect(consoleRef('incident-abc', false, 'incident-abc.2')).toBe('incident-abc.2');
  });
});
