import type { BuiltinActionName, GenericActionName, StepOutputValues } from './events';
import type { IncidentStatus } from './incident-state';
import type { ActionParams, BreakerRule } from './runbook';
import { BUILTIN_ACTIONS } from './builtin-actions';
import { GENERIC_ACTIONS } from './generic-actions';
import { planParams } from './runbook-references';

/**
 * The registry of runbook actions: each action is defined once, and the workflow, the planner,
 * the JSON Schema and the docs read from it. Pure data and pure functions: workflows import it.
 *
 * Two kinds of action live here. Built-ins (`contain` … `close`) keep their own orchestration in
 * the workflow (saga entries, background evidence, the close rules). Generic actions are "run one
 * activity with the params and the incident context, record what it did": they need no workflow
 * code, only a definition of the shape below.
 */

/** A JSON Schema object (draft 2020-12) as plain data. */
export type JsonSchema = { [keyword: string]: unknown };

// Step outputs (issue 17, item 4).
/** The type of one output: `string-map` is `Record<string, string>` (e.g. partition → offset). */
export type ActionOutputType = 'string' | 'string-list' | 'string-map';

/** What an action declares it produces for later steps (`${{ steps.<id>.outputs.<name> }}`). */
export type ActionOutputs = Readonly<Record<string, { readonly type: ActionOutputType; readonly description: string }>>;

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
  /** What the activity returns in `GenericActionResult.outputs` for later steps to reference. */
  readonly outputs?: ActionOutputs;
  // wait-for and the principal flag (issue 17, item 3).
  /**
   * `workflow`: the incident workflow carries the action out itself (`wait-for` waits on an
   * Update); `activity` is then not called and the worker need not register it.
   * @default 'activity'
   */
  readonly runsIn?: 'activity' | 'workflow';
  /** False when the action does not act on the alert's principal (see {@link needsPrincipal}). @default true */
  readonly needsPrincipal?: boolean;
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
  /** Values of the definition's declared `outputs` (no secrets: they are workflow history). */
  readonly outputs?: StepOutputValues;
}

/** What the workflow passes to a generic action's compensation activity. */
export interface GenericCompensationInput {
  readonly incidentId: string;
  readonly stepId: string;
  readonly stepKey: string;
  readonly compensation: Record<string, unknown>;
}

/**
 * The parameters schema of a built-in action: always a closed object. Its property names are tied
 * to the TypeScript type of the action's parameters, so the schema and `ActionParams` cannot
 * drift: a parameter missing from either side is a compile error.
 */
export interface ParamsSchema<A extends BuiltinActionName = BuiltinActionName> {
  type: 'object';
  additionalProperties: false;
  required?: Array<keyof ActionParams[A] & string>;
  properties: { [K in keyof ActionParams[A]]-?: JsonSchema };
}

/** Retry and timeout presets an action's activities run with (`workflows/options.ts` holds the values). */
export type RetryPreset = 'control-plane' | 'forensics' | 'evidence';

/** What a built-in action's plan may know besides the incident: the channel and the runbook's breakers. */
export interface BuiltinPlanContext extends ActionPlanContext {
  /** The incident channel (the runbook's notify channel, or `#incidents`). */
  readonly channel: string;
  readonly breakers: Readonly<Record<string, BreakerRule>>;
}

/**
 * A built-in action: its orchestration (saga entries, background evidence, the close rules) is
 * workflow code, selected by name from the workflow's table of built-in runners; everything
 * else about it (schema, phase, timeout, preset, plan text, compensation) is read from here.
 */
export interface BuiltinActionDefinition<A extends BuiltinActionName = BuiltinActionName> {
  readonly kind: 'builtin';
  readonly name: A;
  readonly summary: string;
  readonly phase: ActionPhase;
  readonly defaultTimeout: string;
  /** The preset of the step's activities; the step's timeout replaces its start-to-close timeout. */
  readonly preset: RetryPreset;
  readonly params: ParamsSchema<A>;
  /** How the saga undoes it; absent: it cannot be undone, and `compensate: true` is refused. */
  readonly compensation?: string;
  /**
   * Who says what a dry run would change: the step's activities in dry-run mode (they read the
   * cluster), or the workflow itself from {@link plan} (as a change of `kind` on `target`).
   */
  readonly dryRun: { readonly by: 'activity'; readonly activity: string } | { readonly by: 'workflow'; readonly kind: string; target(params: ActionParams[A], ctx: BuiltinPlanContext): string };
  /** Dry-run lines: what the step would do. Pure. */
  plan(params: ActionParams[A], ctx: BuiltinPlanContext): string[];
  /** What the step's workflow code returns in `StepOutput.outputs` for later steps to reference. */
  readonly outputs?: ActionOutputs;
  /** False when the action does not act on the alert's principal (see {@link needsPrincipal}). @default true */
  readonly needsPrincipal?: boolean;
}

