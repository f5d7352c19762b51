import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../src/domain/events';
import { renderReport } from '../../../src/domain/report';
import { STUB_PARTITIONS } from './stub-activities';

const at = (min: number): string => new Date(Date.UTC(2026, 10, 22, 1, min)).toISOString();
const wf = { kind: 'system' as const, id: 'workflow' };
const base = { incidentId: 'inc-r' };

const events: DomainEvent[] = [
  {
    ...base,
    seq: 1,
    type: 'IncidentOpened',
    at: at(0),
    actor: wf,
    data: {
      title: 'orders exfiltrated',
      severity: 'critical',
      scenario: 'kafka-exfiltration',
      mode: 'live',
      principal: 'User:report-exporter',
      fingerprint: 'f'.repeat(64),
      runbook: { id: 'kafka-exfiltration', version: 1, contentHash: 'a'.repeat(64), steps: [{ id: 'contain', action: 'contain', approval: 'none' }, { id: 'forensics', action: 'forensics', approval: 'none' }] },
    },
  },
  { ...base, seq: 2, type: 'StepStarted', at: at(1), actor: wf, data: { stepId: 'contain', action: 'contain', attempt: 1 } },
  { ...base, seq: 3, type: 'AccessRevoked', at: at(1), actor: wf, data: { principal: 'User:report-exporter', scope: 'resources', removedAllowBindings: [], addedDenyBindings: [], verified: true } },
  { ...base, seq: 4, type: 'StepCompleted', at: at(2), actor: wf, data: { stepId: 'contain', action: 'contain', durationMs: 900 } },
  { ...base, seq: 5, type: 'StepStarted', at: at(3), actor: wf, data: { stepId: 'forensics', action: 'forensics', attempt: 1 } },
  { ...base, seq: 6, type: 'LegalHoldApplied', at: at(3), actor: wf, data: { topic: 'orders', previousRetentionMs: '604800000', retentionMs: '-1' } },
  {
    ...base,
    seq: 7,
    type: 'ForensicWindowEstablished',
    at: at(4),
    actor: wf,
    data: {
      topic: 'orders',
      partitions: STUB_PARTITIONS,
      totals: { partitions: 3, ranges: 3, records: '300', bytes: '30000', firstTs: 1, lastTs: 2 },
      bytesExact: true,
      sources: ['committed-offsets'],
      dataSubjects: { count: 42, method: 'exact', relativeStandardError: 0 },
      piiCategories: ['contact'],
    },
  },
  { ...base, seq: 8, type: 'StepCompleted', at: at(5), actor: wf, data: { stepId: 'forensics', action: 'forensics', durationMs: 60_000 } },
  { ...base, seq: 9, type: 'IncidentClosed', at: at(6), actor: wf, data: { resolution: 'done', openItems: ['GDPR: notification to the authority not filed'] } },
];

describe('renderReport', () => {
  it('renders the same Markdown whatever order the events arrive in', () => {
    const shuffled = [...events].reverse();
    expect(renderReport(shuffled)).toBe(renderReport(events));
  });

  it('holds the timeline, actions, forensic figures and open items', () => {
    const md = renderReport(events);
    expect(md).toMatch(/^# Incident report: orders exfiltrated/);
    expect(md).toContain('Access revoked for User:report-exporter');
    expect(md).toContain('orders: 300 records, 30000 bytes from 3 partitions; 42 data subjects (exact)');
    expect(md).toContain('- GDPR: notification to the authority not filed');
    expect(md).toContain('## Timeline');
    expect(md.split('\n').filter((l) => /^\| \d+ \| 2026-/.test(l))).toHaveLength(events.length);
  });

  it('refuses an event sequence the reducer would refuse (a gap)', () => {
    expect(() => renderReport(events.filter((e) => e.seq !== 4))).toThrow();
  });
});
