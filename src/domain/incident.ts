import { DomainError, IllegalEventError, IncidentMismatchError, OutOfSequenceError } from './errors';
import type { DomainEvent, EventOf, EventType } from './events';
import { actionPhase } from './action-registry';
import {
  INCIDENT_STATUSES,
  type IncidentState,
  type IncidentStatus,
  type StepState,
} from './incident-state';
import { clockHandlers } from './incident-clocks';
import { noteHandlers } from './incident-notes';
import { decisionHandlers, skipByDecision } from './incident-decisions';
import { addDecimal } from './offsets';

export * from './incident-state';
export { timeline, summarize, type TimelineEntry } from './timeline';

/**
 * The incident reducer. Pure and deterministic (no clock, no randomness, no I/O) because the
 * workflow folds events with it during replay, and the report rebuilt from the audit topic must
 * equal the one built from workflow state.
 *
 * It is also the gatekeeper of what may happen: an event for another incident, out of sequence,
 * or not allowed in the current state (a step started without its approval, a forensic window
 * before the legal hold, a late filing without a reason, anything after closing) is rejected with
 * a typed error and the state is left as it was.
 */
export function applyEvent(state: IncidentState | undefined, event: DomainEvent): IncidentState {
  if (event.type === 'IncidentOpened') {
    if (state !== undefined) throw illegal(event, 'the incident is already open');
    if (event.seq !== 1) throw new OutOfSequenceError(event.incidentId, 1, event.seq);
    return opened(event);
  }
  if (state === undefined) {
    if (event.seq !== 1) throw new OutOfSequenceError(event.incidentId, 1, event.seq);
    throw illegal(event, 'the first event of an incident must be IncidentOpened');
  }
  checkEnvelope(state, event);
  // Copy once, then update the copy in place: callers keep their state untouched.
  const draft = cloneState(state);
  applyInPlace(draft, event);
  return draft;
}

/** Folds an incident's events, oldest first, into its state. Throws on the first bad event. */
export function foldEvents(events: readonly DomainEvent[]): IncidentState {
  const [first, ...rest] = events;
  if (first === undefined) throw new DomainError('ILLEGAL_EVENT', 'cannot fold an empty event list');
  const state = applyEvent(undefined, first);
  for (const event of rest) {
    checkEnvelope(state, event);
    applyInPlace(state, event);
  }
  return state;
}

function checkEnvelope(state: IncidentState, event: DomainEvent): void {
  if (event.incidentId !== state.incidentId) throw new IncidentMismatchError(state.incidentId, event.incidentId, event.seq);
  if (event.seq !== state.lastSeq + 1) throw new OutOfSequenceError(state.incidentId, state.lastSeq + 1, event.seq);
  if (event.type === 'IncidentOpened') throw illegal(event, 'the incident is already open');
  if (state.status === 'closed') throw illegal(event, 'the incident is closed');
}

function cloneState(state: IncidentState): IncidentState {
  // The state is plain JSON by contract, so a JSON round trip is a faithful deep copy.
  return JSON.parse(JSON.stringify(state)) as IncidentState;
}

function opened(event: EventOf<'IncidentOpened'>): IncidentState {
  const d = event.data;
  const ids = new Set<string>();
  for (const step of d.runbook.steps) {
    if (ids.has(step.id)) throw illegal(event, `duplicate step id "${step.id}" in the runbook`);
    ids.add(step.id);
  }
  return {
    incidentId: event.incidentId,
    lastSeq: event.seq,
    status: 'open',
    openedAt: event.at,
    title: d.title,
    severity: d.severity,
    scenario: d.scenario,
    mode: d.mode,
    principal: d.principal,
    fingerprint: d.fingerprint,
    runbook: { id: d.runbook.id, version: d.runbook.version, contentHash: d.runbook.contentHash },
    alertsCorrelated: 0,
    steps: d.runbook.steps.map((s) => ({ ...s, status: 'pending', approved: false, attempts: 0 })),
    pendingApprovals: [],
    decisions: [],
    revokedPrincipals: [],
    rotatedCredentials: {},
    revokedCredentials: [],
    breakers: {},
    legalHolds: {},
    forensicWindows: {},
    evidence: { records: '0', chunks: 0, ranges: {} },
    clocks: {},
    regulatoryFacts: { awarenessProvisional: true },
    refusals: [],
    attention: [],
  };
}

