import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../src/domain/events';
import type { IncidentState } from '../../../src/domain/incident';
import { poisonedAccuracy } from '../../../src/drill/poisoned-orders';

/* The poisoned-orders accuracy checks: each figure a response can get wrong fails its own check. */

const truth = {
  scenario: 'poisoned-orders',
  topic: 'orders',
  rogue: 'User:qa-loadtest',
  forged: {
    '0': [{ from: '5', to: '6', records: '2', bytes: '700' }, { from: '12', to: '12', records: '1', bytes: '380' }],
    '1': [{ from: '3', to: '4', records: '2', bytes: '710' }],
  },
  firstForgedOffsets: { '0': '5', '1': '3' },
  expectedRewinds: { 'risk-engine': { '0': '5', '1': '3' } },
  forgedRecords: '5',
};

const range = (from: string, to: string, records: string, bytes: string) => ({ from, to, records, bytes, firstTs: 1, lastTs: 2 });
const state = (ranges0 = [range('5', '6', '2', '700'), range('12', '12', '1', '380')]): IncidentState =>
  ({
    forensicWindows: {
      orders: {
        partitions: [
          { partition: 0, ranges: ranges0 },
          { partition: 1, ranges: [range('3', '4', '2', '710')] },
        ],
        totals: { records: String(ranges0.reduce((n, r) => n + Number(r.records), 0) + 2) },
      },
    },
  }) as unknown as IncidentState;

const at = '2026-12-05T10:00:00.000Z';
const actor = { kind: 'system' as const, id: 't' };
const ev = (type: string, data: Record<string, unknown>): DomainEvent => ({ incidentId: 'i', seq: 1, type, at, actor, data, prevHash: '', hash: '' }) as unknown as DomainEvent;
const evidence = (partition: number, from: string, to: string) => ev('EvidencePreserved', { sourceTopic: 'orders', partition, from, to, records: String(Number(to) - Number(from) + 1), evidenceTopic: 'e', digest: 'd' });
const good: DomainEvent[] = [
  ev('RegulatoryClockStarted', { regime: 'dora', authority: 'BaFin', awarenessAt: at, workflowId: 'w', stages: [] }),
  evidence(0, '5', '6'),
  evidence(0, '12', '12'),
  evidence(1, '3', '4'),
  ev('ActionPerformed', { stepId: 'rewind-risk', action: 'kafka.reset-offsets', summary: 's', details: { group: 'risk-engine', topic: 'orders', p0: '40 → 5', p1: '30 → 3' } }),
];

const failed = (checks: ReturnType<typeof poisonedAccuracy>): string[] => checks.filter((c) => !c.ok).map((c) => c.name);

describe('poisoned-orders accuracy', () => {
  it('passes a response that matches the ground truth', () => {
    expect(failed(poisonedAccuracy(state(), truth, good))).toEqual([]);
  });

  it('fails a window that merged a legitimate record into a forged range', () => {
    expect(failed(poisonedAccuracy(state([range('5', '12', '8', '3000')]), truth, good))).toEqual(['forged ranges of orders-0', 'forged records located']);
  });

  it('fails a group rewound elsewhere, evidence with an extra record, and a GDPR clock', () => {
    const events = good.map((e) => (e.type === 'ActionPerformed' ? ev('ActionPerformed', { ...e.data, details: { group: 'risk-engine', topic: 'orders', p0: '40 → 0', p1: '30 → 3' } }) : e));
    events.push(evidence(1, '5', '5'), ev('RegulatoryClockStarted', { regime: 'gdpr', authority: 'x', awarenessAt: at, workflowId: 'w2', stages: [] }));
    expect(failed(poisonedAccuracy(state(), truth, events))).toEqual([
      'consumer group risk-engine rewound to the first forged offsets',
      'evidence holds exactly the forged records',
      'no GDPR clock (no personal data disclosed)',
    ]);
  });

  it('fails when the rewind never ran', () => {
    expect(failed(poisonedAccuracy(state(), truth, good.filter((e) => e.type !== 'ActionPerformed')))).toEqual(['consumer group risk-engine rewound to the first forged offsets']);
  });
});
