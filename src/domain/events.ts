/**
 * Domain events: every decision and action of an incident, in the order it happened. The incident
 * record and timeline are folds over these (see `incident.ts`, `timeline.ts`); the audit topic
 * stores them hash-chained (see `audit-chain.ts`).
 *
 * Rules that hold for every `data` type below:
 * - JSON only: no `undefined`, no `bigint`, no `Date`; times are ISO-8601 UTC strings.
 * - Kafka offsets and record/byte counts are int64 on the wire, so they travel as decimal strings
 *   (`DecimalString`) and are never rounded through a double.
 * - No personal data in clear text: counts, hashes and tokens only. No secrets either: a rotated
 *   credential is identified by its Vault KV version, a revoked token by its accessor.
 */

/** A non-negative integer written in base 10, e.g. `"9007199254740993"`. */
export type DecimalString = string;

/** ISO-8601 timestamp in UTC, e.g. `2026-11-22T03:00:00.000Z`. */
export type IsoTime = string;

/** Who caused an event. */
export interface Actor {
  kind: 'system' | 'user' | 'siem';
  /** Slack user id, SIEM source name, or the orchestrator component (`workflow`, `activity:contain`). */
  id: string;
}

/** How the incident is run (design §2): for real, plan-only, or a drill against the sandbox. */
export type RunMode = 'live' | 'dry-run' | 'drill';

/** Roles that can approve a step; `none` means the step runs without waiting. */
export type ApprovalRole = 'none' | 'incident-commander' | 'dpo' | 'responder';

/** Built-in runbook actions: the workflow orchestrates each itself (see `builtin-actions.ts`). */
export type BuiltinActionName =
  | 'contain'
  | 'rotate-credentials'
  | 'break-circuits'
  | 'forensics'
  | 'preserve-evidence'
  | 'notify'
  | 'report'
  | 'close';

/**
 * A generic action's name as runbooks write it (`annotate`, `page`, `kafka.reset-offsets`): one
 * registered in `generic-actions.ts`. Any string at the type level (the loader checks it is
 * registered); the intersection keeps the built-in literals apart in unions.
 */
export type GenericActionName = string & Record<never, never>;

/** Runbook actions the workflow can dispatch to: a built-in name or a registered generic name. */
export type ActionName = BuiltinActionName | GenericActionName;

/** One Kafka ACL binding, as AdminClient describes it. */
export interface AclBinding {
  resourceType: 'TOPIC' | 'GROUP' | 'CLUSTER' | 'TRANSACTIONAL_ID';
  resourceName: string;
  patternType: 'LITERAL' | 'PREFIXED';
  /** e.g. `User:report-exporter`. */
  principal: string;
  host: string;
  operation: string;
  permission: 'ALLOW' | 'DENY';
}

/** The step list of the pinned runbook, recorded at opening so the fold can police step order. */
export interface RunbookStepRef {
  id: string;
  action: ActionName;
  approval: ApprovalRole;
}

/** How far a forensic range can be trusted (see src/domain/access-observations). */
export type AccessPrecision = 'exact' | 'bounded' | 'time-derived';

/** One contiguous range of offsets the attacker read (`to` inclusive). */
export interface OffsetRange {
  from: DecimalString;
  to: DecimalString;
  records: DecimalString;
  bytes: DecimalString;
  /** Record timestamp (epoch ms) at `from` / `to`; null when it could not be looked up. */
  firstTs: number | null;
  lastTs: number | null;
}

/**
 * What the attacker read from one partition: each disjoint range, and their union (`from` of the
 * first, `to` of the last, `records`/`bytes` summed). `from`/`to` are `-1` when everything read
 * has already aged out of the log (then only `clampedRecords` is non-zero).
 */
export interface PartitionWindow extends OffsetRange {
  partition: number;
  ranges: OffsetRange[];
  /** Offsets the attacker read that have already aged out of the log (not preservable). */
  clampedRecords: DecimalString;
  // Access-record sources (issue 12): optional so that events of earlier releases fold unchanged.
  /** How far the ranges can be trusted: `exact`, `bounded` or `time-derived` (src/domain/access-observations). */
  precision?: AccessPrecision;
  /** The access-record sources that support the ranges, e.g. `request-log`, `consumer-offsets`. */
  sources?: string[];
}