type Handler<T extends EventType> = (s: IncidentState, e: EventOf<T>) => void;

const handlers: { [T in Exclude<EventType, 'IncidentOpened'>]: Handler<T> } = {
  AlertCorrelated: (s) => {
    s.alertsCorrelated += 1;
  },
  ApprovalRequested: (s, e) => {
    const step = stepOf(s, e, e.data.stepId);
    if (e.data.breaker !== undefined) return requestForBreaker(s, e, step, e.data.breaker);
    if (step.approval === 'none') throw illegal(e, `step "${step.id}" needs no approval`);
    if (e.data.role !== step.approval) throw illegal(e, `step "${step.id}" is approved by ${step.approval}, not ${e.data.role}`);
    if (step.status === 'running' || step.status === 'completed') throw illegal(e, `step "${step.id}" is already ${step.status}`);
    if (s.pendingApprovals.some((a) => a.approvalId === e.data.approvalId) || s.decisions.some((a) => a.approvalId === e.data.approvalId)) {
      throw illegal(e, `approval "${e.data.approvalId}" already exists`);
    }
    s.pendingApprovals.push({ ...e.data, requestedAt: e.at });
    step.status = 'awaiting-approval';
  },
  ApprovalGranted: (s, e) => decide(s, e, true),
  ApprovalDenied: (s, e) => decide(s, e, false),
  StepPlanned: (s, e) => {
    const step = stepOf(s, e, e.data.stepId, e.data.action);
    if (step.status === 'running' || step.status === 'completed') throw illegal(e, `step "${step.id}" is already ${step.status}`);
    step.status = 'planned';
    step.plannedChanges = e.data.changes;
  },
  StepStarted: (s, e) => {
    const step = stepOf(s, e, e.data.stepId, e.data.action);
    if (step.status === 'running' || step.status === 'completed' || step.status === 'compensated' || step.status === 'skipped') {
      throw illegal(e, `step "${step.id}" is already ${step.status}`);
    }
    if (s.attention.some((a) => a.stepId === step.id)) throw illegal(e, `step "${step.id}" waits for an operator's decision (retry, skip or abort)`);
    if (step.approval !== 'none' && !step.approved) throw illegal(e, `step "${step.id}" needs approval by ${step.approval} first`);
    if (e.data.attempt !== step.attempts + 1) throw illegal(e, `step "${step.id}" attempt ${e.data.attempt}, expected ${step.attempts + 1}`);
    step.attempts = e.data.attempt;
    step.status = 'running';
    step.startedAt = e.at;
    delete step.finishedAt;
    // A new attempt's outputs replace the last one's (issue 17, item 4).
    delete step.outputs;
    advance(s, actionPhase(step.action).started);
  },
  StepCompleted: (s, e) => {
    const step = running(s, e, e.data.stepId, e.data.action);
    step.status = 'completed';
    step.finishedAt = e.at;
    if (e.data.outputs !== undefined) step.outputs = e.data.outputs;
    advance(s, actionPhase(step.action).completed);
  },
  StepFailed: (s, e) => {
    const step = running(s, e, e.data.stepId, e.data.action);
    if (e.data.attempt !== step.attempts) throw illegal(e, `step "${step.id}" is on attempt ${step.attempts}, not ${e.data.attempt}`);
    step.status = 'failed';
    step.finishedAt = e.at;
    step.lastError = e.data.error;
    // Interruptions (cancellation, false positive, abort) are not a decision to ask for.
    if (e.data.error.type !== 'Cancelled' && e.data.error.type !== 'FalsePositive' && e.data.error.type !== 'Aborted') {
      needsAttention(s, { kind: 'step-failed', stepId: step.id, since: e.at, message: `${e.data.error.type}: ${e.data.error.message}` });
    }
  },
  ApprovalExpired: (s, e) => {
    const index = s.pendingApprovals.findIndex((a) => a.approvalId === e.data.approvalId);
    const pending = s.pendingApprovals[index];
    if (pending === undefined || pending.stepId !== e.data.stepId) throw illegal(e, `no pending approval "${e.data.approvalId}" for step "${e.data.stepId}"`);
    s.pendingApprovals.splice(index, 1);
    const step = stepOf(s, e, e.data.stepId);
    if (step.status === 'awaiting-approval') step.status = 'pending';
    needsAttention(s, { kind: 'approval-expired', stepId: step.id, since: e.at, message: `no decision by the ${e.data.role} within ${Math.round(e.data.waitedMs / 60_000)} min` });
  },
  StepRetryRequested: (s, e) => {
    const step = stepOf(s, e, e.data.stepId, e.data.action);
    resolveAttention(s, e, step.id);
  },
  StepSkipped: (s, e) => {
    // wait-for (issue 17): a step skipped because an answer stopped the playbook.
    if (e.data.decision !== undefined) return skipByDecision(s, e, e.data.decision);
    const step = stepOf(s, e, e.data.stepId, e.data.action);
    if (!e.data.reason.trim()) throw illegal(e, 'skipping a step needs a reason');
    resolveAttention(s, e, step.id);
    step.status = 'skipped';
    step.finishedAt = e.at;
  },
  IncidentAborted: (s, e) => {
    if (!e.data.reason.trim()) throw illegal(e, 'aborting an incident needs a reason');
    if (s.aborted !== undefined) throw illegal(e, 'the incident is already aborted');
    s.aborted = { ...e.data, at: e.at };
    s.attention = [];
  },
  AuditShippingHalted: (s, e) => {
    s.attention = s.attention.filter((a) => a.kind !== 'audit-halted');
    needsAttention(s, { kind: 'audit-halted', stepId: 'audit', since: e.at, message: `${e.data.error.type}: ${e.data.error.message}` });
  },
  AuditShippingResumed: (s, e) => {
    resolveAttention(s, e, 'audit');
  },
  SeverityChanged: (s, e) => {
    if (e.data.from !== s.severity) throw illegal(e, `the severity is ${s.severity}, not ${e.data.from}`);
    if (e.data.to === s.severity) throw illegal(e, `the severity is already ${s.severity}`);
    if (!e.data.reason.trim()) throw illegal(e, 'changing the severity needs a reason');
    s.severity = e.data.to;
  },
  StepCompensated: (s, e) => {
    const step = stepOf(s, e, e.data.stepId, e.data.action);
    if (step.status !== 'completed' && step.status !== 'failed') throw illegal(e, `step "${step.id}" is ${step.status}: nothing to undo`);
    step.status = 'compensated';
    step.finishedAt = e.at;
  },
  AccessRevoked: (s, e) => {
    s.revokedPrincipals.push({ ...e.data, at: e.at });
  },
  CredentialRotated: (s, e) => {
    const previous = s.rotatedCredentials[e.data.account];
    if (previous !== undefined && e.data.vaultVersion <= previous.vaultVersion) {
      throw illegal(e, `Vault version ${e.data.vaultVersion} of "${e.data.account}" is not newer than ${previous.vaultVersion}`);
    }
    s.rotatedCredentials[e.data.account] = { ...e.data, at: e.at };
  },
  CredentialRevoked: (s, e) => {
    s.revokedCredentials.push({ ...e.data, at: e.at });
  },
  CircuitOpened: (s, e) => {
    if (s.breakers[e.data.breaker]?.state === 'open') throw illegal(e, `breaker "${e.data.breaker}" is already open`);
    const { breaker, ...rest } = e.data;
    s.breakers[breaker] = { ...rest, state: 'open', openedAt: e.at };
  },
  CircuitClosed: (s, e) => {
    const breaker = s.breakers[e.data.breaker];
    if (breaker?.state !== 'open') throw illegal(e, `breaker "${e.data.breaker}" is not open`);
    if (!s.decisions.some((d) => d.approvalId === e.data.approvalId && d.granted)) {
      throw illegal(e, `closing breaker "${e.data.breaker}" needs a granted approval, "${e.data.approvalId}" is not one`);
    }
    breaker.state = 'closed';
    breaker.closedAt = e.at;
  },
  LegalHoldApplied: (s, e) => {
    s.legalHolds[e.data.topic] = { retentionMs: e.data.retentionMs, previousRetentionMs: e.data.previousRetentionMs, at: e.at };
  },
  ForensicWindowEstablished: (s, e) => {
    // Design §7: the originals must be kept from ageing out before anyone computes on them.
    if (s.legalHolds[e.data.topic] === undefined) throw illegal(e, `no legal hold on "${e.data.topic}" yet: apply it first`);
    s.forensicWindows[e.data.topic] = e.data;
  },
  EvidencePreserved: (s, e) => {
    const d = e.data;
    if (s.forensicWindows[d.sourceTopic] === undefined) throw illegal(e, `no forensic window for "${d.sourceTopic}"`);
    if (BigInt(d.to) < BigInt(d.from)) throw illegal(e, `empty range ${d.from}..${d.to}`);
    const key = `${d.sourceTopic}:${d.partition}`;
    const ranges = (s.evidence.ranges[key] ??= []);
    const clash = ranges.find((r) => BigInt(r.from) <= BigInt(d.to) && BigInt(d.from) <= BigInt(r.to));
    if (clash !== undefined) throw illegal(e, `${key} offsets ${d.from}..${d.to} overlap ${clash.from}..${clash.to}, already preserved`);
    ranges.push({ from: d.from, to: d.to });
    s.evidence.records = addDecimal(s.evidence.records, d.records);
    s.evidence.chunks += 1;
  },
  // Evidence at line rate (issue 13).
  EvidenceManifestSigned: (s, e) => {
    const d = e.data;
    const key = `${d.sourceTopic}:${d.partition}`;
    const preserved = s.evidence.ranges[key];
    if (preserved === undefined || preserved.length === 0) throw illegal(e, `no preserved range of ${key} for a manifest to cover`);
    const manifests = (s.evidence.manifests ??= {});
    const { merkleRoot, records, chunks, sourceBytes, evidenceBytes, manifestSha256 } = d;
    manifests[key] = { merkleRoot, records, chunks, sourceBytes, evidenceBytes, manifestSha256, at: e.at };
  },
  EvidenceExported: (s, e) => {
    if (e.data.decrypted && (e.data.authorisedBy === null || e.data.authorisedBy.trim() === '')) throw illegal(e, 'a decrypted export needs the authorising DPO');
    (s.evidence.exports ??= []).push({ decrypted: e.data.decrypted, authorisedBy: e.data.authorisedBy, archiveSha256: e.data.archiveSha256, at: e.at });
  },
  // One registry of runbook actions (issue 17).
  ActionPerformed: (s, e) => {
    if (!s.steps.some((st) => st.id === e.data.stepId)) throw illegal(e, `no step "${e.data.stepId}" in the runbook`);
    (s.performed ??= []).push({ ...e.data, at: e.at });
  },
  ...clockHandlers,
  // War room: notes, tasks and follow-ups (issue 16).
  ...noteHandlers,
  // wait-for (issue 17, item 3).
  ...decisionHandlers,
  ActionRefused: (s, e) => {
    s.refusals.push({ ...e.data, at: e.at });
  },
  IncidentClosed: (s, e) => {
    const busy = s.steps.find((st) => st.status === 'running');
    if (busy !== undefined) throw illegal(e, `step "${busy.id}" is still running`);
    s.status = 'closed';
    s.closedAt = e.at;
    s.closure = e.data;
  },
};

