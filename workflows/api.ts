import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Alert } from '../src/domain/alert';
import type { DomainEvent } from '../src/domain/events';
import type { WaitForDecision } from '../src/actions/wait-for';
import type { IncidentState, TimelineEntry } from '../src/domain/incident';

/**
 * Names through which clients (ingress, Slack handlers, CLI, drills) talk to an incident. They
 * exist once, here, and are imported by both sides.
 */

/** Workflow type name of the incident workflow. */
export const INCIDENT_WORKFLOW_TYPE = 'IncidentWorkflow';

/** Workflow id of the incident for an alert fingerprint: duplicates collapse on it. */
export function incidentWorkflowId(fingerprint: string): string {
  return `incident-${fingerprint}`;
}

/** A SIEM alert, first or duplicate; sent with signalWithStart by the ingress. */
export const alertSignal = defineSignal<[Alert]>('alert');

/** An approval of a pending step. */
export interface ApprovalSignal {
  stepId: string;
  /** Slack user id (or CLI user) of the approver; recorded on the event. */
  approver: string;
  role: 'incident-commander' | 'dpo' | 'responder';
  comment?: string;
}
/** Approves a pending step. */
export const approveSignal = defineSignal<[ApprovalSignal]>('approve');
/** Denies a pending step, with a reason. */
export const denySignal = defineSignal<[ApprovalSignal & { reason: string }]>('deny');

/**
 * A regulatory filing made by a person (first release; kept for the drill's auto-responder): an
 * authority filing files every stage of the regime whose due is known, an Art. 34 one the notice
 * to the data subjects. People file stage by stage through {@link fileUpdate}.
 */
export interface FilingSignal {
  regime: string;
  recipient: 'supervisory-authority' | 'data-subjects';
  authority: string;
  reference: string;
  filer: string;
  /** Required when filed after the deadline. */
  lateReason?: string;
}
/** Records a filing on the incident's regulatory clock. */
export const fileNotificationSignal = defineSignal<[FilingSignal]>('fileNotification');

/** Incident state (the fold of its events). */
export const stateQuery = defineQuery<IncidentState>('state');
/** Human-readable timeline. */
export const timelineQuery = defineQuery<TimelineEntry[]>('timeline');
/** The raw domain events, in order. */
export const eventsQuery = defineQuery<DomainEvent[]>('events');

/** Declares the incident a false positive: the saga unwinds (access restored, breakers closed) and the incident closes. */
export interface FalsePositiveSignal {
  declaredBy: string;
  reason: string;
}
/** Declares the incident a false positive. */
export const falsePositiveSignal = defineSignal<[FalsePositiveSignal]>('falsePositive');

/** The post-incident report (Markdown) rendered from the events so far. */
export const reportQuery = defineQuery<string>('report');

/** Opens or closes a named circuit breaker of an incident (`/ir breaker open|close <flow>`). */
export interface BreakerSignal {
  breaker: string;
  state: 'open' | 'closed';
  /** Slack user id of the person who asked; recorded as the approver of the closing. */
  requestedBy: string;
  role: string;
}
/** Opens a breaker the runbook defines, or closes an open one under the requester's approval. */
export const breakerSignal = defineSignal<[BreakerSignal]>('breaker');

/** Closes an incident by hand (`/ir close <id> [resolution]`). */
export interface CloseSignal {
  closedBy: string;
  role: string;
  /** Recorded on `IncidentClosed`. */
  resolution: string;
}
/**
 * Grants the close step's approval as `closedBy`; if the close step is not waiting yet, the
 * request is remembered and granted as soon as it asks.
 */
export const closeSignal = defineSignal<[CloseSignal]>('close');

/** A command the Slack policies refused, naming this incident. */
export interface RefusalSignal {
  userId: string;
  role: string;
  action: string;
  request: string;
  /** When the policy refused it (ISO-8601). */
  at: string;
}
/** Recorded as an `ActionRefused` event while the incident runs. */
export const refusalSignal = defineSignal<[RefusalSignal]>('refusal');

/** Workflow type name of the regulatory clock child workflow. */
export const REGULATORY_CLOCK_WORKFLOW_TYPE = 'RegulatoryClockWorkflow';

/** Workflow id of an incident's clock for one regime. */
export function regulatoryClockWorkflowId(incidentId: string, regime: string): string {
  return `${incidentId}/clock/${regime}`;
}

// --- Operator decisions on an incident that needs attention (issue 9). Updates, so the caller
// gets the workflow's own acceptance or its precise refusal.

