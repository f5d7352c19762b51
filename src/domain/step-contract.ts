import type { Alert } from './alert';
import type { BuiltinActionName, Actor, DomainEvent, EventDataMap, EventType, IsoTime, PartitionWindow, RunMode, StepOutputValues } from './events';
import type { ActionParams, BreakerRule, RegimeRule, Runbook } from './runbook';

/**
 * The contract between `IncidentWorkflow` and the step activities. The workflow is the single
 * writer of an incident's event sequence: activities return event *drafts* (what happened, when,
 * by whom) and the workflow numbers them and folds them. Everything here is JSON, because it
 * travels through workflow history.
 */

/** A domain event before the workflow assigns `incidentId` and `seq`. */
export type EventDraft = { [T in EventType]: { type: T; at: IsoTime; actor: Actor; data: EventDataMap[T] } }[EventType];

/** What every step activity receives. */
export interface StepInput<A extends BuiltinActionName = BuiltinActionName> {
  incidentId: string;
  stepId: string;
  /**
   * Idempotency key for side effects: `<incidentId>/<stepId>`. Activities record it where they
   * act (e.g. Vault KV metadata) so a retry recognises work already done.
   */
  stepKey: string;
  /** `dry-run` records what would change and changes nothing; `drill` runs on the sandbox only. */
  mode: RunMode;
  /** The compromised principal, e.g. `User:report-exporter`. */
  principal: string;
  params: ActionParams[A];
}

/** What every step activity returns. */
export interface StepOutput<R = unknown> {
  /** Events the step produced, in order. In dry-run mode: one `StepPlanned` draft. */
  events: EventDraft[];
  /** Data later steps need (e.g. the forensic window for evidence replay); JSON only. */
  result?: R;
  /** Values of the action's declared outputs (issue 17, item 4), recorded on `StepCompleted`. */
  outputs?: StepOutputValues;
}

/** Input of `IncidentWorkflow`, assembled by whoever opens the incident (ingress, CLI, drill). */
export interface IncidentWorkflowInput {
  incidentId: string;
  mode: RunMode;
  /** The alert that opened the incident; later duplicates arrive as signals. */
  alert: Alert;
  /** Compromised principal; defaults from the alert or the runbook's contain step. */
  principal: string;
  /** The runbook, validated outside the workflow (workflows never read files). */
  runbook: Runbook;
  /** sha256 of the runbook file bytes, recorded on `IncidentOpened`. */
  runbookContentHash: string;
  /** Overrides for tests and drills; production leaves them unset. */
  options?: {
    /** How long to wait for an approval before escalating / failing the step. @default '24h' */
    approvalTimeout?: string;
    /**
     * Continue-as-new at the next safe point once the run's history has this many events (tests
     * and drills); the server's own suggestion (`continueAsNewSuggested`) applies either way.
     * Values below 20 count as 20, so that a new run gets to wait before it continues again.
     * @default unset (only the server's suggestion)
     */
    continueAsNewAfterEvents?: number;
  };
  // issue 11 (audit identity): a re-opened fingerprint is a new incident linked to the last one.
  /** The incident this one re-opens (the previous generation of the same fingerprint); absent for the first. */
  previousIncidentId?: string;
  // issue 9 (continue-as-new): what a long incident hands to its next run.
  /** Set only by the incident itself when it continues as new: the state the next run resumes from. */
  carried?: IncidentCarry;
  // issue 13 (evidence at line rate)
  /** Task queue of the evidence activities; absent: the incident's own queue (as before 0.3). */
  evidenceTaskQueue?: string;
}

/**
 * What an incident run carries into the run it continues as (issue 9). The committed events ARE
 * the folded state (the next run refolds them); the rest is what the workflow holds besides the
 * events: where the playbook stands, what is undoable, what operators answered that no waiter has
 * picked up yet. JSON only: it travels as the next run's input.
 */
export interface IncidentCarry {
  /** How many runs came before this one (1 for the first continuation). */
  generation: number;
  /** Every event committed so far, in seq order. */
  events: DomainEvent[];
  audit: {
    /** Events `events[0..shipped)` are on the audit topic: they are not appended again. */
    shipped: number;
    /** The audit topic and its ACLs were ensured by an earlier run. */
    topicReady: boolean;
    /** Shipping halted by a refused append, until an operator retries `audit`. */
    halt?: { type: string; message: string };
  };
  /** Index (in the planned steps) of the step the playbook resumes at. */
  stepIndex: number;
  /** Undo of the remediation so far, oldest first. */
  compensations: CarriedCompensation[];
  /** Breakers opened per step, to close them exactly. */
  opened: Record<string, Array<EventDataMap['CircuitOpened']>>;
  /** Forensic findings, once forensics has run. */
  findings?: { topics: Array<{ topic: string; partitions: PartitionWindow[] }> };
  /** Evidence jobs (`topic:partition`) fully preserved. */
  evidenceDone: string[];
  /** The evidence progress message, edited in place. */
  progressRef?: { channelId: string; ts: string };
  /** A close asked for from Slack and not yet used. */
  closeRequest?: { closedBy: string; role: string; resolution: string };
  /** Operator decisions (retry / skip) taken and not yet picked up by the waiting step. */
  decided: Array<{ stepId: string; decision: 'retry' | 'skip' }>;
  /** Approval answers received and not yet recorded by the waiting step. */
  answers: Array<{ approvalId: string; granted: boolean; signal: { stepId: string; approver: string; role: 'incident-commander' | 'dpo' | 'responder'; comment?: string; reason?: string } }>;
  /** Regulatory clock workflows by regime (still running: they were started with ABANDON). */
  clocks: Record<string, { workflowId: string }>;
}

/** A remediation undo as data, rebuilt into an activity call by the run that unwinds it. */
export type CarriedCompensation =
  | { kind: 'restore-access'; stepId: string; description: string; revoked: EventDataMap['AccessRevoked'] }
  | { kind: 'close-breakers'; stepId: string; description: string; approvalId: string }
  // One registry of runbook actions (issue 17): a generic action's undo, by its activity name.
  | { kind: 'generic'; stepId: string; description: string; action: string; activity: string; compensation: Record<string, unknown> };

/** Breakers and regimes as a step needs them (copied from the runbook). */
export interface RunbookContext {
  breakers: Readonly<Record<string, BreakerRule>>;
  regimes: Readonly<Record<string, RegimeRule>>;
}
