import type { IncidentStatus } from '../domain/incident-state';
import type { JsonSchema } from '../domain/runbook-actions';

/*
 * The generic-action contract of the action registry (issue 17, item 2), as the registry brief
 * specifies it. The registry (`src/domain/action-registry.ts`) is being built in parallel; until it
 * lands, the definitions under `src/actions/` build against this copy. At merge this file becomes a
 * re-export of the registry's types, so nothing else changes.
 */

export type { JsonSchema };

/** What a plan (dry run) and an activity know about the incident a step runs in. */
export interface ActionPlanContext {
  readonly incidentId: string;
  readonly runbookId: string;
  readonly principal?: string;
  readonly severity: string;
  readonly title: string;
}

/** An action that is "run one activity with the params and the incident context". */
export interface GenericActionDefinition<P extends Record<string, unknown> = Record<string, unknown>> {
  readonly kind: 'generic';
  /** As runbooks write it: 'page', 'kafka.reset-offsets', 'vault.rotate-kv'. */
  readonly name: string;
  readonly summary: string;
  readonly phase: { started: IncidentStatus; completed: IncidentStatus };
  /** '2m' */
  readonly defaultTimeout: string;
  /** Closed object schema, defaults and descriptions. */
  readonly params: JsonSchema;
  /** Dry-run lines: what the step would do. Pure. */
  plan(params: P, ctx: ActionPlanContext): string[];
  /** Activity name registered by the worker. */
  readonly activity: string;
  /** Activity name; undoes using {@link GenericActionResult.compensation}. */
  readonly compensation?: string;
}

/** What the workflow passes to a generic action's activity. */
export interface GenericActionInput<P = Record<string, unknown>> {
  readonly incidentId: string;
  readonly stepId: string;
  /** Stable across retries and replays of the step: the idempotency key of the outside call. */
  readonly stepKey: string;
  readonly params: P;
  readonly context: ActionPlanContext;
}

/** What a generic action's activity returns; recorded as `ActionPerformed`. */
export interface GenericActionResult {
  readonly summary: string;
  readonly details: Record<string, string | number | boolean>;
  /** Data the compensation activity needs (never a secret). */
  readonly compensation?: Record<string, unknown>;
}

/**
 * What a compensation activity receives: the step's input plus the `compensation` record its
 * action returned. (Assumption of the generic-actions branch; the registry's saga passes it.)
 */
export interface GenericCompensationInput<P = Record<string, unknown>> extends GenericActionInput<P> {
  readonly compensation: Record<string, unknown>;
}