/** Any registered action. */
export type ActionDefinition = BuiltinActionDefinition | GenericActionDefinition;

/** Every registered generic action, by name. */
const GENERIC_BY_NAME: ReadonlyMap<string, GenericActionDefinition> = new Map(GENERIC_ACTIONS.map((d) => [d.name, d]));

/** Built-in action names, in playbook order. */
export const BUILTIN_ACTION_NAMES = Object.keys(BUILTIN_ACTIONS) as BuiltinActionName[];

/** Every action a runbook step may name: the built-ins in playbook order, then the generic ones. */
export const ACTION_NAMES: readonly string[] = [...BUILTIN_ACTION_NAMES, ...GENERIC_ACTIONS.map((d) => d.name)];

/** Whether a string names a built-in action. */
export function isBuiltinActionName(name: string): name is BuiltinActionName {
  return Object.hasOwn(BUILTIN_ACTIONS, name);
}

/** Whether a string names a registered generic action. */
export function isGenericActionName(name: string): name is GenericActionName {
  return !isBuiltinActionName(name) && GENERIC_BY_NAME.has(name);
}

/** Whether a string names any registered action. */
export function isActionName(name: string): boolean {
  return isBuiltinActionName(name) || GENERIC_BY_NAME.has(name);
}

/** The built-in action's definition. */
export function builtinAction<A extends BuiltinActionName>(name: A): BuiltinActionDefinition<A> {
  return BUILTIN_ACTIONS[name] as unknown as BuiltinActionDefinition<A>;
}

/** The generic action's definition, or undefined when no such action is registered. */
export function genericAction(name: string): GenericActionDefinition | undefined {
  return isBuiltinActionName(name) ? undefined : GENERIC_BY_NAME.get(name);
}

/** Any registered action's definition, or undefined. */
export function actionDefinition(name: string): ActionDefinition | undefined {
  return isBuiltinActionName(name) ? (BUILTIN_ACTIONS[name] as unknown as BuiltinActionDefinition) : GENERIC_BY_NAME.get(name);
}

/** Every registered action, built-ins first. */
export function allActions(): ActionDefinition[] {
  return ACTION_NAMES.map((n) => actionDefinition(n)).filter((d): d is ActionDefinition => d !== undefined);
}

/**
 * The phase an action moves the incident to. An action no longer registered (a history folded
 * after its definition was removed) moves nothing: `open` is the lowest rank.
 */
export function actionPhase(name: string): ActionPhase {
  return actionDefinition(name)?.phase ?? { started: 'open', completed: 'open' };
}

/** Whether `compensate: true` is allowed on a step of this action. */
export function isCompensable(name: string): boolean {
  return actionDefinition(name)?.compensation !== undefined;
}

/** The action's default timeout, or undefined for an unknown action. */
export function defaultTimeoutOf(name: string): string | undefined {
  return actionDefinition(name)?.defaultTimeout;
}

/** The preset a step's activities run with: generic actions always use `control-plane`. */
export function presetOf(name: string): RetryPreset {
  const def = actionDefinition(name);
  return def?.kind === 'builtin' ? def.preset : 'control-plane';
}

/** The params schema's properties of any registered action (empty for an unknown one). */
export function paramProperties(name: string): Record<string, JsonSchema> {
  const props = actionDefinition(name)?.params.properties;
  return typeof props === 'object' && props !== null ? (props as Record<string, JsonSchema>) : {};
}

/** The outputs an action declares (none for an unknown action). */
export function outputsOf(name: string): ActionOutputs {
  return actionDefinition(name)?.outputs ?? {};
}

/**
 * Whether a step of this action acts on the alert's principal, so an alert without one cannot
 * start a runbook that has such a step (ingress). Unknown actions count as needing one.
 */
export function needsPrincipal(name: string): boolean {
  return actionDefinition(name)?.needsPrincipal !== false;
}

/** A planned step as the registry needs it to say what the step would do. */
export interface PlanLinesStep {
  readonly kind?: 'generic';
  readonly action: string;
  readonly params: Record<string, unknown> | object;
}

/**
 * What one planned step would do, in the words of its action's `plan` (dry run, docs, golden
 * files). Pure. An action that is not registered plans nothing.
 */
export function planLines(step: PlanLinesStep, ctx: BuiltinPlanContext): string[] {
  const def = actionDefinition(step.action);
  if (def === undefined) return [];
  // Each definition's plan takes its own params type; the step's params were built from its schema.
  const plan = def.plan as (params: unknown, ctx: BuiltinPlanContext) => string[];
  // A reference's value is not known when planning from the runbook alone: its text stands in.
  return plan.call(def, planParams(step.action, step.params as Record<string, unknown>), ctx);
}