function applyInPlace(state: IncidentState, event: DomainEvent): void {
  if (event.type === 'IncidentOpened') throw illegal(event, 'the incident is already open');
  (handlers[event.type] as Handler<typeof event.type>)(state, event);
  state.lastSeq = event.seq;
}

function decide(s: IncidentState, e: EventOf<'ApprovalGranted'> | EventOf<'ApprovalDenied'>, granted: boolean): void {
  const index = s.pendingApprovals.findIndex((a) => a.approvalId === e.data.approvalId);
  const pending = s.pendingApprovals[index];
  if (pending === undefined) throw illegal(e, `no pending approval "${e.data.approvalId}"`);
  if (pending.stepId !== e.data.stepId) throw illegal(e, `approval "${pending.approvalId}" is for step "${pending.stepId}"`);
  if (pending.role !== e.data.role) throw illegal(e, `approval "${pending.approvalId}" needs ${pending.role}, not ${e.data.role}`);
  if (pending.breaker !== e.data.breaker) throw illegal(e, `approval "${pending.approvalId}" is for breaker ${pending.breaker ?? '(none)'}, not ${e.data.breaker ?? '(none)'}`);
  s.pendingApprovals.splice(index, 1);
  const scope = pending.breaker !== undefined ? { breaker: pending.breaker } : {};
  s.decisions.push({ approvalId: pending.approvalId, stepId: pending.stepId, role: pending.role, granted, approver: e.data.approver, at: e.at, ...scope });
  // A breaker-scoped decision authorises an action on that breaker only, never the step itself.
  if (pending.breaker !== undefined) return;
  const step = stepOf(s, e, pending.stepId);
  // Approvals also gate actions after a step (closing a breaker): only touch steps still waiting.
  if (step.status === 'awaiting-approval') step.status = granted ? 'approved' : 'denied';
  if (granted) step.approved = true;
}

