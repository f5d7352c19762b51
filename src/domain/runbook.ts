import { actionDefinition, isBuiltinActionName, paramProperties } from './action-registry';
import { parseDuration } from './duration';
import type { ActionName, ApprovalRole, BuiltinActionName, GenericActionName } from './events';
import type { EntityCalendar, StageDefinition } from './regimes/types';
import type { RunbookServes } from './runbook-routing';

export type { ActionName, ApprovalRole, BuiltinActionName, GenericActionName } from './events';
export { ACTIONS, ACTION_NAMES, isActionName } from './runbook-actions';

/**
 * Runbook types and the step planner. Workflows import this module: it holds no I/O. Reading and
 * validating YAML is `runbook-loader.ts`, which runs outside the workflow.
 */

/**
 * A regulatory regime the runbook applies, keyed by name in `regimes:`. A built-in regime is
 * named by its id (`gdpr`, `dora`, `nis2`, `sec-8k`, `nydfs`, `uk-gdpr`, `hipaa`) and uses the
 * calculator's stages; any other name must bring its own `stages`. Its clock starts when the
 * incident opens, never at a step.
 */
export interface RegimeRule {
  /** e.g. `GDPR Art. 33`; defaults to the built-in regime's legal reference. */
  article?: string;
  /** Who is notified, e.g. the lead supervisory authority. */
  authority: string;
  /** A regime of the runbook's own (or a built-in one redefined): its stages, in order. */
  stages?: StageDefinition[];
  /** The calendar of this regime when it is not the entity's (e.g. US federal business days for SEC 8-K). */
  entity?: EntityCalendar;
  /** GDPR Art. 34: when the data subjects themselves must be told. */
  notifyDataSubjectsWhen?: { minDataSubjects: number; piiCategories: string[] };
}

/** A named circuit breaker: cut these downstream principals off this topic. */
export interface BreakerRule {
  topic: string;
  principals: string[];
  description?: string;
}

/** One PII field of a topic's records and its category. */
export interface PiiField {
  path: string;
  category: string;
}

/** Parameters of each action, with defaults applied. */
export interface ActionParams {
  contain: {
    scope: 'resources' | 'cluster';
    principal?: string;
    denyOperations: string[];
    verify: boolean;
    /** Leaked-token playbook: contain each of these (one saga entry each) instead of `principal`. */
    principals?: string[];
  };
  'rotate-credentials': {
    blastRadius: string[];
    vaultPathTemplate: string;
    mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
    iterations: number;
    revokeVaultTokens: boolean;
    deleteCompromisedAccount: boolean;
    verify: boolean;
  };
  'break-circuits': { breakers: string[]; controlTopic: string };
  forensics: {
    topics: string[];
    legalHoldRetentionMs: number;
    piiFields: { source: 'inline' | 'topic-config'; fields?: PiiField[] };
    dataSubjectKey: string;
    exactCountThreshold: number;
    hllPrecision: number;
    useAccessRecords: boolean;
    /** Leaked-token playbook: the window is over what any of these read; absent: the incident's principal. */
    principals?: string[];
    // Issue 17 item 4 ("poison"): write-side forensics.
    /** `write`: the records the principal produced (a poisoned topic), not those it read. Absent: `read`. */
    access?: 'read' | 'write';
  };
  'preserve-evidence': { evidenceTopic: string; chunkSize: number; parallelism: number; tokenisePii: true; transitKey: string };
  /** `template`: text with placeholders (see `notify-template.ts`); absent: the status summary. */
  notify: { channel: string; audience: string[]; template?: string };
  report: { format: 'markdown'; includeTimeline: boolean; channel?: string };
  close: { requireFilings: boolean; requireBreakersClosed: boolean; requireTasksDone: boolean };
}

/**
 * A built-in action's step as written (defaults not yet applied), its params typed by its action.
 * `step.action === 'contain'` narrows it; a runbook's steps are {@link AnyRunbookStep}s, separated
 * with {@link isBuiltinStep} or found with {@link runbookStepOf}.
 */
export type RunbookStep = {
  [A in BuiltinActionName]: {
    id: string;
    action: A;
    title?: string;
    approval?: ApprovalRole;
    with?: Partial<ActionParams[A]>;
    timeout?: string;
    compensate?: boolean;
  };
}[BuiltinActionName];

/**
 * A generic action's step as written: its params are checked by the action's own schema at load.
 * It is a separate type, not a member of {@link RunbookStep}: a member whose `action` is any
 * string would stop `step.action === 'contain'` from narrowing the built-ins' params.
 */
export interface GenericRunbookStep {
  id: string;
  action: GenericActionName;
  title?: string;
  approval?: ApprovalRole;
  with?: Record<string, unknown>;
  timeout?: string;
  compensate?: boolean;
}

