import type { Alert } from '../domain/alert';
import { needsPrincipal as actionNeedsPrincipal } from '../domain/action-registry';
import { isBuiltinStep, type Runbook } from '../domain/runbook';
import type { LoadedRunbook } from '../domain/runbook-loader';
import { evaluateRule, explainRoute, route, routedFieldNames, type RunbookVerdict } from '../domain/runbook-routing';
import { IngressError } from './errors';

/**
 * Scenario used when an alert does not name one and no loaded runbook declares `serves` (a
 * runbook directory from before routing as data).
 */
export const DEFAULT_SCENARIO = 'kafka-exfiltration';

/** Scenario of the runbook an alert that no runbook serves opens its incident with (issue 17). */
export const TRIAGE_SCENARIO = 'triage';

/**
 * Principal recorded for an incident whose alert names none, when its runbook needs none (triage):
 * a placeholder that reads as what it is in messages and can never be a Kafka principal.
 */
export const NO_PRINCIPAL = '(none named)';


/** How the runbook was chosen, for logs and `breachline runbook test`. */
export type ChoiceReason =
  | { kind: 'scenario'; scenario: string }
  | { kind: 'rule'; runbook: string; rule: number }
  | { kind: 'triage' }
  | { kind: 'default'; scenario: string };

/** The runbook an alert's incident will run, with the principal it will contain. */
export interface RunbookChoice {
  loaded: LoadedRunbook;
  principal: string;
  /** Why this runbook (absent from callers that build a choice by hand). */
  reason?: ChoiceReason;
}

/**
 * The runbooks ingress can open incidents with, indexed by scenario. Built once at start from
 * already validated runbooks, so no request ever reads a file; where several versions of a
 * scenario exist the highest version wins.
 */
export class RunbookCatalog {
  private readonly byScenario = new Map<string, LoadedRunbook>();
  /** Runbooks with `serves`, built on first use (the catalog never changes after construction). */
  private servingList: ServingRunbook[] | undefined;

  constructor(runbooks: readonly LoadedRunbook[]) {
    for (const loaded of runbooks) {
      const current = this.byScenario.get(loaded.runbook.scenario);
      if (!current || current.runbook.version < loaded.runbook.version) this.byScenario.set(loaded.runbook.scenario, loaded);
    }
  }

  /** Scenarios that have a runbook, sorted. */
  get scenarios(): string[] {
    return [...this.byScenario.keys()].sort();
  }

  /** The runbook serving each scenario, with the content hash incidents will pin. */
  get pinned(): { scenario: string; id: string; version: number; contentHash: string }[] {
    return this.scenarios.map((scenario) => {
      const { runbook, contentHash } = this.byScenario.get(scenario) as LoadedRunbook;
      return { scenario, id: runbook.id, version: runbook.version, contentHash };
    });
  }

  /** The runbook of each scenario (policy packs read their `policies:` folder). */
  get runbooks(): LoadedRunbook[] {
    return this.scenarios.map((scenario) => this.byScenario.get(scenario) as LoadedRunbook);
  }

  /** Number of scenarios served. */
  get size(): number {
    return this.byScenario.size;
  }

  /**
   * Picks the runbook for the alert's scenario and the principal to contain: the alert's own, or
   * the one the runbook's contain step names. Refuses (422) an unknown scenario or an incident
   * with nobody to contain, before anything is started.
   */
  choose(alert: Alert): RunbookChoice {
    const { loaded, reason } = this.pick(alert);
    const principal = alert.principal ?? containPrincipal(loaded) ?? (needsPrincipal(loaded.runbook) ? undefined : NO_PRINCIPAL);
    if (principal === undefined) {
      throw new IngressError(422, 'invalid_payload', `the alert names no principal and runbook "${loaded.runbook.id}" has no default one to contain`, [
        { path: 'principal', message: 'required for this runbook' },
      ]);
    }
    return { loaded, principal, reason };
  }

  /**
   * Every serving runbook's verdict on the alert, in the order routing tries them (for
   * `breachline runbook test`); `choose` gives the outcome.
   */
  explain(alert: Alert): RunbookVerdict[] {
    return explainRoute(this.serving(), alert);
  }