// Unplaced writes (access: write; see src/domain/unlocated-writes.ts).
/**
 * Writes of the principal to one topic that a source (the request log) shows but that could not
 * be placed at offsets, counted per reason. Counts, partitions and times only: no client ids or
 * addresses.
 */
export interface UnlocatedWritesEntry {
  /** `acks-0`: the broker sends no response to acks=0, so the log holds no offsets; `unknown-topic-id`: a Produce v13+ line names a topic id no metadata maps. */
  reason: 'acks-0' | 'unknown-topic-id';
  /** Writes: one per partition where the line names partitions, else one per produce request. */
  count: number;
  /** False when the lines name no topic (acks=0 text lines, unmapped topic ids): the writes may be to this topic or another the step covers. */
  topicNamed: boolean;
  /** Partitions the lines name, ascending (empty when they name none). */
  partitions: number[];
  /** Epoch ms of the first and last such line (null when the lines carry no time). */
  firstTs: number | null;
  lastTs: number | null;
}

/** A change a step would make, recorded in dry-run mode instead of making it. */
export interface PlannedChange {
  /** e.g. `acl.delete`, `acl.create`, `scram.upsert`, `vault.kv.put`, `topic.config`. */
  kind: string;
  /** The resource touched, e.g. `TOPIC:orders` or `secret/data/kafka/analytics-etl`. */
  target: string;
  description: string;
}

