import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../../src/domain/events';
import { summarize, timeline } from '../../../src/domain/incident';
import { fullHistory, HistoryBuilder, opened } from './history';

describe('timeline', () => {
  const events = fullHistory().events;
  const lines = timeline(events);

  it('has one entry per event, in sequence order even when given out of order', () => {
    const shuffled = [...events].reverse();
    expect(timeline(shuffled)).toEqual(lines);
    expect(lines.map((l) => l.seq)).toEqual(events.map((e) => e.seq));
    expect(lines[0]).toEqual({ at: events[0]!.at, seq: 1, type: 'IncidentOpened', summary: expect.any(String) });
  });

  it('tells a reader what happened, in words', () => {
    const byType = (type: string): string[] => lines.filter((l) => l.type === type).map((l) => l.summary);
    expect(byType('IncidentOpened')[0]).toBe(
      'Incident opened (critical, live): report-exporter reading orders; principal User:report-exporter; runbook kafka-exfiltration v1 (abababababab)',
    );
    expect(byType('AccessRevoked')[0]).toBe(
      'Access revoked for User:report-exporter (its resources): 2 ALLOW bindings removed, 1 DENY binding added; produce and consume now refused',
    );
    expect(byType('StepFailed')[0]).toBe('Step "rotate-credentials" (rotate-credentials) failed on attempt 1: VaultSealed: Vault is sealed (will retry)');
    expect(byType('StepStarted')).toContain('Step "rotate-credentials" (rotate-credentials) started, attempt 2');
    expect(byType('StepCompleted')).toContain('Step "rotate-credentials" (rotate-credentials) completed in 1 min 35 s');
    expect(byType('CredentialRotated')[0]).toBe(
      'Credentials of report-scheduler rotated (SCRAM-SHA-512, 8192 iterations); new secret at kafka/service-accounts/report-scheduler version 4; old password refused',
    );
    expect(byType('CredentialRevoked')).toEqual([
      'Kafka SCRAM user deleted for report-exporter (report-exporter)',
      'Vault token revoked for report-exporter (accessor-9c1d)',
    ]);
    expect(byType('LegalHoldApplied')[0]).toBe('Legal hold on orders: retention.ms 604800000 → -1 (forever)');
    expect(byType('ForensicWindowEstablished')[0]).toBe(
      'Forensic window on orders: 43,200,000,000 records (43,200,000,000,000 bytes) read from 12 partitions between ' +
        '2026-11-19T08:00:00.000Z and 2026-11-20T08:00:00.000Z; ≈182,344 data subjects (±0.81% standard error)',
    );
    expect(byType('EvidencePreserved')[1]).toBe('Evidence preserved: orders[0] offsets 10000..14999 (5,000 records) copied to breachline.evidence.orders');
    expect(byType('RegulatoryClockStarted')).toEqual([
      'GDPR clock started (aware at 2026-11-20T08:00:00.000Z, provisional): authority due 2026-11-23T08:00:00.000Z',
      'DORA clock started (aware at 2026-11-20T08:00:00.000Z, provisional): initial no due yet, intermediate no due yet, final no due yet',
    ]);
    expect(byType('DeadlinesRecomputed')[0]).toBe('GDPR deadlines recomputed (awareness determined: 2026-11-20T07:00:00.000Z): authority due 2026-11-23T07:00:00.000Z');
    expect(byType('NotificationFiled')[0]).toBe('GDPR authority notification to CNIL filed (ref CNIL-2026-1142), on time');
    expect(byType('RegimeNotNotifiable')[0]).toBe('DORA recorded as not notifiable: classified not major: no DORA report is due');
    expect(byType('IncidentClosed')[0]).toBe('Incident closed: contained, evidence preserved, authority notified; open items: restore analytics access');
  });

  it('summarises every event type without personal data or secrets', () => {
    const b = new HistoryBuilder();
    opened(b);
    const samples = [
      ...fullHistory().events,
      b.make('ApprovalDenied', { approvalId: 'a', stepId: 'break-circuits', role: 'incident-commander', approver: 'U9', reason: 'month end' }),
      b.make('StepPlanned', { stepId: 'contain', action: 'contain', changes: [{ kind: 'acl.delete', target: 'TOPIC:orders', description: 'remove READ on orders' }] }),
      b.make('StepCompensated', { stepId: 'contain', action: 'contain', undone: '2 ALLOW bindings restored' }),
      b.make('CircuitClosed', { breaker: 'orders-to-analytics', topic: 'orders', principals: ['User:analytics-consumer'], approvalId: 'apr-3' }),
      b.make('DeadlineMissed', { regime: 'gdpr', stage: 'authority', deadlineAt: '2026-11-23T08:00:00.000Z' }),
      b.make('ActionRefused', { userId: 'U0RESPONDER', role: 'responder', action: 'close', request: '/ir close incident-1 done', refusedAt: '2026-11-20T09:00:00.000Z' }),
      b.make('ApprovalGranted', { approvalId: 'breaker:orders-to-analytics/1', stepId: 'break-circuits', role: 'incident-commander', approver: 'U1', breaker: 'orders-to-analytics' }),
      b.make('ApprovalExpired', { approvalId: 'break-circuits/1', stepId: 'break-circuits', role: 'incident-commander', waitedMs: 86_400_000 }),
      b.make('StepSkipped', { stepId: 'break-circuits', action: 'break-circuits', skippedBy: 'U1', role: 'incident-commander', reason: 'analytics already offline' }),
      b.make('IncidentAborted', { abortedBy: 'U1', role: 'incident-commander', reason: 'false alarm' }),
      b.make('AuditShippingHalted', { error: { type: 'AuditConflict', message: 'seq 9 differs' }, pendingFromSeq: 9 }),
      b.make('AuditShippingResumed', { requestedBy: 'U1', role: 'incident-commander' }),
      b.make('SeverityChanged', { from: 'high', to: 'critical', reason: 'client data confirmed', changedBy: 'U1', role: 'incident-commander' }),
      // Issue 13.
      b.make('EvidenceManifestSigned', {
        sourceTopic: 'orders', partition: 0, evidenceTopic: 'breachline.evidence.orders', evidencePartition: 0, manifestOffset: '17', manifestSha256: 'ab'.repeat(32),
        merkleRoot: 'cd'.repeat(32), chainHead: 'ef'.repeat(32), records: '15000', chunks: 6, sourceBytes: '4500000', evidenceBytes: '5100000',
        keyIds: ['breachline-evidence:v1'], signingKey: 'breachline-evidence-signing', signature: 'vault:v1:c2ln',
      }),
      b.make('EvidenceExported', { decrypted: true, authorisedBy: 'U-DPO', archiveSha256: '12'.repeat(32), manifests: 1, records: '15000' }),
      // War room (issue 16).
      b.make('NoteAdded', { text: 'exporter paused', addedBy: 'U1', role: 'responder' }),
      b.make('TaskAdded', { number: 1, assignee: 'rita', text: 'rotate keys', addedBy: 'U1', role: 'responder' }),
      b.make('TaskCompleted', { number: 1, completedBy: 'U2', role: 'dpo' }),
      b.make('FollowUpAdded', { text: 'review retention', addedBy: 'U1', role: 'responder' }),
      // Generic actions (issue 17).
      b.make('ActionPerformed', { stepId: 'page-on-call', action: 'page', summary: 'paged the on-call through PagerDuty', details: { provider: 'pagerduty' } }),
      // wait-for (issue 17).
      b.make('DecisionAsked', { stepId: 'ask', question: 'Rewind?', options: ['rewind', 'stop'], role: 'incident-commander', onTimeout: 'stop', stopOn: ['stop'], deadline: '2026-11-20T09:00:00.000Z' }),
      b.make('DecisionTaken', { stepId: 'ask', answer: 'rewind', decidedBy: 'U1', role: 'incident-commander', stops: false }),
      b.make('DecisionTimedOut', { stepId: 'ask', answer: 'stop', waitedMs: 3_600_000, stops: true }),
    ];
    expect(new Set(samples.map((e) => e.type)).size).toBe(EVENT_TYPES.length);
    const text = samples.map(summarize);
    expect(text.every((t) => t.length > 10 && !t.includes('undefined') && !t.includes('[object'))).toBe(true);
    expect(text).toContain('Severity changed from high to critical by U1 (incident-commander): client data confirmed');
    expect(text).toContain('Step "page-on-call" (page): paged the on-call through PagerDuty');
    expect(text).toContain('Step "break-circuits" refused by U9 (incident-commander): month end');
    expect(text).toContain('Dry run of "contain" (contain) would make 1 change: remove READ on orders');
    expect(text).toContain('GDPR authority due 2026-11-23T08:00:00.000Z passed without a filing');
    expect(text).toContain('Refused by policy: U0RESPONDER (responder) may not close; asked "/ir close incident-1 done" at 2026-11-20T09:00:00.000Z');
    expect(text).toContain('Breaker "orders-to-analytics" of step "break-circuits" approved by U1 (incident-commander)');
    expect(text).toContain('Data subjects must be told (GDPR): 182,344 data subjects, categories contact, name; contact data of about 182344 clients');
  });
});
