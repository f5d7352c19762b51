import type { DomainEvent } from '../domain/events';
import type { IncidentState } from '../domain/incident';
import { regimeSettled } from '../domain/incident-clocks';
import { drillScenario, type AccuracyCheck, type DrillScenario, type ScenarioTruth } from './scenario-registry';
import { tradingExfiltration, type DrillGroundTruth } from './trading-exfiltration';

export type { DrillGroundTruth } from './trading-exfiltration';
export type { AccuracyCheck } from './scenario-registry';

/** One regulatory deadline and whether the response met it. */
export interface DeadlineScore {
  regime: string;
  deadlineAt: string;
  filedAt?: string;
  met: boolean;
}

/** How the response compares with the scenario's ground truth, check by check. */
export interface AccuracyScore {
  /** True when every check is ok (and there is at least one). */
  exact: boolean;
  checks: AccuracyCheck[];
  /** 0–25: all of it when exact, else the share of checks that are ok. */
  points: number;
}

/** The scored response of one drill. */
export interface DrillScore {
  incidentId: string;
  status: string;
  /** From the incident opening to the contain step's completion; absent if never contained. */
  timeToContainmentMs?: number;
  /** From the request of the first granted approval to its grant. */
  timeToFirstApprovalMs?: number;
  deadlines: DeadlineScore[];
  accuracy: AccuracyScore;
  steps: Array<{ id: string; status: string; durationMs?: number }>;
  /** 0–100: containment, approvals, deadlines and accuracy, 25 points each. */
  points: number;
}

const ms = (from: string | undefined, to: string | undefined): number | undefined =>
  from !== undefined && to !== undefined ? Date.parse(to) - Date.parse(from) : undefined;

/** Options of {@link scoreDrill}. */
export interface ScoreOptions {
  /** The incident's domain events, for checks that need more than the folded state. @default none */
  events?: readonly DomainEvent[];
  /** The scenario whose checks apply. @default the registry's entry named by `truth.scenario` */
  scenario?: DrillScenario;
}

/** The accuracy quarter from a scenario's checks: 25 when all are ok, else the share that is. */
export function scoreAccuracy(checks: readonly AccuracyCheck[]): AccuracyScore {
  const ok = checks.filter((c) => c.ok).length;
  // No checks proves nothing: a scenario without them earns no accuracy points.
  const exact = checks.length > 0 && ok === checks.length;
  return { exact, checks: checks.map((c) => ({ ...c })), points: exact ? 25 : checks.length === 0 ? 0 : Math.floor((25 * ok) / checks.length) };
}

/** The scenario a ground truth belongs to; a truth without `scenario` is a trading one from before the registry. */
function scenarioOf(truth: ScenarioTruth | DrillGroundTruth): DrillScenario {
  const name = (truth as { scenario?: unknown }).scenario;
  return typeof name === 'string' ? drillScenario(name) : tradingExfiltration;
}

/**
 * Scores an incident run in drill mode against the scenario's ground truth: containment,
 * approvals, deadlines and the scenario's accuracy checks, 25 points each. Pure, so the
 * after-action report can be rebuilt from a saved state and ground truth.
 */
export function scoreDrill(
  state: IncidentState,
  truth: ScenarioTruth | DrillGroundTruth,
  approvalRequests: ReadonlyArray<{ approvalId: string; at: string }> = [],
  options: ScoreOptions = {},
): DrillScore {
  const contain = state.steps.find((s) => s.action === 'contain');
  const timeToContainmentMs = contain?.status === 'completed' ? ms(state.openedAt, contain.finishedAt) : undefined;
  const firstGrant = state.decisions.filter((d) => d.granted).sort((a, b) => Date.parse(a.at) - Date.parse(b.at))[0];
  // The fold forgets a request once answered, so its time comes from the ApprovalRequested events.
  const requestedAt = firstGrant ? approvalRequests.find((r) => r.approvalId === firstGrant.approvalId)?.at ?? requestedAtOf(state, firstGrant.stepId) : undefined;
  const firstRequest = firstGrant ? ms(requestedAt ?? state.openedAt, firstGrant.at) : undefined;
  const deadlines = deadlinesOf(state);
  const scenario = options.scenario ?? scenarioOf(truth);
  const accuracy = scoreAccuracy(scenario.accuracy(state, truth as ScenarioTruth, options.events ?? []));
  const steps = state.steps.map((s) => ({ id: s.id, status: s.status, ...(ms(s.startedAt, s.finishedAt) !== undefined ? { durationMs: ms(s.startedAt, s.finishedAt) } : {}) }));
  const points =
    (timeToContainmentMs !== undefined ? 25 : 0) +
    (firstRequest !== undefined ? 25 : 0) +
    (deadlines.length === 0 ? 25 : Math.round((25 * deadlines.filter((d) => d.met).length) / deadlines.length)) +
    accuracy.points;
  return {
    incidentId: state.incidentId,
    status: state.status,
    ...(timeToContainmentMs !== undefined ? { timeToContainmentMs } : {}),
    ...(firstRequest !== undefined ? { timeToFirstApprovalMs: firstRequest } : {}),
    deadlines,
    accuracy,
    steps,
    points,
  };
}

/** Every clock with a deadline; a regime with no due at all (DORA not classified, SEC without a determination) had nothing to meet. */
function deadlinesOf(state: IncidentState): DeadlineScore[] {
  return Object.values(state.clocks)
    .filter((c) => c.deadlineAt !== null)
    .map((c) => ({
      regime: c.regime,
      deadlineAt: c.deadlineAt ?? '',
      ...(c.filed ? { filedAt: c.filed.filedAt } : {}),
      met: c.notNotifiable !== undefined || (regimeSettled(c) && !c.missed && c.stages.every((st) => st.filings.every((f) => !f.late))),
    }));
}

/** When the approval for a step was asked for, from the step's own record (the request itself is gone once answered). */
function requestedAtOf(state: IncidentState, stepId: string): string | undefined {
  return state.pendingApprovals.find((p) => p.stepId === stepId)?.requestedAt ?? state.steps.find((s) => s.id === stepId)?.startedAt;
}