/** Payload of every event type, keyed by type. */
export interface EventDataMap {
  IncidentOpened: {
    title: string;
    severity: 'critical' | 'high' | 'medium' | 'low';
    scenario: string;
    mode: RunMode;
    /** The principal the alert names as compromised, e.g. `User:report-exporter`. */
    principal: string;
    fingerprint: string;
    runbook: { id: string; version: number; contentHash: string; steps: RunbookStepRef[] };
    /** issue 11: the previous generation of this fingerprint, when this incident re-opens it. */
    previousIncidentId?: string;
  };
  AlertCorrelated: { source: string; alertId: string; rule: string; fingerprint: string; receivedAt: IsoTime };
  /**
   * `breaker` scopes the approval to one breaker of a `break-circuits` step (closing it from Slack
   * after the step ran), instead of gating the step itself: the step's status is left alone.
   */
  ApprovalRequested: { approvalId: string; stepId: string; role: Exclude<ApprovalRole, 'none'>; reason: string; breaker?: string };
  ApprovalGranted: { approvalId: string; stepId: string; role: Exclude<ApprovalRole, 'none'>; approver: string; comment?: string; breaker?: string };
  ApprovalDenied: { approvalId: string; stepId: string; role: Exclude<ApprovalRole, 'none'>; approver: string; reason: string; breaker?: string };
  StepPlanned: { stepId: string; action: ActionName; changes: PlannedChange[] };
  StepStarted: { stepId: string; action: ActionName; attempt: number };
  /** `outputs` (issue 17, step outputs): what the step declared and produced, for later steps' references; absent before 0.3. */
  StepCompleted: { stepId: string; action: ActionName; durationMs: number; outputs?: StepOutputValues };
  StepFailed: { stepId: string; action: ActionName; attempt: number; error: { type: string; message: string; retriable: boolean } };
  StepCompensated: { stepId: string; action: ActionName; undone: string };
  AccessRevoked: {
    principal: string;
    scope: 'resources' | 'cluster';
    /** Kept so that the saga (or a false-positive review) can restore them exactly. */
    removedAllowBindings: AclBinding[];
    addedDenyBindings: AclBinding[];
    /** A produce and a consume attempt with the principal's credentials were refused. */
    verified: boolean;
  };
  CredentialRotated: {
    account: string;
    mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
    iterations: number;
    vaultPath: string;
    /** KV v2 version holding the new secret; the secret itself never appears in an event. */
    vaultVersion: number;
    verified: boolean;
  };
  CredentialRevoked: {
    account: string;
    credential: 'kafka-scram-user' | 'vault-token' | 'approle-secret-id';
    /** Token accessor or secret-id accessor; the account name for a deleted SCRAM user. */
    reference: string;
  };
  CircuitOpened: { breaker: string; topic: string; principals: string[]; addedDenyBindings: AclBinding[] };
  CircuitClosed: { breaker: string; topic: string; principals: string[]; approvalId: string };
  LegalHoldApplied: { topic: string; previousRetentionMs: string; retentionMs: string };
  ForensicWindowEstablished: {
    topic: string;
    partitions: PartitionWindow[];
    totals: { partitions: number; ranges: number; records: DecimalString; bytes: DecimalString; firstTs: number | null; lastTs: number | null };
    /** Whether `bytes` is exact or partly estimated from partially overlapping fetches. */
    bytesExact: boolean;
    sources: Array<'committed-offsets' | 'access-records' | 'timestamp-index'>;
    dataSubjects: { count: number; method: 'exact' | 'hll'; relativeStandardError: number };
    piiCategories: string[];
    // Unplaced writes (access: write): optional so that earlier events fold unchanged.
    /** Writes of the principal a source shows but could not place at offsets: the window is a lower bound. */
    unlocatedWrites?: UnlocatedWritesEntry[];
  };
  EvidencePreserved: {
    sourceTopic: string;
    partition: number;
    from: DecimalString;
    to: DecimalString;
    records: DecimalString;
    evidenceTopic: string;
    /** sha256 over the chunk's payload hashes, in offset order. */
    digest: string;
  };
  /**
   * A regime's clock started at incident open: its stages' dues from the facts known then
   * (`awarenessAt` is provisional until a person determines it), and the clock workflow keeping time.
   */
  RegulatoryClockStarted: {
    regime: string;
    authority: string;
    awarenessAt: IsoTime;
    /** The clock workflow's id (`regulatoryClockWorkflowId`). */
    workflowId: string;
    stages: StageDueData[];
  };
  /** A reminder posted for one stage at one of its marks (recorded only after the post succeeded). */
  ReminderSent: { regime: string; stage: string; mark: string; channel: string };
  /**
   * A filing. `recipient: supervisory-authority` files one stage (`stage`; phased stages take any
   * number of supplementary filings after the initial one); `data-subjects` is the Art. 34 notice.
   */
  NotificationFiled: {
    regime: string;
    recipient: 'supervisory-authority' | 'data-subjects';
    authority: string;
    reference: string;
    filedAt: IsoTime;
    late: boolean;
    lateReason?: string;
    /** The stage filed (authority filings). */
    stage?: string;
    /** `initial`, or `supplementary` for a later filing of a phased stage (GDPR Art. 33(4)). */
    phase?: 'initial' | 'supplementary';
  };
  /** A stage's due passed without a filing; the regime's later stages go on. */
  DeadlineMissed: { regime: string; stage: string; deadlineAt: IsoTime };
  DataSubjectNotificationRequired: { regime: string; dataSubjects: number; piiCategories: string[]; reasons: string[] };
  IncidentClosed: { resolution: string; openItems: string[] };
  /**
   * A command the access policies refused (e.g. `/ir close` by a responder). Only the Slack user id
   * identifies the person; `request` is the command as typed, `refusedAt` when the policy said no.
   */
  ActionRefused: { userId: string; role: string; action: string; request: string; refusedAt: IsoTime };

