import { describe, expect, it } from 'vitest';
import { IllegalEventError, IncidentMismatchError, OutOfSequenceError } from '../../../src/domain/errors';
import { EVENT_TYPES, type DomainEvent } from '../../../src/domain/events';
import { applyEvent, foldEvents, type IncidentState } from '../../../src/domain/incident';
import { binding, COMMANDER, fullHistory, HistoryBuilder, opened, runStep } from './history';

/** The state after the given builder's events. */
const fold = (b: HistoryBuilder): IncidentState => foldEvents(b.events);

/** Expects `event` to be refused on top of `b`'s history with an IllegalEventError naming `reason`. */
function expectIllegal(b: HistoryBuilder, event: DomainEvent, reason: RegExp): void {
  const state = fold(b);
  expect(() => applyEvent(state, event)).toThrow(IllegalEventError);
  expect(() => applyEvent(state, event)).toThrow(reason);
}

const GDPR_CLOCK = {
  regime: 'gdpr',
  authority: 'CNIL',
  awarenessAt: '2026-11-20T08:00:00.000Z',
  workflowId: 'incident-1/clock/gdpr',
  stages: [{ stage: 'authority', due: '2026-11-23T08:00:00.000Z', rule: 'GDPR Art. 33(1)', phased: true }],
};

describe('foldEvents over a complete incident', () => {
  const b = fullHistory();
  const s = fold(b);

  it('ends closed with every step completed', () => {
    expect(s.status).toBe('closed');
    expect(s.closedAt).toBe(b.events.at(-1)!.at);
    expect(s.steps.map((st) => st.status)).toEqual(Array(8).fill('completed'));
    expect(s.lastSeq).toBe(b.events.length);
    expect(s.closure?.openItems).toEqual(['restore analytics access']);
  });

  it('records the runbook, alerts, approvals and the retried step', () => {
    expect(s.runbook).toEqual({ id: 'kafka-exfiltration', version: 1, contentHash: 'ab'.repeat(32) });
    expect(s.alertsCorrelated).toBe(1);
    expect(s.pendingApprovals).toEqual([]);
    expect(s.decisions.map((d) => [d.stepId, d.granted, d.approver])).toEqual([
      ['break-circuits', true, 'U0COMMANDER'],
      ['close', true, 'U0COMMANDER'],
    ]);
    const rotate = s.steps.find((st) => st.id === 'rotate-credentials')!;
    expect(rotate.attempts).toBe(2);
    expect(rotate.lastError?.type).toBe('VaultSealed');
  });

  it('records what containment removed so it can be restored', () => {
    expect(s.revokedPrincipals).toHaveLength(1);
    expect(s.revokedPrincipals[0]!.removedAllowBindings).toEqual([binding('READ', 'ALLOW'), binding('DESCRIBE', 'ALLOW')]);
    expect(s.revokedPrincipals[0]!.addedDenyBindings).toEqual([binding('ALL', 'DENY')]);
  });

  it('records rotations by Vault version and revocations by reference', () => {
    expect(s.rotatedCredentials['report-scheduler']?.vaultVersion).toBe(4);
    expect(s.revokedCredentials.map((r) => r.credential)).toEqual(['kafka-scram-user', 'vault-token']);
  });

  it('records breakers, legal hold, forensic window and evidence', () => {
    expect(s.breakers['orders-to-data-lake']?.state).toBe('open');
    expect(s.legalHolds.orders?.retentionMs).toBe('-1');
    expect(s.forensicWindows.orders?.totals.records).toBe('43200000000');
    expect(s.evidence).toEqual({ records: '15000', chunks: 2, ranges: { 'orders:0': [{ from: '0', to: '9999' }, { from: '10000', to: '14999' }] } });
  });

  it('records the regulatory clocks: stages, decisions, reminders, refusals and the filing', () => {
    const clock = s.clocks.gdpr!;
    expect(s.regulatoryFacts).toEqual({ awareAt: '2026-11-20T07:00:00.000Z', awarenessProvisional: false, classification: 'not-major', classifiedAt: expect.any(String), determinedAt: '2026-11-20T12:00:00.000Z' });
    expect(clock.awarenessAt).toBe('2026-11-20T07:00:00.000Z');
    expect(clock.stages).toEqual([
      {
        stage: 'authority',
        due: '2026-11-23T07:00:00.000Z',
        rule: 'GDPR Art. 33(1): 72 h after awareness',
        phased: true,
        filings: [{ authority: 'CNIL', reference: 'CNIL-2026-1142', filedAt: '2026-11-21T10:00:00.000Z', late: false, filer: 'U0COMMANDER', phase: 'initial' }],
        missed: false,
        reminders: [{ mark: '50%', sentAt: expect.any(String) }],
      },
    ]);
    expect(clock.filed).toMatchObject({ reference: 'CNIL-2026-1142', late: false });
    expect(clock.deadlineAt).toBe('2026-11-23T07:00:00.000Z');
    expect(clock.missed).toBe(false);
    expect(clock.dataSubjectNotification?.dataSubjects).toBe(182_344);
    expect(clock.dataSubjectDecision).toMatchObject({ decision: 'notify', decidedBy: 'U0DPO' });
    expect(s.clocks.dora?.notNotifiable).toMatchObject({ reasoning: 'classified not major: no DORA report is due', decidedBy: 'U0COMMANDER' });
  });

  it('gives the same state event by event as in one fold, without touching the input state', () => {
    let state: IncidentState | undefined;
    const snapshots: string[] = [];
    for (const e of b.events) {
      const before = state === undefined ? undefined : JSON.stringify(state);
      const next = applyEvent(state, e);
      if (state !== undefined) expect(JSON.stringify(state)).toBe(before);
      state = next;
      snapshots.push(JSON.stringify(state));
    }
    expect(state).toEqual(s);
  });
});

