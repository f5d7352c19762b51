import type {
  AclBinding,
  ActionName,
  ApprovalRole,
  DecimalString,
  EventDataMap,
  IsoTime,
  PlannedChange,
  RunMode,
  StepOutputValues,
} from './events';
import type { DecisionAnswer, PendingDecision } from './incident-decisions';

/**
 * Where an incident is in its life. It only moves forward: the rank of the furthest phase any
 * step has reached (a late `rotate-credentials` retry does not send a `reporting` incident back).
 */
export type IncidentStatus =
  | 'open'
  | 'containing'
  | 'contained'
  | 'eradicating'
  | 'investigating'
  | 'notifying'
  | 'reporting'
  | 'closed';

/** Every status in lifecycle order; the index is the rank. */
export const INCIDENT_STATUSES: readonly IncidentStatus[] = [
  'open',
  'containing',
  'contained',
  'eradicating',
  'investigating',
  'notifying',
  'reporting',
  'closed',
];

/** Where one runbook step is. */
export type StepStatus =
  | 'pending'
  | 'awaiting-approval'
  | 'approved'
  | 'denied'
  | 'planned'
  | 'running'
  | 'completed'
  | 'failed'
  | 'skipped'
  | 'compensated';

/** One runbook step as the fold sees it. */
export interface StepState {
  id: string;
  action: ActionName;
  approval: ApprovalRole;
  status: StepStatus;
  /** True once an approval for this step has been granted; survives a failed attempt. */
  approved: boolean;
  attempts: number;
  startedAt?: IsoTime;
  finishedAt?: IsoTime;
  lastError?: EventDataMap['StepFailed']['error'];
  /** Dry-run only: what the step would change. */
  plannedChanges?: PlannedChange[];
  // Step outputs (issue 17, item 4): what later steps' `${{ steps.<id>.outputs.<name> }}` read.
  /** The outputs of its completed attempt, when its action declares any and produced them. */
  outputs?: StepOutputValues;
}

/** An approval asked for and not yet answered. */
export interface PendingApproval {
  approvalId: string;
  stepId: string;
  role: Exclude<ApprovalRole, 'none'>;
  reason: string;
  requestedAt: IsoTime;
  /** Set for an approval scoped to one breaker rather than to its step. */
  breaker?: string;
}

/** An answered approval. */
export interface ApprovalDecision {
  approvalId: string;
  stepId: string;
  role: Exclude<ApprovalRole, 'none'>;
  granted: boolean;
  approver: string;
  at: IsoTime;
  /** Set for an approval scoped to one breaker rather than to its step. */
  breaker?: string;
}

/** A command the access policies refused, as `ActionRefused` recorded it. */
export type Refusal = EventDataMap['ActionRefused'] & { at: IsoTime };

/** One filing of a stage with the authority. */
export interface StageFiling {
  authority: string;
  reference: string;
  filedAt: IsoTime;
  late: boolean;
  lateReason?: string;
  filer: string;
  phase: 'initial' | 'supplementary';
}

/** One stage of a regime's clock: its due as last computed and what happened to it. */
export interface StageState {
  stage: string;
  /** Null while the stage's anchor (classification, determination, an earlier filing) is unknown. */
  due: IsoTime | null;
  rule: string;
  /** Supplementary filings allowed after the initial one (GDPR Art. 33(4)). */
  phased: boolean;
  /** Initial filing first, then supplementary ones. */
  filings: StageFiling[];
  missed: boolean;
  reminders: Array<{ mark: string; sentAt: IsoTime }>;
}

/** Where a stage stands, as `/ir clocks` and the clocks query show it. */
export type StageStanding = 'pending' | 'filed' | 'missed' | 'not-notifiable';

/** A regulatory clock (one per regime) and what happened on it. */
export interface RegulatoryClockState {
  regime: string;
  authority: string;
  /** The clock workflow keeping time for this regime. */
  workflowId: string;
  /** Awareness the dues were last computed from. */
  awarenessAt: IsoTime;
  stages: StageState[];
  /** Recorded "not notifiable" decision: the clock ended with this reasoning. */
  notNotifiable?: { reasoning: string; decidedBy: string; at: IsoTime };
  /** Summary: the earliest due of a stage not filed yet (else the latest due known); null if none is known. */
  deadlineAt: IsoTime | null;
  /** Summary: the initial filing of the regime's first stage, once made. */
  filed?: StageFiling;
  /** Summary: some stage's due passed without a filing. */
  missed: boolean;
  /** Communication to data subjects (GDPR Art. 34), once made. */
  dataSubjectsNotified?: { reference: string; filedAt: IsoTime };
  /** Art. 34 notice proposed by the workflow from the forensic figures. */
  dataSubjectNotification?: { dataSubjects: number; piiCategories: string[]; reasons: string[]; proposedAt: IsoTime };
  /** The DPO's Art. 34 decision on the proposal. */
  dataSubjectDecision?: { decision: 'notify' | 'exception'; reason: string; decidedBy: string; at: IsoTime };
}