  // --- Failure as a state (issue 9): a step that failed for good, or an approval nobody gave in
  // time, leaves the incident open and needing attention until an operator decides.
  /** Nobody decided a pending approval in time; the step waits for an operator's decision. */
  ApprovalExpired: { approvalId: string; stepId: string; role: Exclude<ApprovalRole, 'none'>; waitedMs: number };
  /** An operator asks for a failed (or unapproved) step to be tried again. */
  StepRetryRequested: { stepId: string; action: ActionName; requestedBy: string; role: string };
  /**
   * An operator skips a step that needs attention; the playbook goes on without it. With
   * `decision` (wait-for, issue 17): a step not yet started, skipped because a `wait-for` step's
   * answer stopped the playbook (`skippedBy` is then who answered, or `workflow` on a timeout).
   */
  StepSkipped: { stepId: string; action: ActionName; skippedBy: string; role: string; reason: string; decision?: { stepId: string; answer: string } };
  /** An operator aborts the incident: remediation is undone and the incident closes. */
  IncidentAborted: { abortedBy: string; role: string; reason: string };
  /** The audit topic refused the incident's events (conflict, closed chain): shipping stops until an operator retries. */
  AuditShippingHalted: { error: { type: string; message: string }; pendingFromSeq: number };
  /** Audit shipping was resumed by an operator after a halt. */
  AuditShippingResumed: { requestedBy: string; role: string };
  // --- Regulatory clocks as recorded decisions (issue 10) ---
  /** A person determined when the organisation became aware (replaces the provisional SIEM time). */
  AwarenessDetermined: { awareAt: IsoTime; reason: string; previous: IsoTime };
  /** DORA classification of the incident (major or not). */
  IncidentClassified: { classification: 'major' | 'not-major' };
  /** SEC 8-K / NYDFS materiality determination. */
  MaterialityDetermined: { determinedAt: IsoTime };
  /** Art. 33(1)/(5): the regime's clock ends as not notifiable, with the documented reasoning. */
  RegimeNotNotifiable: { regime: string; reasoning: string };
  /** The stages' dues after a fact changed (awareness, classification, determination, a filing). */
  DeadlinesRecomputed: { regime: string; cause: string; stages: StageDueData[] };
  /** A filing the incident refused (e.g. late without a reason), with the refusal as given to the filer. */
  FilingRefused: { regime: string; stage: string; reference: string; filer: string; code: string; message: string };
  /** A reminder that could not be posted (so not recorded as sent). */
  ReminderFailed: { regime: string; stage: string; mark: string; error: string };
  /** The DPO's Art. 34 decision on the proposed data-subject notice: notify, or a 34(3) exception. */
  DataSubjectDecision: { regime: string; decision: 'notify' | 'exception'; reason: string };
  // --- Operator actions from Slack and the console (issue 16) ---
  /** A person re-rated the incident's severity, with the reason. */
  SeverityChanged: { from: Severity; to: Severity; reason: string; changedBy: string; role: string };
  // Evidence at line rate (issue 13).
  /**
   * A preserved partition window's manifest (docs/evidence-format.md §4), signed through Vault
   * transit and written on the evidence topic at `manifestOffset`; `manifestSha256` pins it.
   */
  EvidenceManifestSigned: {
    sourceTopic: string;
    partition: number;
    evidenceTopic: string;
    evidencePartition: number;
    manifestOffset: DecimalString;
    manifestSha256: string;
    merkleRoot: string;
    chainHead: string;
    records: DecimalString;
    chunks: number;
    sourceBytes: DecimalString;
    evidenceBytes: DecimalString;
    keyIds: string[];
    signingKey: string;
    signature: string;
  };
  /** Evidence exported for a regulator or court; `decrypted` exports need the DPO's authorisation. */
  EvidenceExported: { decrypted: boolean; authorisedBy: string | null; archiveSha256: string; manifests: number; records: DecimalString };
  // One registry of runbook actions (issue 17): what a generic action did.
  /** A generic action's activity (or its compensation) reported what it did; no secret in `details`. */
  ActionPerformed: { stepId: string; action: ActionName; summary: string; details: Record<string, string | number | boolean> };
  // --- War room: notes, tasks and follow-ups (issue 16). Text is what a person typed, kept as typed.
  /** A note on the incident (`/ir note`). */
  NoteAdded: { text: string; addedBy: string; role: string };
  /** A task, numbered 1, 2, … per incident (`/ir task`); `assignee` is a Slack user id or a name. */
  TaskAdded: { number: number; assignee: string; text: string; addedBy: string; role: string };
  /** A task marked done (`/ir task done`). */
  TaskCompleted: { number: number; completedBy: string; role: string };
  /** Something to do after the incident, listed in the report (`/ir follow-up`). */
  FollowUpAdded: { text: string; addedBy: string; role: string };
  // --- wait-for: a question to the operators, answered or timed out (issue 17, item 3) ---
  /** A running `wait-for` step asked its question; it waits until `deadline` for one of `options`. */
  DecisionAsked: { stepId: string; question: string; options: string[]; role: Exclude<ApprovalRole, 'none'>; onTimeout: string; stopOn: string[]; deadline: IsoTime };
  /** An operator answered the question of `stepId`; `stops`: the answer is one of its `stopOn`. */
  DecisionTaken: { stepId: string; answer: string; decidedBy: string; role: string; reason?: string; stops: boolean };
  /** Nobody answered in time: the step took its `onTimeout` answer. */
  DecisionTimedOut: { stepId: string; answer: string; waitedMs: number; stops: boolean };
}