/** Who asks, as Slack (or the CLI) identified and authorised them. */
export interface OperatorIdentity {
  /** Slack user id (or CLI user); recorded on the event. */
  requestedBy: string;
  role: string;
}
/** Retry a step that failed after its retries or whose approval expired; `audit` resumes audit shipping. */
export interface RetryRequest extends OperatorIdentity {
  stepId: string;
}
/** Skip a step that needs attention; the reason is recorded. */
export interface SkipRequest extends OperatorIdentity {
  stepId: string;
  reason: string;
}
/** Abort the incident: remediation is undone (saga) and the incident closes with the reason. */
export interface AbortRequest extends OperatorIdentity {
  reason: string;
}
/** Retries a step (or the audit shipping); answers what will happen. */
export const retryStepUpdate = defineUpdate<DecisionResult, [RetryRequest]>('retryStep');
/** Skips a step that needs attention (incident commander only). */
export const skipStepUpdate = defineUpdate<DecisionResult, [SkipRequest]>('skipStep');
/** Aborts the incident (incident commander only). */
export const abortUpdate = defineUpdate<DecisionResult, [AbortRequest]>('abort');
// --- Regulatory clocks: decisions as Updates with validators (issue 10) ---

/** The workflow's own answer to an accepted decision (clock or operator), shown to the person as is. */
export interface DecisionResult {
  message: string;
}

/** Who decides, as Slack's policies resolved them; the workflow checks the role again. */
export interface DecidedBy {
  /** Slack user id (or CLI user); recorded as the event's actor. */
  decidedBy: string;
  role: string;
}

/** `/ir aware`: the determined moment of awareness (DPO or commander). */
export interface AwareDecision extends DecidedBy {
  /** ISO-8601 with a zone. */
  awareAt: string;
  reason: string;
}
/** Records when the organisation became aware; every awareness-anchored due moves with it. */
export const awareUpdate = defineUpdate<DecisionResult, [AwareDecision]>('aware');

/** `/ir classify`: DORA classification (commander). */
export interface ClassifyDecision extends DecidedBy {
  classification: 'major' | 'not-major';
}
/** Classifies the incident for DORA: `major` starts the initial-report stage. */
export const classifyUpdate = defineUpdate<DecisionResult, [ClassifyDecision]>('classify');

/** `/ir material`: SEC 8-K / NYDFS determination (commander). */
export interface MaterialDecision extends DecidedBy {
  determinedAt: string;
}
/** Records the materiality determination that anchors SEC 8-K and NYDFS. */
export const materialUpdate = defineUpdate<DecisionResult, [MaterialDecision]>('material');

/** `/ir not-notifiable`: Art. 33(1)/(5) documented decision (DPO or commander). */
export interface NotNotifiableDecision extends DecidedBy {
  regime: string;
  reasoning: string;
}
/** Ends one regime's clock as not notifiable, with its reasoning recorded. */
export const notNotifiableUpdate = defineUpdate<DecisionResult, [NotNotifiableDecision]>('notNotifiable');

/** `/ir notify`: one stage filed with the authority (DPO or commander). */
export interface StageFilingRequest {
  regime: string;
  stage: string;
  reference: string;
  filer: string;
  role: string;
  /** Required when the stage's initial filing comes after its due. */
  lateReason?: string;
  /** Defaults to the regime's authority from the runbook. */
  authority?: string;
}
/** Files a stage (phased stages accept supplementary filings after the initial one). */
export const fileUpdate = defineUpdate<DecisionResult, [StageFilingRequest]>('file');
/**
 * A filing the `file` validator refused, sent back by the client so the refusal is recorded too
 * (a rejected update leaves no trace in history). The workflow re-checks it and records
 * `FilingRefused` only if it would refuse it itself.
 */
export const filingRefusedSignal = defineSignal<[StageFilingRequest]>('filingRefused');

/** `subjects`: the DPO's Art. 34 decision on the proposed data-subject notice. */
export interface SubjectsDecision extends DecidedBy {
  regime: string;
  decision: 'notify' | 'exception';
  /** For `exception`: the Art. 34(3) ground; for `notify`: how and when they are told. */
  reason: string;
}
/** Confirms the proposed Art. 34 notice or records a 34(3) exception. */
export const subjectsUpdate = defineUpdate<DecisionResult, [SubjectsDecision]>('subjects');

/** One stage as `/ir clocks` shows it. */
export interface ClockStageView {
  stage: string;
  due: string | null;
  rule: string;
  state: 'pending' | 'filed' | 'missed' | 'not-notifiable';
  filings: number;
}
/** One regime's clock as `/ir clocks` shows it. */
export interface ClockView {
  regime: string;
  authority: string;
  timeZone: string;
  awarenessAt: string;
  awarenessProvisional: boolean;
  notNotifiable?: string;
  stages: ClockStageView[];
}
/** Every regime's stages with due and state. */
export const clocksQuery = defineQuery<ClockView[]>('clocks');

// --- Operator actions as Updates (issue 16): the caller gets the workflow's own acceptance or its
// precise refusal, synchronously. The signals above stay for histories and builds that predate them.

