import type { Alert } from '../domain/alert';
import { isBuiltinStep } from '../domain/runbook';
import type { LoadedRunbook } from '../domain/runbook-loader';
import { IngressError } from './errors';

/** Scenario used when an alert does not name one. */
export const DEFAULT_SCENARIO = 'kafka-exfiltration';

/** The runbook an alert's incident will run, with the principal it will contain. */
export interface RunbookChoice {
  loaded: LoadedRunbook;
  principal: string;
}

/**
 * The runbooks ingress can open incidents with, indexed by scenario. Built once at start from
 * already validated runbooks, so no request ever reads a file; where several versions of a
 * scenario exist the highest version wins.
 */
export class RunbookCatalog {
  private readonly byScenario = new Map<string, LoadedRunbook>();

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
    const scenario = alert.scenario ?? DEFAULT_SCENARIO;
    const loaded = this.byScenario.get(scenario);
    if (!loaded) {
      const known = this.scenarios.join(', ') || 'none loaded';
      throw new IngressError(422, 'unknown_scenario', `no runbook for scenario "${scenario}" (known: ${known})`, [{ path: 'scenario', message: `unknown scenario "${scenario}"` }]);
    }
    const principal = alert.principal ?? containPrincipal(loaded);
    if (principal === undefined) {
      throw new IngressError(422, 'invalid_payload', `the alert names no principal and runbook "${loaded.runbook.id}" has no default one to contain`, [
        { path: 'principal', message: 'required for this runbook' },
      ]);
    }
    return { loaded, principal };
  }
}

function containPrincipal(loaded: LoadedRunbook): string | undefined {
  for (const step of loaded.runbook.steps) {
    if (isBuiltinStep(step) && step.action === 'contain' && step.with?.principal) return step.with.principal;
  }
  return undefined;
}
