import type { Alert } from './alert';
import type { ActionName, Actor, EventDataMap, EventType, IsoTime, RunMode } from './events';
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
export interface StepInput<A extends ActionName = ActionName> {
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
  };
  // issue 11 (audit identity): a re-opened fingerprint is a new incident linked to the last one.
  /** The incident this one re-opens (the previous generation of the same fingerprint); absent for the first. */
  previousIncidentId?: string;
  // issue 13 (evidence at line rate)
  /** Task queue of the evidence activities; absent: the incident's own queue (as before 0.3). */
  evidenceTaskQueue?: string;
}

/** Breakers and regimes as a step needs them (copied from the runbook). */
export interface RunbookContext {
  breakers: Readonly<Record<string, BreakerRule>>;
  regimes: Readonly<Record<string, RegimeRule>>;
}
