import { describe, expect, it } from 'vitest';
import type { IncidentState, RegulatoryClockState } from '../../../src/domain/incident';
import { renderAfterActionReport } from '../../../src/drill/report';
import { scoreDrill, type DrillGroundTruth } from '../../../src/drill/score';

/* Scoring is pure: these cases pin what a drill's report says when the response falls short. */

const truth: DrillGroundTruth = {
  topic: 'orders',
  partitions: [
    { partition: 0, from: '10', to: '19', records: '10', bytes: '1000' },
    { partition: 1, from: '5', to: '9', records: '5', bytes: '500' },
  ],
  totals: { records: '15', bytes: '1500' },
  dataSubjects: 7,
};

function state(over: Partial<IncidentState>): IncidentState {
  return {
    incidentId: 'drill-1-incident',
    status: 'closed',
    openedAt: '2026-11-22T10:00:00.000Z',
    steps: [{ id: 'contain', action: 'contain', approval: 'none', status: 'completed', approved: false, attempts: 1, startedAt: '2026-11-22T10:00:00.100Z', finishedAt: '2026-11-22T10:00:01.500Z' }],
    decisions: [{ approvalId: 'a1', stepId: 'break-circuits', role: 'incident-commander', granted: true, approver: 'U1', at: '2026-11-22T10:05:00.000Z' }],
    pendingApprovals: [],
    clocks: { gdpr: gdprClock({ filedAt: '2026-11-22T12:00:00.000Z', late: false }) },
    forensicWindows: {
      orders: {
        partitions: [
          { partition: 0, from: '10', to: '19', records: '10', bytes: '1000' },
          { partition: 1, from: '5', to: '9', records: '5', bytes: '500' },
        ],
        totals: { records: '15', bytes: '1500' },
        dataSubjects: { count: 7, method: 'exact', relativeStandardError: 0 },
      },
    },
    ...over,
  } as unknown as IncidentState;
}

/** A GDPR clock with one filing of its authority stage. */
function gdprClock(filing: { filedAt: string; late: boolean; lateReason?: string }, missed = false): RegulatoryClockState {
  const filed = { authority: 'CNIL', reference: 'R', filer: 'U1', phase: 'initial' as const, ...filing };
  return {
    regime: 'gdpr',
    authority: 'CNIL',
    workflowId: 'w/clock/gdpr',
    awarenessAt: '2026-11-22T10:00:00.000Z',
    stages: [{ stage: 'authority', due: '2026-11-25T10:00:00.000Z', rule: 'GDPR Art. 33(1)', phased: true, filings: [filed], missed, reminders: [] }],
    deadlineAt: '2026-11-25T10:00:00.000Z',
    filed,
    missed,
  };
}

describe('drill scoring', () => {
  it('a complete, exact and timely response scores 100 with its measured times', () => {
    const score = scoreDrill(state({}), truth, [{ approvalId: 'a1', at: '2026-11-22T10:03:00.000Z' }]);
    expect(score.points).toBe(100);
    expect(score.timeToContainmentMs).toBe(1500);
    expect(score.timeToFirstApprovalMs).toBe(120_000);
    expect(score.deadlines).toEqual([{ regime: 'gdpr', deadlineAt: '2026-11-25T10:00:00.000Z', filedAt: '2026-11-22T12:00:00.000Z', met: true }]);
    expect(score.accuracy.exact).toBe(true);
  });

  it('a wrong byte count on one partition, a late filing and no containment each cost points and show in the report', () => {
    const s = state({
      steps: [{ id: 'contain', action: 'contain', approval: 'none', status: 'failed', approved: false, attempts: 3 }],
      clocks: { gdpr: gdprClock({ filedAt: '2026-11-26T10:00:00.000Z', late: true, lateReason: 'r' }, true) },
      forensicWindows: {
        orders: {
          partitions: [
            { partition: 0, from: '10', to: '19', records: '10', bytes: '999' },
            { partition: 1, from: '5', to: '9', records: '5', bytes: '500' },
          ],
          totals: { records: '15', bytes: '1499' },
          dataSubjects: { count: 7, method: 'exact', relativeStandardError: 0 },
        },
      } as unknown as IncidentState['forensicWindows'],
    });
    const score = scoreDrill(s, truth);
    expect(score.timeToContainmentMs).toBeUndefined();
    expect(score.deadlines[0]?.met).toBe(false);
    expect(score.accuracy.exact).toBe(false);
    expect(score.accuracy.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['partition 0 window', 'bytes served to the attacker']);
    // Accuracy is the share of the scenario's checks that are ok: 4 of 6.
    expect(score.points).toBe(25 + 16);
    const md = renderAfterActionReport(score, { drillId: 'd', scenario: 'trading-exfiltration', startedAt: 'a', finishedAt: 'b', responders: [], injects: ['x'] });
    expect(md).toContain('| time to containment | not reached |');
    expect(md).toContain('| bytes served to the attacker | 1499 | 1500 | no |');
    expect(md).toContain('**The response does not match the ground truth: 2 of 6 checks failed (16/25).**');
    expect(md).toContain('| gdpr | 2026-11-25T10:00:00.000Z | 2026-11-26T10:00:00.000Z | no |');
  });
});