/** How bad an incident is, as the alert rated it or a person re-rated it. */
export type Severity = 'critical' | 'high' | 'medium' | 'low';

/** One stage's due as the calculator gave it (`due: null` while its anchor is unknown). */
export interface StageDueData {
  stage: string;
  due: IsoTime | null;
  rule: string;
  /** Supplementary filings allowed after the initial one. */
  phased?: boolean;
}

/** Every event type name. */
export type EventType = keyof EventDataMap;

/** The fields every event carries, whatever its type. */
export interface EventEnvelope<T extends EventType = EventType> {
  incidentId: string;
  /** 1 for `IncidentOpened`, then +1 per event of the incident. */
  seq: number;
  type: T;
  at: IsoTime;
  actor: Actor;
  data: EventDataMap[T];
}

/** A domain event: a discriminated union on `type`. */
export type DomainEvent = { [T in EventType]: EventEnvelope<T> }[EventType];

/** The event of one given type. */
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

/** Every event type, in the order they typically occur; used by exhaustive tests and the schema. */
export const EVENT_TYPES: readonly EventType[] = [
  'IncidentOpened',
  'AlertCorrelated',
  'ApprovalRequested',
  'ApprovalGranted',
  'ApprovalDenied',
  'StepPlanned',
  'StepStarted',
  'StepCompleted',
  'StepFailed',
  'StepCompensated',
  'AccessRevoked',
  'CredentialRotated',
  'CredentialRevoked',
  'CircuitOpened',
  'CircuitClosed',
  'LegalHoldApplied',
  'ForensicWindowEstablished',
  'EvidencePreserved',
  'RegulatoryClockStarted',
  'ReminderSent',
  'NotificationFiled',
  'DeadlineMissed',
  'DataSubjectNotificationRequired',
  'IncidentClosed',
  'ActionRefused',
  'ApprovalExpired',
  'StepRetryRequested',
  'StepSkipped',
  'IncidentAborted',
  'AuditShippingHalted',
  'AuditShippingResumed',
  // Regulatory clocks as recorded decisions (issue 10).
  'AwarenessDetermined',
  'IncidentClassified',
  'MaterialityDetermined',
  'RegimeNotNotifiable',
  'DeadlinesRecomputed',
  'FilingRefused',
  'ReminderFailed',
  'DataSubjectDecision',
  // Operator actions (issue 16).
  'SeverityChanged',
  // Evidence at line rate (issue 13).
  'EvidenceManifestSigned',
  'EvidenceExported',
  // One registry of runbook actions (issue 17).
  'ActionPerformed',
  // War room: notes, tasks and follow-ups (issue 16).
  'NoteAdded',
  'TaskAdded',
  'TaskCompleted',
  'FollowUpAdded',
  // wait-for (issue 17, item 3).
  'DecisionAsked',
  'DecisionTaken',
  'DecisionTimedOut',
];

/**
 * Builds an event with its type checked against its data. The caller supplies `seq` and `at`
 * (never read from a clock here: this module also runs inside workflows).
 */
export function makeEvent<T extends EventType>(
  type: T,
  fields: { incidentId: string; seq: number; at: IsoTime; actor: Actor },
  data: EventDataMap[T],
): EventOf<T> {
  return { ...fields, type, data } as EventOf<T>;
}

// Step outputs and references (issue 17, item 4).
/** One output value of a step: `string`, `string-list` or `string-map` (e.g. partition → offset). */
export type StepOutputValue = string | string[] | Record<string, string>;
/** A step's outputs by name, as recorded on `StepCompleted` (workflow history: never a secret). */
export type StepOutputValues = Record<string, StepOutputValue>;
