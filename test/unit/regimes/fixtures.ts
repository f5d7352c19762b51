import type { DomainEvent } from '../../../src/domain/events';

/**
 * Loosely typed incident histories for the draft and register tests: built by event type name so
 * a test can also feed an event type this release does not know.
 */
export class Incident {
  readonly events: DomainEvent[] = [];
  private clock: number;

  constructor(
    readonly id: string,
    start = Date.UTC(2026, 2, 27, 10, 0, 0),
  ) {
    this.clock = start;
  }

  add(type: string, data: Record<string, unknown>, actor = { kind: 'system', id: 'workflow' }): this {
    const at = new Date(this.clock).toISOString();
    this.clock += 60_000;
    this.events.push({ incidentId: this.id, seq: this.events.length + 1, type, at, actor, data } as unknown as DomainEvent);
    return this;
  }
}

/** Personal data and people that must never appear in a draft. */
export const PII = {
  approver: 'alice.martin@example.com',
  slackUser: 'U07ALICEM',
  comment: 'call Bob Schmidt on +49 170 5550123',
};

const STEPS = [
  { id: 'contain', action: 'contain', approval: 'none' },
  { id: 'forensics', action: 'forensics', approval: 'none' },
  { id: 'close', action: 'close', approval: 'incident-commander' },
];

/** An opened incident: the trading platform's exfiltration scenario. */
export function opened(id: string, title = 'report-exporter reading orders'): Incident {
  return new Incident(id).add('IncidentOpened', {
    title,
    severity: 'critical',
    scenario: 'kafka-exfiltration',
    mode: 'live',
    principal: 'User:report-exporter',
    fingerprint: 'fp-1',
    runbook: { id: 'kafka-exfiltration', version: 3, contentHash: 'abc', steps: STEPS },
  });
}

/** The forensic window: 1 234 567 records of 48 213 data subjects (HLL, 0.8 % RSE). */
export function forensics(i: Incident): Incident {
  return i.add('ForensicWindowEstablished', {
    topic: 'orders',
    partitions: [],
    totals: { partitions: 3, ranges: 4, records: '1234567', bytes: '987654321', firstTs: Date.UTC(2026, 2, 27, 2, 0, 0), lastTs: Date.UTC(2026, 2, 27, 9, 30, 0) },
    bytesExact: true,
    sources: ['committed-offsets'],
    dataSubjects: { count: 48213, method: 'hll', relativeStandardError: 0.008 },
    piiCategories: ['email', 'iban'],
  });
}

/** A GDPR clock started at open. */
export function gdprClock(i: Incident): Incident {
  return i.add('RegulatoryClockStarted', {
    regime: 'gdpr',
    authority: 'BfDI',
    awarenessAt: '2026-03-27T10:00:00.000Z',
    workflowId: `clock-${i.id}-gdpr`,
    stages: [{ stage: 'authority', due: '2026-03-30T10:00:00.000Z', rule: 'GDPR Art. 33(1)', phased: true }],
  });
}

/** Containment measures, with an approval by a named person (who must not appear in drafts). */
export function contained(i: Incident): Incident {
  return i
    .add('ApprovalRequested', { approvalId: 'ap-1', stepId: 'contain', role: 'incident-commander', reason: 'contain' })
    .add('ApprovalGranted', { approvalId: 'ap-1', stepId: 'contain', role: 'incident-commander', approver: PII.approver, comment: PII.comment }, { kind: 'user', id: PII.slackUser })
    .add('AccessRevoked', { principal: 'User:report-exporter', scope: 'resources', removedAllowBindings: [], addedDenyBindings: [], verified: true })
    .add('CredentialRotated', { account: 'report-exporter', mechanism: 'SCRAM-SHA-512', iterations: 8192, vaultPath: 'kafka/report-exporter', vaultVersion: 4, verified: true });
}
