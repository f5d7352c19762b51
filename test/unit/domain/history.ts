import type { AclBinding, Actor, DomainEvent, EventDataMap, EventOf, EventType, RunbookStepRef } from '../../../src/domain/events';
import { makeEvent } from '../../../src/domain/events';

/** Builds one incident's events with consecutive seqs and a minute between events. */
export class HistoryBuilder {
  readonly events: DomainEvent[] = [];
  private clock: number;

  constructor(
    readonly incidentId = 'incident-7f3a',
    start = Date.UTC(2026, 10, 20, 8, 0, 0),
  ) {
    this.clock = start;
  }

  /** Appends an event and returns it. */
  add<T extends EventType>(type: T, data: EventDataMap[T], actor: Actor = SYSTEM): EventOf<T> {
    const event = this.make(type, data, actor);
    this.events.push(event);
    return event;
  }

  /** Builds the next event without appending it. */
  make<T extends EventType>(type: T, data: EventDataMap[T], actor: Actor = SYSTEM): EventOf<T> {
    const at = new Date(this.clock).toISOString();
    this.clock += 60_000;
    return makeEvent(type, { incidentId: this.incidentId, seq: this.events.length + 1, at, actor }, data);
  }
}

export const SYSTEM: Actor = { kind: 'system', id: 'workflow' };
export const COMMANDER: Actor = { kind: 'user', id: 'U0COMMANDER' };
export const DPO: Actor = { kind: 'user', id: 'U0DPO' };

export const STEPS: RunbookStepRef[] = [
  { id: 'contain', action: 'contain', approval: 'none' },
  { id: 'rotate-credentials', action: 'rotate-credentials', approval: 'none' },
  { id: 'break-circuits', action: 'break-circuits', approval: 'incident-commander' },
  { id: 'forensics', action: 'forensics', approval: 'none' },
  { id: 'preserve-evidence', action: 'preserve-evidence', approval: 'none' },
  { id: 'notify', action: 'notify', approval: 'none' },
  { id: 'report', action: 'report', approval: 'none' },
  { id: 'close', action: 'close', approval: 'incident-commander' },
];

export const binding = (operation: string, permission: 'ALLOW' | 'DENY', resourceName = 'orders'): AclBinding => ({
  resourceType: 'TOPIC',
  resourceName,
  patternType: 'LITERAL',
  principal: 'User:report-exporter',
  host: '*',
  operation,
  permission,
});

export function opened(b: HistoryBuilder, mode: 'live' | 'dry-run' | 'drill' = 'live'): void {
  b.add(
    'IncidentOpened',
    {
      title: 'report-exporter reading orders',
      severity: 'critical',
      scenario: 'kafka-exfiltration',
      mode,
      principal: 'User:report-exporter',
      fingerprint: 'fp-1',
      runbook: { id: 'kafka-exfiltration', version: 1, contentHash: 'ab'.repeat(32), steps: STEPS },
    },
    { kind: 'siem', id: 'splunk' },
  );
}

/** Runs a step that needs no approval from start to completion, with `between` in the middle. */
export function runStep(b: HistoryBuilder, index: number, between: () => void = () => undefined): void {
  const step = STEPS[index]!;
  b.add('StepStarted', { stepId: step.id, action: step.action, attempt: 1 });
  between();
  b.add('StepCompleted', { stepId: step.id, action: step.action, durationMs: 1500 });
}

