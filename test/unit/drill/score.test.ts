import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../src/domain/events';
import type { IncidentState } from '../../../src/domain/incident';
import { renderAfterActionReport } from '../../../src/drill/report';
import type { AccuracyCheck, DrillScenario, ScenarioTruth } from '../../../src/drill/scenario-registry';
import { scoreAccuracy, scoreDrill } from '../../../src/drill/score';
import type { TradingTruth } from '../../../src/drill/trading-exfiltration';

/* The generalized drill score: 4 × 25 points, the accuracy quarter from the scenario's own checks. */

const truth: TradingTruth = {
  scenario: 'trading-exfiltration',
  topic: 'orders',
  partitions: [
    { partition: 0, from: '10', to: '19', records: '10', bytes: '1000' },
    { partition: 3, from: '5', to: '9', records: '5', bytes: '500' },
  ],
  totals: { records: '15', bytes: '1500' },
  dataSubjects: 7,
};

type Window = IncidentState['forensicWindows'][string];

function windowOf(partitions: Array<{ partition: number; from: string; to: string; records: string; bytes: string }>, records = '15', bytes = '1500'): Window {
  return { partitions, totals: { records, bytes }, dataSubjects: { count: 7, method: 'exact', relativeStandardError: 0 } } as unknown as Window;
}

/** A closed drill incident: contained, one approval granted, GDPR filed in time, the window exact. */
function perfect(over: Partial<IncidentState> = {}): IncidentState {
  const filed = { authority: 'CNIL', reference: 'R', filer: 'U1', phase: 'initial' as const, filedAt: '2026-11-22T12:00:00.000Z', late: false };
  return {
    incidentId: 'drill-x-incident',
    status: 'closed',
    openedAt: '2026-11-22T10:00:00.000Z',
    steps: [{ id: 'contain', action: 'contain', approval: 'none', status: 'completed', approved: false, attempts: 1, startedAt: '2026-11-22T10:00:00.100Z', finishedAt: '2026-11-22T10:00:02.000Z' }],
    decisions: [{ approvalId: 'a1', stepId: 'rotate', role: 'incident-commander', granted: true, approver: 'auto-responder', at: '2026-11-22T10:01:00.000Z' }],
    pendingApprovals: [],
    clocks: {
      gdpr: {
        regime: 'gdpr',
        authority: 'CNIL',
        workflowId: 'w/clock/gdpr',
        awarenessAt: '2026-11-22T10:00:00.000Z',
        stages: [{ stage: 'authority', due: '2026-11-25T10:00:00.000Z', rule: 'GDPR Art. 33(1)', phased: true, filings: [filed], missed: false, reminders: [] }],
        deadlineAt: '2026-11-25T10:00:00.000Z',
        filed,
        missed: false,
      },
    },
    forensicWindows: { orders: windowOf(truth.partitions) },
    ...over,
  } as unknown as IncidentState;
}

const requests = [{ approvalId: 'a1', at: '2026-11-22T10:00:30.000Z' }];

