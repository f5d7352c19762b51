import type { DomainEvent } from '../../../src/domain/events';
import { foldEvents, type IncidentState } from '../../../src/domain/incident';

const AT = '2026-11-22T01:00:00.000Z';
const SYSTEM = { kind: 'system' as const, id: 'workflow' };

/**
 * The events of an incident waiting on two approvals (containment by the commander, the
 * authority notification by the DPO), with a forensic window and a running GDPR clock.
 */
export function incidentEvents(incidentId: string, deadlineAt = '2099-01-01T00:00:00.000Z'): DomainEvent[] {
  let seq = 0;
  const e = <T extends DomainEvent>(x: Omit<T, 'seq' | 'incidentId' | 'at' | 'actor'>): DomainEvent =>
    ({ incidentId, seq: ++seq, at: AT, actor: SYSTEM, ...x }) as DomainEvent;
  return [
    e({
      type: 'IncidentOpened',
      data: {
        title: 'Exfiltration from orders',
        severity: 'critical',
        scenario: 'kafka-exfiltration',
        mode: 'live',
        principal: 'User:report-exporter',
        fingerprint: 'f'.repeat(64),
        runbook: {
          id: 'kafka-exfiltration',
          version: 3,
          contentHash: 'a'.repeat(64),
          steps: [
            { id: 'contain', action: 'contain', approval: 'incident-commander' },
            { id: 'rotate', action: 'rotate-credentials', approval: 'none' },
            { id: 'notify-authority', action: 'notify', approval: 'dpo' },
          ],
        },
      },
    }),
    e({ type: 'ApprovalRequested', data: { approvalId: 'appr-contain', stepId: 'contain', role: 'incident-commander', reason: 'revoke all ACLs of User:report-exporter' } }),
    e({ type: 'ApprovalRequested', data: { approvalId: 'appr-notify', stepId: 'notify-authority', role: 'dpo', reason: 'file the Art. 33 notification' } }),
    e({ type: 'LegalHoldApplied', data: { topic: 'orders', previousRetentionMs: '604800000', retentionMs: '-1' } }),
    e({
      type: 'ForensicWindowEstablished',
      data: {
        topic: 'orders',
        partitions: [],
        totals: { partitions: 3, ranges: 3, records: '1234567', bytes: '987654321', firstTs: 1_700_000_000_000, lastTs: 1_700_000_360_000 },
        bytesExact: true,
        sources: ['committed-offsets', 'timestamp-index'],
        dataSubjects: { count: 4321, method: 'exact', relativeStandardError: 0 },
        piiCategories: ['email'],
      },
    }),
    e({
      type: 'RegulatoryClockStarted',
      data: { regime: 'gdpr', authority: 'UK ICO', awarenessAt: AT, workflowId: `${incidentId}/clock/gdpr`, stages: [{ stage: 'authority', due: deadlineAt, rule: 'GDPR Art. 33(1)', phased: true }] },
    }),
  ];
}

/** The folded state of {@link incidentEvents}. */
export function incidentState(incidentId = 'incident-abc'): IncidentState {
  return foldEvents(incidentEvents(incidentId));
}