  /** Alert-document fields some rule reads: what ingress keeps on the alert for routing. */
  get routedFields(): string[] {
    return routedFieldNames(this.serving());
  }

  /**
   * The alert's scenario first (drills and the CLI name theirs), then the highest-priority
   * runbook whose `serves` rules match, then the triage runbook. A directory where no runbook
   * declares `serves` keeps the old default scenario.
   */
  private pick(alert: Alert): { loaded: LoadedRunbook; reason: ChoiceReason } {
    if (alert.scenario !== undefined) return { loaded: this.byScenarioOr422(alert.scenario), reason: { kind: 'scenario', scenario: alert.scenario } };
    const serving = this.serving();
    if (serving.length === 0) return { loaded: this.byScenarioOr422(DEFAULT_SCENARIO), reason: { kind: 'default', scenario: DEFAULT_SCENARIO } };
    const routed = route(serving, alert);
    if (routed !== undefined) {
      const rule = (routed.serves?.when ?? []).findIndex((r) => evaluateRule(r, alert).matched);
      return { loaded: routed.loaded, reason: { kind: 'rule', runbook: routed.id, rule } };
    }
    const triage = this.byScenario.get(TRIAGE_SCENARIO);
    if (triage === undefined) {
      throw new IngressError(422, 'no_runbook', `no runbook serves this alert and no "${TRIAGE_SCENARIO}" runbook is loaded (known: ${this.scenarios.join(', ') || 'none loaded'})`, [
        { path: 'rule', message: 'matched by no runbook\'s serves rules' },
      ]);
    }
    return { loaded: triage, reason: { kind: 'triage' } };
  }

  private serving(): ServingRunbook[] {
    this.servingList ??= [...this.byScenario.values()]
      .filter((l) => l.runbook.serves !== undefined)
      .map((loaded) => ({ id: loaded.runbook.id, version: loaded.runbook.version, scenario: loaded.runbook.scenario, serves: loaded.runbook.serves, loaded }));
    return this.servingList;
  }

  private byScenarioOr422(scenario: string): LoadedRunbook {
    const loaded = this.byScenario.get(scenario);
    if (loaded) return loaded;
    const known = this.scenarios.join(', ') || 'none loaded';
    throw new IngressError(422, 'unknown_scenario', `no runbook for scenario "${scenario}" (known: ${known})`, [{ path: 'scenario', message: `unknown scenario "${scenario}"` }]);
  }
}

interface ServingRunbook {
  id: string;
  version: number;
  scenario: string;
  serves: Runbook['serves'];
  loaded: LoadedRunbook;
}

/**
 * A runbook with any step whose action acts on a principal (its registry definition does not say
 * `needsPrincipal: false`) needs one: a runbook made only of principal-free steps does not.
 */
export function needsPrincipal(runbook: Runbook): boolean {
  return runbook.steps.some((s) => actionNeedsPrincipal(s.action) && !namesItsPrincipals(s));
}

/**
 * Leaked-token playbook (issue 17, item 4): built-in steps that find their principals themselves —
 * `contain` and `forensics` given `principals` (e.g. from a trace step), and
 * `rotate-credentials` told not to act on the compromised account, and `preserve-evidence` — need
 * none from the alert.
 */
function namesItsPrincipals(step: Runbook['steps'][number]): boolean {
  if (!isBuiltinStep(step)) return false;
  if (step.action === 'contain' || step.action === 'forensics') return step.with?.principals !== undefined;
  if (step.action === 'rotate-credentials') return step.with?.revokeVaultTokens === false && step.with.deleteCompromisedAccount === false;
  // Replays what forensics found, whoever read it.
  return step.action === 'preserve-evidence';
}

function containPrincipal(loaded: LoadedRunbook): string | undefined {
  for (const step of loaded.runbook.steps) {
    if (isBuiltinStep(step) && step.action === 'contain' && step.with?.principal) return step.with.principal;
  }
  return undefined;
}
