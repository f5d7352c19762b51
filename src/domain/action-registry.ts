import type { IncidentStatus } from './incident-state';
import type { JsonSchema } from './runbook-actions';

/**
 * The registry of runbook actions: each action is defined once, and the workflow, the planner,
 * the JSON Schema and the docs read from it. Pure data and pure functions: workflows import it.
 *
 * Two kinds of action live here. Built-ins (`contain` … `close`) keep their own orchestration in
 * the workflow (saga entries, background evidence, the close rules). Generic actions are "run one
 * activity with the params and the incident context, record what it did": they need no workflow
 * code, only a definition of the shape below.
 */

export type { JsonSchema } from './runbook-actions';

/** The incident statuses an action moves the incident to when it starts and when it completes. */
export interface ActionPhase {
  readonly started: IncidentStatus;
  readonly completed: IncidentStatus;
}

/** What a plan (dry run) and a generic activity may know about the incident. No secrets, no PII. */
export interface ActionPlanContext {
  readonly incidentId: string;
  readonly runbookId: string;
  /** The principal the alert names, when it names one. */
  readonly principal?: string;
  readonly severity: string;
  readonly title: string;
}

/**
 * An action that runs one activity with its params and the incident context. The workflow runs it
 * as: approval (as for any step), `StepStarted`, the activity (timeout from the step or
 * `defaultTimeout`, retry preset `control-plane`), `ActionPerformed`, `StepCompleted`; a
 * `compensate: true` step that succeeded pushes `compensation` onto the saga.
 */
export interface GenericActionDefinition<P extends Record<string, unknown> = Record<string, unknown>> {
  readonly kind: 'generic';
  /** As runbooks write it: `page`, `kafka.reset-offsets`, `vault.rotate-kv`. */
  readonly name: string;
  readonly summary: string;
  readonly phase: ActionPhase;
  /** How long one attempt may take unless the step says otherwise, e.g. `2m`. */
  readonly defaultTimeout: string;
  /** Closed object schema of the params, with defaults and descriptions. */
  readonly params: JsonSchema;
  /** Dry-run lines: what the step would do. Pure. */
  plan(params: P, ctx: ActionPlanContext): string[];
  /** Activity name registered by the worker. */
  readonly activity: string;
  /** Activity name that undoes the action using `GenericActionResult.compensation`. */
  readonly compensation?: string;
}

/** What the workflow passes to a generic action's activity. */
export interface GenericActionInput<P = Record<string, unknown>> {
  readonly incidentId: string;
  readonly stepId: string;
  /** Idempotency key of this step in this incident: an activity retried with it acts once. */
  readonly stepKey: string;
  readonly params: P;
  readonly context: ActionPlanContext;
}

/** What a generic action's activity returns; `summary` and `details` go into `ActionPerformed`. */
export interface GenericActionResult {
  readonly summary: string;
  readonly details: Record<string, string | number | boolean>;
  /** Handed to the compensation activity when the saga unwinds. It is workflow history: no secret in clear. */
  readonly compensation?: Record<string, unknown>;
}

/** What the workflow passes to a generic action's compensation activity. */
export interface GenericCompensationInput {
  readonly incidentId: string;
  readonly stepId: string;
  readonly stepKey: string;
  readonly compensation: Record<string, unknown>;
}