describe('generalized drill score', () => {
  it('a perfect trading response scores 100, every accuracy check ok', () => {
    const score = scoreDrill(perfect(), truth, requests);
    expect(score.points).toBe(100);
    expect(score.accuracy.exact).toBe(true);
    expect(score.accuracy.points).toBe(25);
    expect(score.accuracy.checks.map((c) => c.name)).toEqual([
      'partition 0 window',
      'partition 3 window',
      'partitions outside the ground truth',
      'records read by the attacker',
      'bytes served to the attacker',
      'distinct data subjects',
    ]);
  });

  it('a wrong partition loses accuracy points, and only those', () => {
    const shifted = [truth.partitions[0]!, { partition: 3, from: '4', to: '9', records: '6', bytes: '600' }];
    const score = scoreDrill(perfect({ forensicWindows: { orders: windowOf(shifted, '16', '1600') } }), truth, requests);
    expect(score.accuracy.exact).toBe(false);
    expect(score.accuracy.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['partition 3 window', 'records read by the attacker', 'bytes served to the attacker']);
    expect(score.accuracy.checks.find((c) => c.name === 'partition 3 window')).toMatchObject({ expected: '5..9, 5 records, 500 bytes', measured: '4..9, 6 records, 600 bytes' });
    expect(score.points).toBe(75 + Math.floor((25 * 3) / 6));
  });

  it('a partition the attacker never read, reported as read, is an accuracy failure', () => {
    const score = scoreDrill(perfect({ forensicWindows: { orders: windowOf([...truth.partitions, { partition: 7, from: '0', to: '0', records: '1', bytes: '10' }]) } }), truth, requests);
    expect(score.accuracy.checks.find((c) => c.name === 'partitions outside the ground truth')).toMatchObject({ ok: false, measured: '7' });
    expect(score.points).toBeLessThan(100);
  });

  it('no forensic window at all: every trading check fails with nothing measured', () => {
    const score = scoreDrill(perfect({ forensicWindows: {} }), truth, requests);
    expect(score.accuracy.points).toBe(0);
    expect(score.accuracy.checks.every((c) => !c.ok && c.measured === undefined)).toBe(true);
    expect(score.points).toBe(75);
  });

  it('scores a ground truth without `scenario` (a drill started before the registry) as trading', () => {
    const { scenario: _s, ...legacy } = truth;
    void _s;
    expect(scoreDrill(perfect(), legacy, requests).points).toBe(100);
  });

  it('refuses a ground truth of an unknown scenario rather than scoring it against the wrong checks', () => {
    expect(() => scoreDrill(perfect(), { scenario: 'no-such-scenario' }, requests)).toThrow(/unknown scenario no-such-scenario/);
  });

  describe('a fake scenario', () => {
    const seen: Array<{ truth: ScenarioTruth; events: readonly DomainEvent[] }> = [];
    const fake = (checks: AccuracyCheck[]): DrillScenario => ({
      name: 'fake',
      runbookId: 'fake',
      alertPayload: () => ({}),
      alertInject: 'fake alert',
      seed: () => Promise.reject(new Error('not seeded in unit tests')),
      accuracy: (_state, t, events) => {
        seen.push({ truth: t, events });
        return checks;
      },
    });
    const check = (name: string, ok: boolean): AccuracyCheck => ({ name, expected: 'x', measured: ok ? 'x' : 'y', ok });
    const fakeTruth: ScenarioTruth = { scenario: 'fake', tokens: ['t1'] };
    const events = [{ type: 'IncidentOpened' }] as unknown as DomainEvent[];

    it("drives the accuracy quarter with its checks, given the ground truth and the incident's events", () => {
      const all = scoreDrill(perfect({ forensicWindows: {} }), fakeTruth, requests, { scenario: fake([check('a', true), check('b', true)]), events });
      expect(all.points).toBe(100);
      expect(seen.at(-1)).toEqual({ truth: fakeTruth, events });
      const some = scoreDrill(perfect(), fakeTruth, requests, { scenario: fake([check('a', true), check('b', false), check('c', true)]) });
      expect(some.accuracy).toMatchObject({ exact: false, points: 16 });
      expect(some.points).toBe(75 + 16);
      expect(seen.at(-1)?.events).toEqual([]);
      expect(scoreDrill(perfect(), fakeTruth, requests, { scenario: fake([check('a', false)]) }).points).toBe(75);
    });

    it('earns nothing for accuracy when it has no checks: no check proves nothing', () => {
      expect(scoreAccuracy([])).toEqual({ exact: false, checks: [], points: 0 });
      expect(scoreDrill(perfect(), fakeTruth, requests, { scenario: fake([]) }).points).toBe(75);
    });

    it('the after-action report lists its checks, a pipe in a value kept inside its cell', () => {
      const score = scoreDrill(perfect(), fakeTruth, requests, { scenario: fake([check('token revoked', true), { name: 'accessors | revoked', expected: 'a|b', ok: false }]) });
      const md = renderAfterActionReport(score, { drillId: 'd1', scenario: 'fake', startedAt: 's', finishedAt: 'f', responders: ['auto-responder'], injects: ['fake alert'] });
      expect(md).toContain('| token revoked | x | x | yes |');
      expect(md).toContain('| accessors \\| revoked | — | a\\|b | no |');
      expect(md).toContain('**The response does not match the ground truth: 1 of 2 checks failed (12/25).**');
      expect(md).toContain('Score: **87/100**');
    });
  });
});