/** Approves a pending step (or breaker closing); answers once the approval is recorded. */
export const approveUpdate = defineUpdate<DecisionResult, [ApprovalSignal]>('approveStep');
/** Denies a pending step with a reason; answers once the denial is recorded. */
export const denyUpdate = defineUpdate<DecisionResult, [ApprovalSignal & { reason: string }]>('denyStep');
/** Asks the incident to close (granting the close step's approval when it asks). */
export const closeUpdate = defineUpdate<DecisionResult, [CloseSignal]>('closeIncident');

/** The severities an incident can have (those of the alert that opened it). */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
/** `/ir severity <id> <level> <reason>`. */
export interface SeverityRequest extends OperatorIdentity {
  severity: (typeof SEVERITIES)[number];
  reason: string;
}
/** Changes the incident's severity, with the reason recorded. */
export const severityUpdate = defineUpdate<DecisionResult, [SeverityRequest]>('severity');
// Evidence at line rate (issue 13).
/** Evidence replay progress: records and bytes done of the forensic totals, rate and ETA. */
export interface EvidenceProgress {
  /** Workflow time the replay (this attempt of the step) started. */
  startedAt: string;
  updatedAt: string;
  records: string;
  totalRecords: string;
  /** Source bytes preserved (key, value, headers) and the window's total. */
  bytes: string;
  totalBytes: string;
  /** Bytes written to the evidence topic (chunks). */
  evidenceBytes: string;
  partitionsDone: number;
  partitionsTotal: number;
  /** Records per second since `startedAt`. */
  recordsPerSecond: number;
  /** Seconds left at the current rate; null before the first partition finishes. */
  etaSeconds: number | null;
  done: boolean;
}
/** Evidence progress; null before the preserve-evidence step starts. */
export const evidenceProgressQuery = defineQuery<EvidenceProgress | null>('evidenceProgress');
/** An evidence export to record (issue 13); a decrypted one names the DPO who authorised it. */
export interface EvidenceExportRequest {
  decrypted: boolean;
  /** The DPO's user id; required when `decrypted`. */
  authorisedBy: string | null;
  /** Hex SHA-256 of the archive handed out. */
  archiveSha256: string;
  manifests: number;
  records: string;
}
/** Records an export as `EvidenceExported` on the audit topic before the archive is handed out. */
export const evidenceExportUpdate = defineUpdate<DecisionResult, [EvidenceExportRequest]>('evidenceExport');
// Alert storms (issue 15, item 3).
/**
 * Several SIEM alerts for one open incident, coalesced by the ingress into one signal per short
 * interval: each is recorded as if it had come alone (once per SIEM alert id). Sent to a known run.
 */
export const alertBatchSignal = defineSignal<[Alert[]]>('alertBatch');
// War room: notes, tasks and follow-ups (issue 16). Updates, so the person learns at once
// whether it was recorded (an unknown task number, a task done already, empty or too long text).
/** `/ir note <id> <text>`. */
export interface NoteRequest extends OperatorIdentity {
  text: string;
}
/** `/ir task <id> <assignee> <text>`: `assignee` a Slack mention (`<@U…>`) or a name. */
export interface TaskRequest extends OperatorIdentity {
  assignee: string;
  text: string;
}
/** `/ir task done <id> <n>`. */
export interface TaskDoneRequest extends OperatorIdentity {
  number: number;
}
/** Records a note as `NoteAdded`. */
export const noteUpdate = defineUpdate<DecisionResult, [NoteRequest]>('addNote');
/** Records a task as `TaskAdded`, numbered next; answers with its number. */
export const taskUpdate = defineUpdate<DecisionResult, [TaskRequest]>('addTask');
/** Marks a task done (`TaskCompleted`). */
export const taskDoneUpdate = defineUpdate<DecisionResult, [TaskDoneRequest]>('completeTask');
/** Records a follow-up as `FollowUpAdded`; the report lists them. */
export const followUpUpdate = defineUpdate<DecisionResult, [NoteRequest]>('addFollowUp');
// Breakers as an Update (issue 16): the person learns at once whether the breaker moved, or why not.
/** Opens or closes a breaker; answers once it has moved. The `breaker` signal stays for older clients. */
export const breakerUpdate = defineUpdate<DecisionResult, [BreakerSignal]>('operateBreaker');
// wait-for (issue 17, item 3): operators answer a waiting `wait-for` step (Slack, console, CLI).
/** What a `waitForDecision` Update answers once the step has recorded the answer. */
export interface WaitForAnswer {
  accepted: true;
  stepId: string;
  answer: string;
  /** Whether the answer stopped the playbook (the steps up to close are skipped). */
  stops: boolean;
}
/** Answers a waiting `wait-for` step; the validator refuses a wrong step, answer or role with the field named. */
export const waitForDecisionUpdate = defineUpdate<WaitForAnswer, [WaitForDecision]>('waitForDecision');