/**
 * An approval for one breaker of a `break-circuits` step, asked for after the step (closing a
 * breaker from Slack): the same role gates it as the step, and the step's status does not move.
 */
function requestForBreaker(s: IncidentState, e: EventOf<'ApprovalRequested'>, step: StepState, breaker: string): void {
  if (step.action !== 'break-circuits') throw illegal(e, `step "${step.id}" runs ${step.action}: it owns no breaker`);
  if (step.approval !== 'none' && e.data.role !== step.approval) throw illegal(e, `breakers of step "${step.id}" are approved by ${step.approval}, not ${e.data.role}`);
  if (s.pendingApprovals.some((a) => a.approvalId === e.data.approvalId) || s.decisions.some((a) => a.approvalId === e.data.approvalId)) {
    throw illegal(e, `approval "${e.data.approvalId}" already exists`);
  }
  s.pendingApprovals.push({ approvalId: e.data.approvalId, stepId: step.id, role: e.data.role, reason: e.data.reason, requestedAt: e.at, breaker });
}

function stepOf(s: IncidentState, e: DomainEvent, stepId: string, action?: string): StepState {
  const step = s.steps.find((st) => st.id === stepId);
  if (step === undefined) throw illegal(e, `the runbook has no step "${stepId}"`);
  if (action !== undefined && step.action !== action) throw illegal(e, `step "${stepId}" runs ${step.action}, not ${action}`);
  return step;
}

function running(s: IncidentState, e: DomainEvent, stepId: string, action: string): StepState {
  const step = stepOf(s, e, stepId, action);
  if (step.status !== 'running') throw illegal(e, `step "${stepId}" is ${step.status}, not running`);
  return step;
}

function needsAttention(s: IncidentState, item: IncidentState['attention'][number]): void {
  s.attention = s.attention.filter((a) => a.stepId !== item.stepId);
  s.attention.push(item);
}

function resolveAttention(s: IncidentState, e: DomainEvent, stepId: string): void {
  const before = s.attention.length;
  s.attention = s.attention.filter((a) => a.stepId !== stepId);
  if (s.attention.length === before) throw illegal(e, `nothing about "${stepId}" is waiting for a decision`);
}

function advance(s: IncidentState, to: IncidentStatus): void {
  if (INCIDENT_STATUSES.indexOf(to) > INCIDENT_STATUSES.indexOf(s.status)) s.status = to;
}

function illegal(e: DomainEvent, reason: string): IllegalEventError {
  return new IllegalEventError(e.incidentId, e.seq, e.type, reason);
}