describe('status', () => {
  it('moves open → containing → contained → eradicating → investigating → notifying → reporting → closed', () => {
    const b = fullHistory();
    const seen: string[] = [];
    let state: IncidentState | undefined;
    for (const e of b.events) {
      state = applyEvent(state, e);
      if (seen.at(-1) !== state.status) seen.push(state.status);
    }
    expect(seen).toEqual(['open', 'containing', 'contained', 'eradicating', 'investigating', 'notifying', 'reporting', 'closed']);
  });

  it('never moves back when an earlier action runs again', () => {
    const b = new HistoryBuilder();
    opened(b);
    runStep(b, 3, () => b.add('LegalHoldApplied', { topic: 'orders', previousRetentionMs: '1', retentionMs: '-1' }));
    runStep(b, 0);
    expect(fold(b).status).toBe('investigating');
  });
});

describe('events the other tests do not reach', () => {
  it('ApprovalDenied leaves the step denied and unstartable', () => {
    const b = new HistoryBuilder();
    opened(b);
    b.add('ApprovalRequested', { approvalId: 'apr-1', stepId: 'break-circuits', role: 'incident-commander', reason: 'cut downstream' });
    b.add('ApprovalDenied', { approvalId: 'apr-1', stepId: 'break-circuits', role: 'incident-commander', approver: 'U0COMMANDER', reason: 'analytics needed for month end' }, COMMANDER);
    const s = fold(b);
    expect(s.steps[2]!.status).toBe('denied');
    expect(s.decisions[0]).toMatchObject({ granted: false, approver: 'U0COMMANDER' });
    expectIllegal(b, b.make('StepStarted', { stepId: 'break-circuits', action: 'break-circuits', attempt: 1 }), /needs approval by incident-commander/);
  });

  it('StepPlanned records what a dry run would change, without moving the status', () => {
    const b = new HistoryBuilder();
    opened(b, 'dry-run');
    b.add('StepPlanned', { stepId: 'contain', action: 'contain', changes: [{ kind: 'acl.delete', target: 'TOPIC:orders', description: 'remove READ for User:report-exporter' }] });
    const s = fold(b);
    expect(s.steps[0]).toMatchObject({ status: 'planned', plannedChanges: [{ kind: 'acl.delete' }] });
    expect(s.status).toBe('open');
    expect(s.mode).toBe('dry-run');
  });

  it('StepCompensated undoes a completed step; CircuitClosed needs a granted approval', () => {
    const b = new HistoryBuilder();
    opened(b);
    b.add('ApprovalRequested', { approvalId: 'apr-1', stepId: 'break-circuits', role: 'incident-commander', reason: 'cut' });
    b.add('ApprovalGranted', { approvalId: 'apr-1', stepId: 'break-circuits', role: 'incident-commander', approver: 'U1' });
    runStep(b, 2, () => b.add('CircuitOpened', { breaker: 'orders-to-analytics', topic: 'orders', principals: ['User:analytics-consumer'], addedDenyBindings: [] }));
    expectIllegal(b, b.make('CircuitClosed', { breaker: 'orders-to-analytics', topic: 'orders', principals: ['User:analytics-consumer'], approvalId: 'nope' }), /needs a granted approval/);
    b.add('CircuitClosed', { breaker: 'orders-to-analytics', topic: 'orders', principals: ['User:analytics-consumer'], approvalId: 'apr-1' });
    b.add('StepCompensated', { stepId: 'break-circuits', action: 'break-circuits', undone: 'breakers closed' });
    const s = fold(b);
    expect(s.breakers['orders-to-analytics']).toMatchObject({ state: 'closed', closedAt: b.events.at(-2)!.at });
    expect(s.steps[2]!.status).toBe('compensated');
    expectIllegal(b, b.make('CircuitClosed', { breaker: 'orders-to-analytics', topic: 'orders', principals: [], approvalId: 'apr-1' }), /is not open/);
  });

  it('a breaker-scoped approval follows a completed step, closes only that breaker and never gates the step', () => {
    const b = new HistoryBuilder();
    opened(b);
    b.add('ApprovalRequested', { approvalId: 'break-circuits/1', stepId: 'break-circuits', role: 'incident-commander', reason: 'cut' });
    b.add('ApprovalGranted', { approvalId: 'break-circuits/1', stepId: 'break-circuits', role: 'incident-commander', approver: 'U1' });
    runStep(b, 2, () => b.add('CircuitOpened', { breaker: 'orders-to-analytics', topic: 'orders', principals: ['User:analytics-consumer'], addedDenyBindings: [] }));
    // A plain request on the completed step is still refused: only a breaker-scoped one may follow it.
    expectIllegal(b, b.make('ApprovalRequested', { approvalId: 'x/1', stepId: 'break-circuits', role: 'incident-commander', reason: 'close' }), /already completed/);
    expectIllegal(
      b,
      b.make('ApprovalRequested', { approvalId: 'breaker:x/1', stepId: 'break-circuits', role: 'dpo', reason: 'close', breaker: 'orders-to-analytics' }),
      /approved by incident-commander, not dpo/,
    );
    expectIllegal(b, b.make('ApprovalRequested', { approvalId: 'breaker:x/1', stepId: 'contain', role: 'incident-commander', reason: 'close', breaker: 'x' }), /owns no breaker/);
    const scope = { approvalId: 'breaker:orders-to-analytics/1', stepId: 'break-circuits', role: 'incident-commander' as const, breaker: 'orders-to-analytics' };
    b.add('ApprovalRequested', { ...scope, reason: 'close breaker' }, { kind: 'user', id: 'U2' });
    expect(fold(b).steps[2]!.status).toBe('completed');
    const { breaker: _breaker, ...stepScoped } = scope;
    expectIllegal(b, b.make('ApprovalGranted', { ...stepScoped, approver: 'U2' }), /is for breaker orders-to-analytics/);
    b.add('ApprovalGranted', { ...scope, approver: 'U2' }, { kind: 'user', id: 'U2' });
    b.add('CircuitClosed', { breaker: 'orders-to-analytics', topic: 'orders', principals: ['User:analytics-consumer'], approvalId: scope.approvalId });
    const s = fold(b);
    expect(s.breakers['orders-to-analytics']?.state).toBe('closed');
    expect(s.steps[2]!.status).toBe('completed');
    expect(s.decisions.at(-1)).toMatchObject({ approvalId: scope.approvalId, approver: 'U2', granted: true, breaker: 'orders-to-analytics' });
    expectIllegal(b, b.make('ApprovalRequested', { ...scope, reason: 'again' }), /already exists/);
  });

  it('a breaker-scoped grant before the step ran does not let the step start', () => {
    const b = new HistoryBuilder();
    opened(b);
    const scope = { approvalId: 'breaker:orders-to-analytics/1', stepId: 'break-circuits', role: 'incident-commander' as const, breaker: 'orders-to-analytics' };
    b.add('ApprovalRequested', { ...scope, reason: 'close breaker' });
    b.add('ApprovalGranted', { ...scope, approver: 'U2' });
    expect(fold(b).steps[2]).toMatchObject({ status: 'pending', approved: false });
    expectIllegal(b, b.make('StepStarted', { stepId: 'break-circuits', action: 'break-circuits', attempt: 1 }), /needs approval/);
  });

  it('ActionRefused lists the refusal, at any stage before closing', () => {
    const b = new HistoryBuilder();
    opened(b);
    const refusal = { userId: 'U0RESPONDER', role: 'responder', action: 'close', request: '/ir close incident-1', refusedAt: '2026-11-20T09:00:00.000Z' };
    b.add('ActionRefused', refusal, { kind: 'user', id: 'U0RESPONDER' });
    expect(fold(b).refusals).toEqual([{ ...refusal, at: b.events.at(-1)!.at }]);
    b.add('IncidentClosed', { resolution: 'done', openItems: [] });
    expectIllegal(b, b.make('ActionRefused', refusal), /closed/);
  });

  it('DeadlineMissed marks the stage, and a later filing must be late with a reason', () => {
    const b = new HistoryBuilder();
    opened(b);
    b.add('RegulatoryClockStarted', GDPR_CLOCK);
    b.add('DeadlineMissed', { regime: 'gdpr', stage: 'authority', deadlineAt: '2026-11-23T08:00:00.000Z' });
    expect(fold(b).clocks.gdpr!.missed).toBe(true);
    const filing = { regime: 'gdpr', recipient: 'supervisory-authority' as const, authority: 'CNIL', reference: 'R-1', filedAt: '2026-11-23T09:30:00.000Z', stage: 'authority' };
    expectIllegal(b, b.make('NotificationFiled', { ...filing, late: false }), /late must be true/);
    expectIllegal(b, b.make('NotificationFiled', { ...filing, late: true }), /needs a reason/);
    expectIllegal(b, b.make('DeadlineMissed', { regime: 'gdpr', stage: 'authority', deadlineAt: '2026-11-23T08:00:00.000Z' }), /already recorded as missed/);
    b.add('NotificationFiled', { ...filing, late: true, lateReason: 'forensic figures were only final at 09:00' });
    expect(fold(b).clocks.gdpr!.filed).toMatchObject({ late: true, lateReason: 'forensic figures were only final at 09:00' });
    // Art. 33(4): supplementary filings follow, and are never late.
    b.add('NotificationFiled', { ...filing, reference: 'R-1-2', filedAt: '2026-11-24T09:30:00.000Z', late: false, phase: 'supplementary' });
    expect(fold(b).clocks.gdpr!.stages[0]!.filings.map((f) => f.phase)).toEqual(['initial', 'supplementary']);
  });

  it('a stage that is not phased takes one filing; a regime not notifiable takes none', () => {
    const b = new HistoryBuilder();
    opened(b);
    b.add('RegulatoryClockStarted', { ...GDPR_CLOCK, regime: 'nydfs', stages: [{ stage: 'superintendent', due: null, rule: 'NYDFS' }] });
    const filing = { regime: 'nydfs', recipient: 'supervisory-authority' as const, authority: 'DFS', reference: 'R', filedAt: '2026-11-21T08:00:00.000Z', late: false, stage: 'superintendent' };
    b.add('NotificationFiled', filing);
    expectIllegal(b, b.make('NotificationFiled', { ...filing, phase: 'supplementary' }), /already filed/);
    b.add('RegulatoryClockStarted', { ...GDPR_CLOCK, regime: 'sec-8k', stages: [{ stage: 'form-8k', due: null, rule: 'SEC' }] });
    expectIllegal(b, b.make('RegimeNotNotifiable', { regime: 'sec-8k', reasoning: ' ' }), /needs its reasoning/);
    b.add('RegimeNotNotifiable', { regime: 'sec-8k', reasoning: 'not a registrant' });
    expectIllegal(b, b.make('NotificationFiled', { ...filing, regime: 'sec-8k', stage: 'form-8k' }), /not notifiable/);
    expectIllegal(b, b.make('DataSubjectDecision', { regime: 'sec-8k', decision: 'exception', reason: 'encrypted' }), /no Art. 34 notice/);
  });

  it('a failure needs attention until an operator decides: retry, skip with a reason, abort; the audit halt likewise', () => {
    const b = new HistoryBuilder();
    opened(b);
    const step = { stepId: 'contain', action: 'contain' as const };
    b.add('StepStarted', { ...step, attempt: 1 });
    b.add('StepFailed', { ...step, attempt: 1, error: { type: 'KafkaUnavailable', message: 'no broker', retriable: true } });
    expect(fold(b).attention).toEqual([expect.objectContaining({ kind: 'step-failed', stepId: 'contain', message: 'KafkaUnavailable: no broker' })]);
    expectIllegal(b, b.make('StepStarted', { ...step, attempt: 2 }), /waits for an operator's decision/);
    expectIllegal(b, b.make('StepRetryRequested', { stepId: 'rotate-credentials', action: 'rotate-credentials', requestedBy: 'U1', role: 'responder' }), /nothing about "rotate-credentials"/);
    b.add('StepRetryRequested', { ...step, requestedBy: 'U1', role: 'responder' });
    b.add('StepStarted', { ...step, attempt: 2 });
    b.add('StepFailed', { ...step, attempt: 2, error: { type: 'KafkaUnavailable', message: 'no broker', retriable: true } });
    expectIllegal(b, b.make('StepSkipped', { ...step, skippedBy: 'U1', role: 'incident-commander', reason: ' ' }), /needs a reason/);
    b.add('StepSkipped', { ...step, skippedBy: 'U1', role: 'incident-commander', reason: 'contained by hand on the brokers' });
    expect(fold(b).steps.find((s) => s.id === 'contain')?.status).toBe('skipped');
    expect(fold(b).attention).toEqual([]);
    expectIllegal(b, b.make('StepStarted', { ...step, attempt: 3 }), /already skipped/);
    b.add('ApprovalRequested', { approvalId: 'break-circuits/1', stepId: 'break-circuits', role: 'incident-commander', reason: 'cut downstream' });
    b.add('ApprovalExpired', { approvalId: 'break-circuits/1', stepId: 'break-circuits', role: 'incident-commander', waitedMs: 86_400_000 });
    expect(fold(b).pendingApprovals).toEqual([]);
    expect(fold(b).attention[0]).toMatchObject({ kind: 'approval-expired', stepId: 'break-circuits', message: expect.stringContaining('1440 min') });
    b.add('AuditShippingHalted', { error: { type: 'AuditConflict', message: 'seq 9 differs' }, pendingFromSeq: 9 });
    b.add('AuditShippingResumed', { requestedBy: 'U1', role: 'incident-commander' });
    expect(fold(b).attention.map((a) => a.stepId)).toEqual(['break-circuits']);
    b.add('IncidentAborted', { abortedBy: 'U1', role: 'incident-commander', reason: 'wrong principal' });
    expect(fold(b)).toMatchObject({ attention: [], aborted: { abortedBy: 'U1', reason: 'wrong principal' } });
    expectIllegal(b, b.make('IncidentAborted', { abortedBy: 'U2', role: 'incident-commander', reason: 'again' }), /already aborted/);
  });

  it('a severity change needs the current severity, a different one and a reason', () => {
    const b = new HistoryBuilder();
    opened(b);
    const from = fold(b).severity;
    const to = from === 'critical' ? 'high' : 'critical';
    expectIllegal(b, b.make('SeverityChanged', { from: to, to: 'low', reason: 'x', changedBy: 'U1', role: 'incident-commander' }), new RegExp(`severity is ${from}, not ${to}`));
    expectIllegal(b, b.make('SeverityChanged', { from, to: from, reason: 'x', changedBy: 'U1', role: 'incident-commander' }), /already/);
    expectIllegal(b, b.make('SeverityChanged', { from, to, reason: ' ', changedBy: 'U1', role: 'incident-commander' }), /needs a reason/);
    b.add('SeverityChanged', { from, to, reason: 'more clients affected', changedBy: 'U1', role: 'incident-commander' });
    expect(fold(b).severity).toBe(to);
  });

  it('the full history and these cases use every event type', () => {
    const used = new Set(fullHistory().events.map((e) => e.type));
    for (const extra of [
      'ApprovalDenied',
      'StepPlanned',
      'StepCompensated',
      'CircuitClosed',
      'DeadlineMissed',
      'ActionRefused',
      'ApprovalExpired',
      'StepSkipped',
      'IncidentAborted',
      'AuditShippingHalted',
      'AuditShippingResumed',
      'SeverityChanged',
      // Issue 13: covered by the evidence cases below.
      'EvidenceManifestSigned',
      'EvidenceExported',
      // Issue 17: covered by test/unit/domain/action-registry.test.ts.
      'ActionPerformed',
      // Issue 16: covered by test/unit/domain/incident-notes.test.ts.
      'NoteAdded',
      'TaskAdded',
      'TaskCompleted',
      'FollowUpAdded',
      // wait-for (issue 17): covered by test/unit/domain/incident-decisions.test.ts.
      'DecisionAsked',
      'DecisionTaken',
      'DecisionTimedOut',
    ] as const) {
      used.add(extra);
    }
    expect([...used].sort()).toEqual([...EVENT_TYPES].sort());
  });
});

describe('evidence manifests and exports (issue 13)', () => {
  const manifest = {
    sourceTopic: 'orders',
    partition: 0,
    evidenceTopic: 'breachline.evidence.orders',
    evidencePartition: 0,
    manifestOffset: '17',
    manifestSha256: 'ab'.repeat(32),
    merkleRoot: 'cd'.repeat(32),
    chainHead: 'ef'.repeat(32),
    records: '15000',
    chunks: 6,
    sourceBytes: '4500000',
    evidenceBytes: '5100000',
    keyIds: ['breachline-evidence:v1'],
    signingKey: 'breachline-evidence-signing',
    signature: 'vault:v1:c2ln',
  };

  it('folds a signed manifest per preserved partition, and refuses one for a partition with nothing preserved', () => {
    const events = fullHistory().events;
    const b = new HistoryBuilder();
    const at = events.findIndex((e) => e.type === 'EvidencePreserved');
    const state = foldEvents([...events.slice(0, at + 2), { ...b.make('EvidenceManifestSigned', manifest), seq: at + 3 }]);
    expect(state.evidence.manifests?.['orders:0']).toMatchObject({ merkleRoot: manifest.merkleRoot, records: '15000', chunks: 6 });
    expect(() => foldEvents([...events.slice(0, at), { ...b.make('EvidenceManifestSigned', manifest), seq: at + 1 }])).toThrow(/no preserved range of orders:0/);
  });

  it('records exports, and refuses a decrypted export nobody authorised', () => {
    // Before the close: a closed incident takes no more events.
    const all = fullHistory().events;
    const events = all.slice(0, all.findIndex((e) => e.type === 'IncidentClosed'));
    const b = new HistoryBuilder();
    const n = events.length;
    const sealed = foldEvents([...events, { ...b.make('EvidenceExported', { decrypted: false, authorisedBy: null, archiveSha256: '12'.repeat(32), manifests: 1, records: '15000' }), seq: n + 1 }]);
    expect(sealed.evidence.exports).toEqual([expect.objectContaining({ decrypted: false, authorisedBy: null })]);
    const unauthorised = { ...b.make('EvidenceExported', { decrypted: true, authorisedBy: ' ', archiveSha256: '12'.repeat(32), manifests: 1, records: '15000' }), seq: n + 1 };
    expect(() => foldEvents([...events, unauthorised])).toThrow(/needs the authorising DPO/);
  });
});

describe('illegal sequences are rejected', () => {
  it('an event for another incident', () => {
    const b = fullHistory('incident-a');
    const other = fullHistory('incident-b').events[1]!;
    const state = foldEvents(b.events.slice(0, 1));
    expect(() => applyEvent(state, other)).toThrow(IncidentMismatchError);
  });

  it('a gap, a repeat, and a first event that is not IncidentOpened', () => {
    const events = fullHistory().events;
    const state = foldEvents(events.slice(0, 3));
    expect(() => applyEvent(state, events[4]!)).toThrow(OutOfSequenceError);
    expect(() => applyEvent(state, events[2]!)).toThrow(/expected seq 4, got 3/);
    expect(() => applyEvent(undefined, { ...events[1]!, seq: 1 })).toThrow(/must be IncidentOpened/);
    expect(() => foldEvents([events[0]!, events[0]!])).toThrow(OutOfSequenceError);
    expect(() => foldEvents([])).toThrow(/empty/);
  });

  it('anything after IncidentClosed', () => {
    const b = fullHistory();
    expectIllegal(b, b.make('AlertCorrelated', { source: 's', alertId: 'late', rule: 'r', fingerprint: 'fp-1', receivedAt: '2026-11-21T00:00:00.000Z' }), /is closed/);
  });

  it('a step started without approval, twice, with the wrong attempt, or not in the runbook', () => {
    const b = new HistoryBuilder();
    opened(b);
    expectIllegal(b, b.make('StepStarted', { stepId: 'close', action: 'close', attempt: 1 }), /needs approval by incident-commander/);
    expectIllegal(b, b.make('StepStarted', { stepId: 'contain', action: 'contain', attempt: 2 }), /attempt 2, expected 1/);
    expectIllegal(b, b.make('StepStarted', { stepId: 'exfiltrate', action: 'contain', attempt: 1 }), /no step "exfiltrate"/);
    expectIllegal(b, b.make('StepStarted', { stepId: 'contain', action: 'forensics', attempt: 1 }), /runs contain, not forensics/);
    b.add('StepStarted', { stepId: 'contain', action: 'contain', attempt: 1 });
    expectIllegal(b, b.make('StepStarted', { stepId: 'contain', action: 'contain', attempt: 2 }), /already running/);
    expectIllegal(b, b.make('IncidentClosed', { resolution: 'x', openItems: [] }), /still running/);
    expectIllegal(b, b.make('StepCompleted', { stepId: 'rotate-credentials', action: 'rotate-credentials', durationMs: 1 }), /pending, not running/);
    expectIllegal(b, b.make('StepCompensated', { stepId: 'rotate-credentials', action: 'rotate-credentials', undone: 'x' }), /nothing to undo/);
  });

  it('approvals that were not asked for, or answered by the wrong role', () => {
    const b = new HistoryBuilder();
    opened(b);
    expectIllegal(b, b.make('ApprovalGranted', { approvalId: 'apr-9', stepId: 'close', role: 'incident-commander', approver: 'U1' }), /no pending approval/);
    expectIllegal(b, b.make('ApprovalRequested', { approvalId: 'apr-1', stepId: 'contain', role: 'incident-commander', reason: 'x' }), /needs no approval/);
    expectIllegal(b, b.make('ApprovalRequested', { approvalId: 'apr-1', stepId: 'close', role: 'dpo', reason: 'x' }), /approved by incident-commander, not dpo/);
    b.add('ApprovalRequested', { approvalId: 'apr-1', stepId: 'close', role: 'incident-commander', reason: 'x' });
    expectIllegal(b, b.make('ApprovalRequested', { approvalId: 'apr-1', stepId: 'close', role: 'incident-commander', reason: 'x' }), /already exists/);
    expectIllegal(b, b.make('ApprovalGranted', { approvalId: 'apr-1', stepId: 'contain', role: 'incident-commander', approver: 'U1' }), /is for step "close"/);
  });

  it('a forensic window before the legal hold, evidence before the window, and overlapping evidence', () => {
    const b = new HistoryBuilder();
    opened(b);
    const window = fullHistory().events.find((e) => e.type === 'ForensicWindowEstablished')!;
    expectIllegal(b, { ...window, seq: 2 }, /no legal hold on "orders"/);
    const evidence = { sourceTopic: 'orders', partition: 3, from: '100', to: '199', records: '100', evidenceTopic: 'ev', digest: '00'.repeat(32) };
    expectIllegal(b, b.make('EvidencePreserved', evidence), /no forensic window/);
    b.add('LegalHoldApplied', { topic: 'orders', previousRetentionMs: '1', retentionMs: '-1' });
    b.events.push({ ...window, seq: 3 });
    b.add('EvidencePreserved', evidence);
    expectIllegal(b, b.make('EvidencePreserved', { ...evidence, from: '150', to: '250' }), /overlap 100\.\.199/);
  });

  it('reminders and filings on clocks that do not exist or were already used', () => {
    const b = new HistoryBuilder();
    opened(b);
    expectIllegal(b, b.make('ReminderSent', { regime: 'gdpr', stage: 'authority', mark: '50%', channel: '#ir' }), /no gdpr clock/);
    b.add('RegulatoryClockStarted', GDPR_CLOCK);
    expectIllegal(b, b.make('RegulatoryClockStarted', GDPR_CLOCK), /already running/);
    expectIllegal(b, b.make('ReminderSent', { regime: 'gdpr', stage: 'authorty', mark: '50%', channel: '#ir' }), /no stage "authorty"/);
    b.add('ReminderSent', { regime: 'gdpr', stage: 'authority', mark: '50%', channel: '#ir' });
    expectIllegal(b, b.make('ReminderSent', { regime: 'gdpr', stage: 'authority', mark: '50%', channel: '#ir' }), /already sent/);
    b.add('NotificationFiled', { regime: 'gdpr', recipient: 'supervisory-authority', authority: 'CNIL', reference: 'R', filedAt: '2026-11-23T08:00:00.000Z', late: false, stage: 'authority' });
    expectIllegal(b, b.make('DeadlineMissed', { regime: 'gdpr', stage: 'authority', deadlineAt: '2026-11-23T08:00:00.000Z' }), /was filed/);
    expectIllegal(b, b.make('ReminderSent', { regime: 'gdpr', stage: 'authority', mark: '75%', channel: '#ir' }), /already filed/);
  });

  it('a credential version that does not move forward, a breaker opened twice, a second IncidentOpened', () => {
    const b = new HistoryBuilder();
    opened(b);
    const rotated = { account: 'svc', mechanism: 'SCRAM-SHA-512' as const, iterations: 8192, vaultPath: 'kafka/svc', vaultVersion: 3, verified: true };
    b.add('CredentialRotated', rotated);
    expectIllegal(b, b.make('CredentialRotated', rotated), /not newer than 3/);
    b.add('CircuitOpened', { breaker: 'x', topic: 'orders', principals: [], addedDenyBindings: [] });
    expectIllegal(b, b.make('CircuitOpened', { breaker: 'x', topic: 'orders', principals: [], addedDenyBindings: [] }), /already open/);
    const again = { ...b.events[0]!, seq: b.events.length + 1 };
    expectIllegal(b, again, /already open/);
  });

  it('a rejected event leaves the state usable', () => {
    const b = new HistoryBuilder();
    opened(b);
    const state = fold(b);
    expect(() => applyEvent(state, b.make('StepCompleted', { stepId: 'contain', action: 'contain', durationMs: 1 }))).toThrow(IllegalEventError);
    const next = applyEvent(state, b.make('StepStarted', { stepId: 'contain', action: 'contain', attempt: 1 }));
    expect(next.status).toBe('containing');
    expect(state.status).toBe('open');
  });
});
