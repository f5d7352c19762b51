import { parseDuration } from './duration';
import type { ActionName, ApprovalRole } from './events';
import type { EntityCalendar, StageDefinition } from './regimes/types';
import { ACTIONS } from './runbook-actions';
import type { RunbookServes } from './runbook-routing';

export type { ActionName, ApprovalRole } from './events';
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
  contain: { scope: 'resources' | 'cluster'; principal?: string; denyOperations: string[]; verify: boolean };
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
  };
  'preserve-evidence': { evidenceTopic: string; chunkSize: number; parallelism: number; tokenisePii: true; transitKey: string };
  notify: { channel: string; audience: string[]; template: string };
  report: { format: 'markdown'; includeTimeline: boolean; channel?: string };
  close: { requireFilings: boolean; requireBreakersClosed: boolean };
}

/** A step as written in the runbook (defaults not yet applied). */
export type RunbookStep = {
  [A in ActionName]: {
    id: string;
    action: A;
    title?: string;
    approval?: ApprovalRole;
    with?: Partial<ActionParams[A]>;
    timeout?: string;
    compensate?: boolean;
  };
}[ActionName];

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
  steps: RunbookStep[];
  // Routing as data and policy packs (issue 17).
  /** The alerts this runbook serves; absent: started only by an alert naming its scenario. */
  serves?: RunbookServes;
  /** Folder of this runbook's Cedar policies, relative to the runbook directory; absent: the default `policies`. */
  policies?: string;
}

/** A step ready to run: every default applied, timeouts in milliseconds. */
export type PlannedStep = {
  [A in ActionName]: {
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
}[ActionName];

/**
 * The ordered steps the workflow will run, with every default filled in. This is what golden
 * tests snapshot, and what dry-run mode walks.
 */
export function planSteps(runbook: Runbook): PlannedStep[] {
  return runbook.steps.map((step, index) => {
    const spec = ACTIONS[step.action];
    const params: Record<string, unknown> = {};
    const given = (step.with ?? {}) as Record<string, unknown>;
    for (const [name, schema] of Object.entries(spec.params.properties)) {
      if (given[name] !== undefined) params[name] = given[name];
      else if (schema.default !== undefined) params[name] = structuredCopy(schema.default);
    }
    const timeout = step.timeout ?? spec.defaultTimeout;
    return {
      index,
      id: step.id,
      action: step.action,
      title: step.title ?? spec.summary,
      approval: step.approval ?? 'none',
      compensate: step.compensate ?? false,
      timeout,
      timeoutMs: parseDuration(timeout),
      params,
    } as PlannedStep;
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
