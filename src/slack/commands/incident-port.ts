import type { DomainEvent } from '../../domain/events';
import type { IncidentState, TimelineEntry } from '../../domain/incident';
import type {
  AbortRequest,
  ApprovalSignal,
  RetryRequest,
  SeverityRequest,
  NoteRequest,
  TaskRequest,
  TaskDoneRequest,
  SkipRequest,
  AwareDecision,
  ClassifyDecision,
  ClockView,
  MaterialDecision,
  NotNotifiableDecision,
  StageFilingRequest,
  SubjectsDecision,
  EvidenceProgress,
} from '../../../workflows/api';
import type { BreakerSignal, CloseSignal, RefusalSignal } from './proposed-signals';
import type { WaitForDecision } from '../../actions/wait-for';

/** A running incident as `/ir list` shows it. */
export interface IncidentSummary {
  readonly workflowId: string;
  readonly incidentId: string;
  readonly title: string;
  readonly status: string;
  readonly severity: string;
  /** Pending approvals, so the list says where people are needed. */
  readonly pendingApprovals: number;
}

/** The workflow's own answer to a decision: accepted, or refused by its validator, with its message. */
export interface DecisionAnswer {
  readonly accepted: boolean;
  readonly message: string;
}

/**
 * What the Slack commands need from the incident workflows: find them, read them (queries) and
 * move them (signals). Implemented over a Temporal client in {@link ./temporal-incidents}; tests
 * and other front ends can stand in.
 */
export interface IncidentPort {
  /** Running incidents, newest first. */
  list(): Promise<IncidentSummary[]>;
  /** The workflow id for an incident id, a workflow id or a fingerprint; undefined if none exists. */
  resolve(id: string): Promise<string | undefined>;
  state(workflowId: string): Promise<IncidentState>;
  /** Evidence replay progress (issue 13); null before it starts. Optional: ports without it show none. */
  evidenceProgress?(workflowId: string): Promise<EvidenceProgress | null>;
  timeline(workflowId: string): Promise<TimelineEntry[]>;
  events(workflowId: string): Promise<DomainEvent[]>;
  /** Approves a pending step (an Update: answered once the incident recorded it, or refused). */
  approve(workflowId: string, request: ApprovalSignal): Promise<DecisionAnswer>;
  /** Denies a pending step with a reason (an Update, like `approve`). */
  deny(workflowId: string, request: ApprovalSignal & { reason: string }): Promise<DecisionAnswer>;
  /** Re-rates the incident's severity with a reason (an Update). */
  severity(workflowId: string, request: SeverityRequest): Promise<DecisionAnswer>;
  // War room (issue 16): notes, tasks and follow-ups, each an Update the incident answers.
  note(workflowId: string, request: NoteRequest): Promise<DecisionAnswer>;
  task(workflowId: string, request: TaskRequest): Promise<DecisionAnswer>;
  taskDone(workflowId: string, request: TaskDoneRequest): Promise<DecisionAnswer>;
  followUp(workflowId: string, request: NoteRequest): Promise<DecisionAnswer>;
  // Regulatory clocks (issue 10): decisions are updates, answered by the workflow itself.
  /** Files one stage; a refusal is also recorded on the incident as `FilingRefused`. */
  file(workflowId: string, request: StageFilingRequest): Promise<DecisionAnswer>;
  aware(workflowId: string, decision: AwareDecision): Promise<DecisionAnswer>;
  classify(workflowId: string, decision: ClassifyDecision): Promise<DecisionAnswer>;
  material(workflowId: string, decision: MaterialDecision): Promise<DecisionAnswer>;
  notNotifiable(workflowId: string, decision: NotNotifiableDecision): Promise<DecisionAnswer>;
  subjects(workflowId: string, decision: SubjectsDecision): Promise<DecisionAnswer>;
  /** Every regime's stages with due and state. */
  clocks(workflowId: string): Promise<ClockView[]>;
  /** Opens or closes a breaker (an Update; the signal for incidents on older builds). */
  breaker(workflowId: string, signal: BreakerSignal): Promise<DecisionAnswer>;
  /** Asks the incident to close (an Update: the incident's acceptance or its refusal). */
  close(workflowId: string, request: CloseSignal): Promise<DecisionAnswer>;
  refusal(workflowId: string, signal: RefusalSignal): Promise<void>;
  /** Operator decisions (Updates): the workflow's own acceptance, or its precise refusal. */
  retry(workflowId: string, request: RetryRequest): Promise<DecisionAnswer>;
  skip(workflowId: string, request: SkipRequest): Promise<DecisionAnswer>;
  abort(workflowId: string, request: AbortRequest): Promise<DecisionAnswer>;
  // wait-for (issue 17, item 3). Optional: ports built before it say the incident cannot take answers.
  /** Answers a waiting `wait-for` step (an Update: the workflow's acceptance or its refusal). */
  decide?(workflowId: string, request: WaitForDecision): Promise<DecisionAnswer>;
}
