import type { DomainEvent, EventOf, EventType, IsoTime } from './events';
import { unlocatedStatement } from './unlocated-writes';

/** One line of the incident timeline. */
export interface TimelineEntry {
  at: IsoTime;
  seq: number;
  type: EventType;
  summary: string;
}

type Summarizer<T extends EventType> = (e: EventOf<T>) => string;

const plural = (n: number | string, one: string, many = `${one}s`): string => `${n} ${String(n) === '1' ? one : many}`;

/** Thousands separators on a decimal string, without going through a double. */
const grouped = (digits: string): string => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

const iso = (ms: number | null): string => (ms === null ? 'unknown' : new Date(ms).toISOString());

/** A further sentence after a summary, or nothing. */
const sentence = (text: string | undefined): string => (text === undefined ? '' : `. ${text}`);

const summaries: { [T in EventType]: Summarizer<T> } = {
  IncidentOpened: (e) =>
    `Incident opened (${e.data.severity}, ${e.data.mode}): ${e.data.title}; principal ${e.data.principal}; ` +
    `runbook ${e.data.runbook.id} v${e.data.runbook.version} (${e.data.runbook.contentHash.slice(0, 12)})`,
  AlertCorrelated: (e) => `Alert ${e.data.alertId} from ${e.data.source} correlated (rule "${e.data.rule}")`,
  ApprovalRequested: (e) => `Approval requested from ${e.data.role} for ${subject(e.data)}: ${e.data.reason}`,
  ApprovalGranted: (e) =>
    `${capital(subject(e.data))} approved by ${e.data.approver} (${e.data.role})${e.data.comment ? `: ${e.data.comment}` : ''}`,
  ApprovalDenied: (e) => `${capital(subject(e.data))} refused by ${e.data.approver} (${e.data.role}): ${e.data.reason}`,
  StepPlanned: (e) =>
    `Dry run of "${e.data.stepId}" (${e.data.action}) would make ${plural(e.data.changes.length, 'change')}` +
    (e.data.changes.length > 0 ? `: ${e.data.changes.map((c) => c.description).join('; ')}` : ''),
  StepStarted: (e) => `Step "${e.data.stepId}" (${e.data.action}) started${e.data.attempt > 1 ? `, attempt ${e.data.attempt}` : ''}`,
  StepCompleted: (e) => `Step "${e.data.stepId}" (${e.data.action}) completed in ${formatMs(e.data.durationMs)}`,
  StepFailed: (e) =>
    `Step "${e.data.stepId}" (${e.data.action}) failed on attempt ${e.data.attempt}: ${e.data.error.type}: ${e.data.error.message}` +
    (e.data.error.retriable ? ' (will retry)' : ''),
  StepCompensated: (e) => `Step "${e.data.stepId}" (${e.data.action}) undone: ${e.data.undone}`,
  AccessRevoked: (e) =>
    `Access revoked for ${e.data.principal} (${e.data.scope === 'cluster' ? 'cluster-wide' : 'its resources'}): ` +
    `${plural(e.data.removedAllowBindings.length, 'ALLOW binding')} removed, ${plural(e.data.addedDenyBindings.length, 'DENY binding')} added` +
    (e.data.verified ? '; produce and consume now refused' : '; NOT yet verified'),
  CredentialRotated: (e) =>
    `Credentials of ${e.data.account} rotated (${e.data.mechanism}, ${e.data.iterations} iterations); ` +
    `new secret at ${e.data.vaultPath} version ${e.data.vaultVersion}` + (e.data.verified ? '; old password refused' : '; NOT yet verified'),
  CredentialRevoked: (e) => {
    const what = { 'kafka-scram-user': 'Kafka SCRAM user deleted', 'vault-token': 'Vault token revoked', 'approle-secret-id': 'AppRole secret ID revoked' };
    return `${what[e.data.credential]} for ${e.data.account} (${e.data.reference})`;
  },
  CircuitOpened: (e) => `Breaker "${e.data.breaker}" opened: ${e.data.principals.join(', ')} can no longer read ${e.data.topic}`,
  CircuitClosed: (e) => `Breaker "${e.data.breaker}" closed (approval ${e.data.approvalId}): ${e.data.principals.join(', ')} may read ${e.data.topic} again`,
  LegalHoldApplied: (e) =>
    `Legal hold on ${e.data.topic}: retention.ms ${e.data.previousRetentionMs} → ${e.data.retentionMs === '-1' ? '-1 (forever)' : e.data.retentionMs}`,
  ForensicWindowEstablished: (e) =>
    `Forensic window on ${e.data.topic}: ${grouped(e.data.totals.records)} records (${grouped(e.data.totals.bytes)} bytes` +
    `${e.data.bytesExact ? '' : ', estimated'}) read from ${plural(e.data.totals.partitions, 'partition')} ` +
    `between ${iso(e.data.totals.firstTs)} and ${iso(e.data.totals.lastTs)}; ` +
    `${e.data.dataSubjects.method === 'exact' ? '' : '≈'}${plural(grouped(String(e.data.dataSubjects.count)), 'data subject')}` +
    (e.data.dataSubjects.method === 'exact' ? '' : ` (±${(e.data.dataSubjects.relativeStandardError * 100).toFixed(2)}% standard error)`) +
    // Unplaced writes (access: write): absent on earlier events, which read as before.
    sentence(unlocatedStatement(e.data.unlocatedWrites)),
  EvidencePreserved: (e) =>
    `Evidence preserved: ${e.data.sourceTopic}[${e.data.partition}] offsets ${e.data.from}..${e.data.to} ` +
    `(${grouped(e.data.records)} records) copied to ${e.data.evidenceTopic}`,
  RegulatoryClockStarted: (e) =>
    `${e.data.regime.toUpperCase()} clock started (aware at ${e.data.awarenessAt}, provisional): ${dues(e.data.stages)}`,
  ReminderSent: (e) => `${e.data.regime.toUpperCase()} ${e.data.stage} reminder at the ${e.data.mark} mark sent to ${e.data.channel}`,
  NotificationFiled: (e) =>
    `${e.data.regime.toUpperCase()}${e.data.stage !== undefined ? ` ${e.data.stage}` : ''} ${e.data.phase === 'supplementary' ? 'supplementary ' : ''}notification to ` +
    `${e.data.recipient === 'data-subjects' ? 'data subjects' : e.data.authority} filed ` +
    `(ref ${e.data.reference})${e.data.late ? `, LATE: ${e.data.lateReason ?? 'no reason given'}` : ', on time'}`,
  DeadlineMissed: (e) => `${e.data.regime.toUpperCase()} ${e.data.stage} due ${e.data.deadlineAt} passed without a filing`,
  DataSubjectNotificationRequired: (e) =>
    `Data subjects must be told (${e.data.regime.toUpperCase()}): ${plural(grouped(String(e.data.dataSubjects)), 'data subject')}, ` +
    `categories ${e.data.piiCategories.join(', ') || 'none'}; ${e.data.reasons.join('; ')}`,
  IncidentClosed: (e) =>
    `Incident closed: ${e.data.resolution}` + (e.data.openItems.length > 0 ? `; open items: ${e.data.openItems.join('; ')}` : ''),
  ApprovalExpired: (e) => `Approval of step "${e.data.stepId}" by the ${e.data.role} expired after ${formatMs(e.data.waitedMs)}; the step needs a decision`,
  StepRetryRequested: (e) => `Retry of step "${e.data.stepId}" (${e.data.action}) requested by ${e.data.requestedBy} (${e.data.role})`,
  StepSkipped: (e) => `Step "${e.data.stepId}" (${e.data.action}) skipped by ${e.data.skippedBy} (${e.data.role}): ${e.data.reason}`,
  SeverityChanged: (e) => `Severity changed from ${e.data.from} to ${e.data.to} by ${e.data.changedBy} (${e.data.role}): ${e.data.reason}`,
  IncidentAborted: (e) => `Incident aborted by ${e.data.abortedBy} (${e.data.role}): ${e.data.reason}`,
  AuditShippingHalted: (e) => `Audit shipping halted from seq ${e.data.pendingFromSeq}: ${e.data.error.type}: ${e.data.error.message}`,
  AuditShippingResumed: (e) => `Audit shipping resumed by ${e.data.requestedBy} (${e.data.role})`,
  ActionRefused: (e) => `Refused by policy: ${e.data.userId} (${e.data.role}) may not ${e.data.action}; asked "${e.data.request}" at ${e.data.refusedAt}`,
  // Regulatory clocks as recorded decisions (issue 10).
  AwarenessDetermined: (e) => `Awareness determined at ${e.data.awareAt} (was ${e.data.previous}): ${e.data.reason}`,
  IncidentClassified: (e) => `Incident classified ${e.data.classification} (DORA)`,
  MaterialityDetermined: (e) => `Materiality determined at ${e.data.determinedAt} (SEC 8-K, NYDFS)`,
  RegimeNotNotifiable: (e) => `${e.data.regime.toUpperCase()} recorded as not notifiable: ${e.data.reasoning}`,
  DeadlinesRecomputed: (e) => `${e.data.regime.toUpperCase()} deadlines recomputed (${e.data.cause}): ${dues(e.data.stages)}`,
  FilingRefused: (e) => `${e.data.regime.toUpperCase()} ${e.data.stage} filing by ${e.data.filer} (ref ${e.data.reference}) refused: ${e.data.message}`,
  ReminderFailed: (e) => `${e.data.regime.toUpperCase()} ${e.data.stage} reminder at the ${e.data.mark} mark could not be posted: ${e.data.error}`,
  DataSubjectDecision: (e) =>
    `Art. 34 (${e.data.regime.toUpperCase()}): ${e.data.decision === 'notify' ? 'data subjects to be notified' : 'exception under Art. 34(3)'}: ${e.data.reason}`,
  // Evidence at line rate (issue 13).
  EvidenceManifestSigned: (e) =>
    `Evidence manifest of ${e.data.sourceTopic}/${e.data.partition} signed: ${e.data.records} records in ${e.data.chunks} chunks, Merkle root ${e.data.merkleRoot.slice(0, 16)}…`,
  EvidenceExported: (e) =>
    e.data.decrypted
      ? `Evidence exported DECRYPTED (authorised by ${e.data.authorisedBy ?? 'nobody'}): ${e.data.records} records, archive sha256 ${e.data.archiveSha256.slice(0, 16)}…`
      : `Evidence exported (sealed): ${e.data.manifests} manifests, ${e.data.records} records, archive sha256 ${e.data.archiveSha256.slice(0, 16)}…`,
  // One registry of runbook actions (issue 17).
  ActionPerformed: (e) => `Step "${e.data.stepId}" (${e.data.action}): ${e.data.summary}`,
  // War room: notes, tasks and follow-ups (issue 16).
  NoteAdded: (e) => `Note by ${e.data.addedBy} (${e.data.role}): ${e.data.text}`,
  TaskAdded: (e) => `Task ${e.data.number} for ${e.data.assignee}, added by ${e.data.addedBy} (${e.data.role}): ${e.data.text}`,
  TaskCompleted: (e) => `Task ${e.data.number} done, marked by ${e.data.completedBy} (${e.data.role})`,
  FollowUpAdded: (e) => `Follow-up added by ${e.data.addedBy} (${e.data.role}): ${e.data.text}`,
  // wait-for (issue 17, item 3).
  DecisionAsked: (e) => `Step "${e.data.stepId}" asks the ${e.data.role}: ${e.data.question} (${e.data.options.join(' / ')}); "${e.data.onTimeout}" at ${e.data.deadline}`,
  DecisionTaken: (e) =>
    `Step "${e.data.stepId}" answered "${e.data.answer}" by ${e.data.decidedBy} (${e.data.role})${e.data.reason !== undefined ? `: ${e.data.reason}` : ''}${e.data.stops ? '; the playbook stops' : ''}`,
  DecisionTimedOut: (e) => `Step "${e.data.stepId}": nobody answered within ${formatMs(e.data.waitedMs)}; took "${e.data.answer}"${e.data.stops ? '; the playbook stops' : ''}`,
};

/** `authority due 2026-11-23T08:00:00.000Z` per stage; `no due yet` while its anchor is unknown. */
const dues = (stages: ReadonlyArray<{ stage: string; due: string | null }>): string =>
  stages.map((st) => `${st.stage} ${st.due !== null ? `due ${st.due}` : 'no due yet'}`).join(', ');

/** What an approval is about: a step, or one breaker of a step. */
const subject = (d: { stepId: string; breaker?: string }): string =>
  d.breaker !== undefined ? `breaker "${d.breaker}" of step "${d.stepId}"` : `step "${d.stepId}"`;
const capital = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** A one-line, human-readable account of one event. */
export function summarize(event: DomainEvent): string {
  return (summaries[event.type] as Summarizer<typeof event.type>)(event);
}

/** The timeline projection: one entry per event, in sequence order. */
export function timeline(events: readonly DomainEvent[]): TimelineEntry[] {
  return [...events]
    .sort((a, b) => a.seq - b.seq)
    .map((e) => ({ at: e.at, seq: e.seq, type: e.type, summary: summarize(e) }));
}

function formatMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