/** Facts the regulatory dues are computed from, as decided so far. */
export interface RegulatoryFacts {
  /** Awareness in force; provisional (the alert's time) until a person determines it. */
  awareAt?: IsoTime;
  awarenessProvisional: boolean;
  classification?: 'major' | 'not-major';
  classifiedAt?: IsoTime;
  determinedAt?: IsoTime;
}

/**
 * Something the playbook cannot get past on its own: a step that failed after its retries, an
 * approval that expired, or the audit topic refusing the incident's events. The incident stays
 * open (clocks keep running) until an operator retries, skips (with a reason) or aborts.
 */
export interface AttentionItem {
  kind: 'step-failed' | 'approval-expired' | 'audit-halted';
  /** The step concerned; `audit` for the audit topic. */
  stepId: string;
  since: IsoTime;
  message: string;
}

/** A note or a follow-up as recorded: the text as typed, who added it and when. */
export interface IncidentNote {
  text: string;
  addedBy: string;
  at: IsoTime;
}

/** A numbered task of the incident; `done` once someone marked it done. */
export interface IncidentTask {
  number: number;
  assignee: string;
  text: string;
  addedBy: string;
  at: IsoTime;
  done?: { by: string; at: IsoTime };
}

/** A circuit breaker as last reported. */
export interface BreakerState {
  topic: string;
  principals: string[];
  state: 'open' | 'closed';
  openedAt: IsoTime;
  closedAt?: IsoTime;
  addedDenyBindings: AclBinding[];
}

/**
 * The incident record: a pure fold of its domain events. JSON-serialisable (plain objects and
 * arrays only) because it is what the workflow's query returns.
 */
export interface IncidentState {
  incidentId: string;
  lastSeq: number;
  status: IncidentStatus;
  openedAt: IsoTime;
  closedAt?: IsoTime;
  title: string;
  severity: EventDataMap['IncidentOpened']['severity'];
  scenario: string;
  mode: RunMode;
  principal: string;
  fingerprint: string;
  runbook: { id: string; version: number; contentHash: string };
  alertsCorrelated: number;
  steps: StepState[];
  pendingApprovals: PendingApproval[];
  decisions: ApprovalDecision[];
  revokedPrincipals: Array<EventDataMap['AccessRevoked'] & { at: IsoTime }>;
  /** Account → its latest rotation. */
  rotatedCredentials: Record<string, EventDataMap['CredentialRotated'] & { at: IsoTime }>;
  revokedCredentials: Array<EventDataMap['CredentialRevoked'] & { at: IsoTime }>;
  breakers: Record<string, BreakerState>;
  /** Topic → retention now in force. */
  legalHolds: Record<string, { retentionMs: string; previousRetentionMs: string; at: IsoTime }>;
  /** Topic → the established window (the latest one wins if re-established). */
  forensicWindows: Record<string, EventDataMap['ForensicWindowEstablished']>;
  evidence: {
    records: DecimalString;
    chunks: number;
    /** `topic:partition` → preserved ranges, inclusive, in arrival order. */
    ranges: Record<string, Array<{ from: DecimalString; to: DecimalString }>>;
    /** `topic:partition` → its signed manifest (issue 13); absent until the first one. */
    manifests?: Record<string, { merkleRoot: string; records: DecimalString; chunks: number; sourceBytes: DecimalString; evidenceBytes: DecimalString; manifestSha256: string; at: IsoTime }>;
    /** Exports handed out (issue 13); absent until the first one. */
    exports?: Array<{ decrypted: boolean; authorisedBy: string | null; archiveSha256: string; at: IsoTime }>;
  };
  clocks: Record<string, RegulatoryClockState>;
  /** What the regulatory dues are computed from. */
  regulatoryFacts: RegulatoryFacts;
  /** Commands refused by policy, oldest first. */
  refusals: Refusal[];
  /** What waits for an operator's decision; empty while the playbook runs by itself. */
  attention: AttentionItem[];
  /** Set once an operator aborted the incident. */
  aborted?: EventDataMap['IncidentAborted'] & { at: IsoTime };
  // War room (issue 16): absent until the first note, task or follow-up, so older states keep their shape.
  notes?: IncidentNote[];
  tasks?: IncidentTask[];
  followUps?: IncidentNote[];
  closure?: EventDataMap['IncidentClosed'];
  // One registry of runbook actions (issue 17).
  /** What generic actions did, oldest first; absent until the first one. */
  performed?: Array<EventDataMap['ActionPerformed'] & { at: IsoTime }>;
  // wait-for (issue 17, item 3): absent until the first question, so older states keep their shape.
  /** Questions of running wait-for steps not yet answered. */
  pendingDecisions?: PendingDecision[];
  /** Step id → the answer its wait-for question got (the step's output `answer`). */
  answers?: Record<string, DecisionAnswer>;
  /** The wait-for answer that stopped the playbook: the steps after it, up to `close`, are skipped. */
  stoppedBy?: { stepId: string; answer: string };
}

/**
 * The status a step's action moves the incident to when it starts and when it completes: the
 * phase of the action's definition in the registry (`action-registry.ts`).
 */
export { actionPhase } from './action-registry';
