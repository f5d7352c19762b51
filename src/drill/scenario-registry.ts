import type { PlaybookDeps } from '../../activities';
import type { DomainEvent } from '../domain/events';
import type { IncidentState } from '../domain/incident';
import type { KafkaConnection } from '../kafka/client';
import type { Logger } from '../log/logger';
import type { SecretsPort } from '../vault/port';
import { tradingExfiltration } from './trading-exfiltration';
import { poisonedOrders } from './poisoned-orders';
import { vaultTokenLeak } from './vault-token-leak';

/*
 * Drill scenarios (issue 17 item 4, wave3-shared.md §B): one entry per scenario the drill range can
 * seed. Everything a drill, `breachline alert`, the drill schedules and the console need to know
 * about a scenario is read from here, so a new playbook's scenario is one import and one line in
 * DRILL_SCENARIOS, not a case in four switches.
 */

/** What a scenario's seeder gets: a FRESH drill cluster (no topics of its own yet) and its Vault. */
export interface ScenarioSeedContext {
  /** Admin connection of the drill cluster. */
  kafka: KafkaConnection;
  /** The drill Vault as the playbook reaches it (root token). */
  secrets: SecretsPort;
  /** The drill Vault; `auditLogFile` is where its audit device writes one JSON line per request and response. */
  vault: { address: string; token: string; auditLogFile?: string };
  /** End of the scenario's traffic (drills: now). */
  scenarioEnd: Date;
  logger: Logger;
}

/** Ground truth of a seeded scenario: JSON only (it travels through workflow history). */
export type ScenarioTruth = { scenario: string } & Record<string, unknown>;

/** What a seeder returns. */
export interface SeededScenario {
  truth: ScenarioTruth;
  /** Extra playbook deps this scenario's runbook needs (e.g. where the Vault audit log is); merged over the range's. */
  deps?: Partial<PlaybookDeps>;
}

/** One accuracy check of a response against the ground truth; `measured` is absent when the response produced no figure. */
export interface AccuracyCheck {
  name: string;
  expected: string;
  measured?: string;
  ok: boolean;
}

/** A generic JSON alert (docs/ingress.md): string fields, and `fields` for the alert's other named values. */
export type ScenarioAlertPayload = Record<string, string | Record<string, string>>;

/** A scenario the drill range can seed, raise the alert of and score. */
export interface DrillScenario {
  /** Sandbox scenario name, e.g. `trading-exfiltration`. */
  name: string;
  /** The runbook its alert must route to (tests check the routing). */
  runbookId: string;
  /**
   * Generic-JSON alert a SIEM would post; routed by the runbooks' `serves` rules (no `scenario`
   * field). Top-level values are strings; `fields` holds the alert's other named values. `truth` is
   * the seeded scenario's, when there is one: an alert may name what the seeder created (a token).
   */
  alertPayload(now: Date, id: string, truth?: ScenarioTruth): ScenarioAlertPayload;
  /** Inject posted when the alert fires. */
  alertInject: string;
  /** Seeds the scenario on a FRESH drill Kafka + Vault; returns its ground truth (JSON data). */
  seed(ctx: ScenarioSeedContext): Promise<SeededScenario>;
  /** Accuracy checks of the response against the ground truth (pure). */
  accuracy(state: IncidentState, truth: ScenarioTruth, events: readonly DomainEvent[]): AccuracyCheck[];
}

/** Every scenario drills, `breachline alert` and drill schedules accept. New scenarios: one line each, at the end. */
export const DRILL_SCENARIOS: readonly DrillScenario[] = [
  tradingExfiltration,
  poisonedOrders,
  vaultTokenLeak,
];

/** The scenario `breachline drill run` seeds when none is named. */
export const DEFAULT_DRILL_SCENARIO: string = tradingExfiltration.name;

/** Names of {@link DRILL_SCENARIOS}, in registry order. */
export const SCENARIOS: readonly string[] = DRILL_SCENARIOS.map((s) => s.name);

/** A scenario name; checked against the registry by {@link parseScenario}. */
export type ScenarioName = string;

/** The registered scenario of that name, or undefined. */
export function findScenario(name: string): DrillScenario | undefined {
  return DRILL_SCENARIOS.find((s) => s.name === name);
}

/** The registered scenario of that name; throws naming the known ones otherwise. */
export function drillScenario(name: string): DrillScenario {
  const found = findScenario(name);
  if (found === undefined) throw new Error(`unknown scenario ${name}; expected one of ${SCENARIOS.join(', ')}`);
  return found;
}

/** Checks a user-supplied scenario name (CLI option parser, drill port). */
export function parseScenario(name: string): ScenarioName {
  return drillScenario(name).name;
}

/**
 * The generic-JSON alert a SIEM would post for a scenario (docs/ingress.md, "Generic JSON").
 * `id` is unique per call so repeated alerts are distinct SIEM alerts of one incident.
 */
export function scenarioAlertPayload(scenario: string, now: Date, id: string): ScenarioAlertPayload {
  return drillScenario(scenario).alertPayload(now, id);
}