/** Any step a runbook may hold: a built-in action's or a generic one's. */
export type AnyRunbookStep = RunbookStep | GenericRunbookStep;

/** A validated runbook. */
export interface Runbook {
  id: string;
  version: number;
  title: string;
  scenario: string;
  severity: 'critical' | 'high' | 'medium' | 'low';
  description?: string;
  /** The entity the clocks are computed for: its country's holidays and its time zone. */
  entity?: EntityCalendar;
  regimes: Record<string, RegimeRule>;
  breakers: Record<string, BreakerRule>;
  steps: AnyRunbookStep[];
  // Routing as data and policy packs (issue 17).
  /** The alerts this runbook serves; absent: started only by an alert naming its scenario. */
  serves?: RunbookServes;
  /** Folder of this runbook's Cedar policies, relative to the runbook directory; absent: the default `policies`. */
  policies?: string;
}

/**
 * A built-in action's step ready to run: every default applied, timeouts in milliseconds. `kind`
 * is never set on it (plans and golden files stay as they were); it is declared so that
 * `step.kind === 'generic'` separates it from a {@link GenericPlannedStep}.
 */
export type PlannedStep = {
  [A in BuiltinActionName]: {
    kind?: undefined;
    index: number;
    id: string;
    action: A;
    title: string;
    approval: ApprovalRole;
    compensate: boolean;
    timeout: string;
    timeoutMs: number;
    params: ActionParams[A];
  };
}[BuiltinActionName];

/** A generic action's planned step: its params with the definition's defaults applied. */
export interface GenericPlannedStep {
  kind: 'generic';
  index: number;
  id: string;
  action: GenericActionName;
  title: string;
  approval: ApprovalRole;
  compensate: boolean;
  timeout: string;
  timeoutMs: number;
  params: Record<string, unknown>;
}

/** Any planned step: a built-in action's (typed params) or a generic one's. */
export type AnyPlannedStep = PlannedStep | GenericPlannedStep;

/** Whether a runbook step is a built-in action's (its params typed by its action). */
export function isBuiltinStep(step: AnyRunbookStep): step is RunbookStep {
  return isBuiltinActionName(step.action);
}

/** The first step of the runbook that runs `action`, typed by it. */
export function runbookStepOf<A extends BuiltinActionName>(runbook: Pick<Runbook, 'steps'>, action: A): Extract<RunbookStep, { action: A }> | undefined {
  return runbook.steps.find((s): s is Extract<RunbookStep, { action: A }> => s.action === action);
}

/** The channel of every message of an incident: the runbook's notify channel, else `#incidents`. */
export function incidentChannelOf(runbook: Pick<Runbook, 'steps'>): string {
  return runbookStepOf(runbook, 'notify')?.with?.channel ?? '#incidents';
}

/** The first planned step that runs `action`, typed by it. */
export function plannedStepOf<A extends BuiltinActionName>(steps: readonly AnyPlannedStep[], action: A): Extract<PlannedStep, { action: A }> | undefined {
  return steps.find((s): s is Extract<PlannedStep, { action: A }> => s.action === action);
}

/**
 * The ordered steps the workflow will run, with every default filled in. This is what golden
 * tests snapshot, and what dry-run mode walks.
 */
export function planSteps(runbook: Runbook): AnyPlannedStep[] {
  return runbook.steps.map((step, index) => {
    const def = actionDefinition(step.action);
    // The loader refuses unknown actions; a runbook built in code that names one fails here.
    if (def === undefined) throw new Error(`step "${step.id}": unknown action "${step.action}"`);
    const params: Record<string, unknown> = {};
    const given = (step.with ?? {}) as Record<string, unknown>;
    for (const [name, schema] of Object.entries(paramProperties(step.action))) {
      if (given[name] !== undefined) params[name] = given[name];
      else if (schema.default !== undefined) params[name] = structuredCopy(schema.default);
    }
    const timeout = step.timeout ?? def.defaultTimeout;
    return {
      ...(def.kind === 'generic' ? { kind: 'generic' as const } : {}),
      index,
      id: step.id,
      action: step.action,
      title: step.title ?? def.summary,
      approval: step.approval ?? 'none',
      compensate: step.compensate ?? false,
      timeout,
      timeoutMs: parseDuration(timeout),
      params,
    } as AnyPlannedStep;
  });
}

/** The steps' identity as IncidentOpened records it. */
export function stepRefs(runbook: Runbook): Array<{ id: string; action: ActionName; approval: ApprovalRole }> {
  return runbook.steps.map((s) => ({ id: s.id, action: s.action, approval: s.approval ?? 'none' }));
}

function structuredCopy<T>(value: T): T {
  // Defaults are JSON; copying keeps a caller's edits from leaking into the shared registry.
  return JSON.parse(JSON.stringify(value)) as T;
}