/** A complete incident that uses every event type at least once. */
export function fullHistory(incidentId?: string): HistoryBuilder {
  const b = new HistoryBuilder(incidentId);
  opened(b);
  b.add('AlertCorrelated', { source: 'splunk', alertId: 'a-2', rule: 'kafka-unusual-fetch', fingerprint: 'fp-1', receivedAt: '2026-11-20T08:00:30.000Z' }, { kind: 'siem', id: 'splunk' });
  b.add('RegulatoryClockStarted', {
    regime: 'gdpr',
    authority: 'CNIL',
    awarenessAt: '2026-11-20T08:00:00.000Z',
    workflowId: 'incident-1/clock/gdpr',
    stages: [{ stage: 'authority', due: '2026-11-23T08:00:00.000Z', rule: 'GDPR Art. 33(1): 72 h after awareness', phased: true }],
  });
  b.add('RegulatoryClockStarted', {
    regime: 'dora',
    authority: 'BaFin',
    awarenessAt: '2026-11-20T08:00:00.000Z',
    workflowId: 'incident-1/clock/dora',
    stages: [
      { stage: 'initial', due: null, rule: 'DORA initial' },
      { stage: 'intermediate', due: null, rule: 'DORA intermediate' },
      { stage: 'final', due: null, rule: 'DORA final' },
    ],
  });
  runStep(b, 0, () => {
    b.add('AccessRevoked', {
      principal: 'User:report-exporter',
      scope: 'resources',
      removedAllowBindings: [binding('READ', 'ALLOW'), binding('DESCRIBE', 'ALLOW')],
      addedDenyBindings: [binding('ALL', 'DENY')],
      verified: true,
    });
  });
  b.add('StepStarted', { stepId: 'rotate-credentials', action: 'rotate-credentials', attempt: 1 });
  b.add('StepFailed', { stepId: 'rotate-credentials', action: 'rotate-credentials', attempt: 1, error: { type: 'VaultSealed', message: 'Vault is sealed', retriable: true } });
  // A failed step waits for an operator's decision before its next attempt.
  b.add('StepRetryRequested', { stepId: 'rotate-credentials', action: 'rotate-credentials', requestedBy: 'U1', role: 'incident-commander' });
  b.add('StepStarted', { stepId: 'rotate-credentials', action: 'rotate-credentials', attempt: 2 });
  b.add('CredentialRotated', { account: 'report-scheduler', mechanism: 'SCRAM-SHA-512', iterations: 8192, vaultPath: 'kafka/service-accounts/report-scheduler', vaultVersion: 4, verified: true });
  b.add('CredentialRevoked', { account: 'report-exporter', credential: 'kafka-scram-user', reference: 'report-exporter' });
  b.add('CredentialRevoked', { account: 'report-exporter', credential: 'vault-token', reference: 'accessor-9c1d' });
  b.add('StepCompleted', { stepId: 'rotate-credentials', action: 'rotate-credentials', durationMs: 95_000 });
  b.add('ApprovalRequested', { approvalId: 'apr-1', stepId: 'break-circuits', role: 'incident-commander', reason: 'cut analytics and the data lake off orders' });
  b.add('ApprovalGranted', { approvalId: 'apr-1', stepId: 'break-circuits', role: 'incident-commander', approver: 'U0COMMANDER' }, COMMANDER);
  runStep(b, 2, () => {
    b.add('CircuitOpened', { breaker: 'orders-to-data-lake', topic: 'orders', principals: ['User:data-lake-sink'], addedDenyBindings: [] });
  });
  runStep(b, 3, () => {
    b.add('LegalHoldApplied', { topic: 'orders', previousRetentionMs: '604800000', retentionMs: '-1' });
    b.add('ForensicWindowEstablished', {
      topic: 'orders',
      partitions: [],
      totals: { partitions: 12, ranges: 13, records: '43200000000', bytes: '43200000000000', firstTs: Date.UTC(2026, 10, 19, 8), lastTs: Date.UTC(2026, 10, 20, 8) },
      bytesExact: true,
      sources: ['committed-offsets', 'access-records'],
      dataSubjects: { count: 182_344, method: 'hll', relativeStandardError: 0.008125 },
      piiCategories: ['account-identifier', 'contact', 'name'],
    });
  });
  runStep(b, 4, () => {
    b.add('EvidencePreserved', { sourceTopic: 'orders', partition: 0, from: '0', to: '9999', records: '10000', evidenceTopic: 'breachline.evidence.orders', digest: 'cd'.repeat(32) });
    b.add('EvidencePreserved', { sourceTopic: 'orders', partition: 0, from: '10000', to: '14999', records: '5000', evidenceTopic: 'breachline.evidence.orders', digest: 'ef'.repeat(32) });
  });
  // Decisions on the regulatory clocks, which started at open.
  b.add('AwarenessDetermined', { awareAt: '2026-11-20T07:00:00.000Z', reason: 'the SOC ticket was opened at 07:00', previous: '2026-11-20T08:00:00.000Z' }, COMMANDER);
  b.add('DeadlinesRecomputed', { regime: 'gdpr', cause: 'awareness determined: 2026-11-20T07:00:00.000Z', stages: [{ stage: 'authority', due: '2026-11-23T07:00:00.000Z', rule: 'GDPR Art. 33(1): 72 h after awareness', phased: true }] });
  b.add('IncidentClassified', { classification: 'not-major' }, COMMANDER);
  b.add('RegimeNotNotifiable', { regime: 'dora', reasoning: 'classified not major: no DORA report is due' }, COMMANDER);
  b.add('MaterialityDetermined', { determinedAt: '2026-11-20T12:00:00.000Z' }, COMMANDER);
  b.add('DataSubjectNotificationRequired', { regime: 'gdpr', dataSubjects: 182_344, piiCategories: ['contact', 'name'], reasons: ['contact data of about 182344 clients'] });
  b.add('ReminderSent', { regime: 'gdpr', stage: 'authority', mark: '50%', channel: '#incidents' });
  b.add('ReminderFailed', { regime: 'gdpr', stage: 'authority', mark: '75%', error: 'chat.postMessage: ratelimited' });
  b.add('DataSubjectDecision', { regime: 'gdpr', decision: 'notify', reason: 'e-mail to every affected client by 2026-11-22' }, DPO);
  runStep(b, 5);
  b.add('FilingRefused', { regime: 'gdpr', stage: 'authorty', reference: 'CNIL-2026-1142', filer: 'U0COMMANDER', code: 'NoSuchStage', message: 'GDPR has no stage "authorty" (stages: authority)' }, COMMANDER);
  b.add('NotificationFiled', { regime: 'gdpr', recipient: 'supervisory-authority', authority: 'CNIL', reference: 'CNIL-2026-1142', filedAt: '2026-11-21T10:00:00.000Z', late: false, stage: 'authority', phase: 'initial' }, COMMANDER);
  runStep(b, 6);
  b.add('ApprovalRequested', { approvalId: 'apr-2', stepId: 'close', role: 'incident-commander', reason: 'close the incident' });
  b.add('ApprovalGranted', { approvalId: 'apr-2', stepId: 'close', role: 'incident-commander', approver: 'U0COMMANDER' }, COMMANDER);
  runStep(b, 7);
  b.add('IncidentClosed', { resolution: 'contained, evidence preserved, authority notified', openItems: ['restore analytics access'] });
  return b;
}
