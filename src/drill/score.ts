import type { IncidentState } from '../domain/incident';
import { regimeSettled } from '../domain/incident-clocks';

/** What the scenario's seeder knows happened: the figures a perfect investigation reproduces. */
export interface DrillGroundTruth {
  topic: string;
  partitions: Array<{ partition: number; from: string; to: string; records: string; bytes: string }>;
  totals: { records: string; bytes: string };
  dataSubjects: number;
}

/** One regulatory deadline and whether the response met it. */
export interface DeadlineScore {
  regime: string;
  deadlineAt: string;
  filedAt?: string;
  met: boolean;
}

/** How the forensic figures compare with the ground truth. */
export interface ForensicScore {
  /** True when every partition's range, records and bytes, the totals and the data-subject count match. */
  exact: boolean;
  partitionsMatched: number;
  partitionsExpected: number;
  records: { measured?: string; expected: string };
  bytes: { measured?: string; expected: string };
  dataSubjects: { measured?: number; expected: number };
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
  forensics: ForensicScore;
  steps: Array<{ id: string; status: string; durationMs?: number }>;
  /** 0–100: containment, approvals, deadlines and forensic accuracy, 25 points each. */
  points: number;
}

const ms = (from: string | undefined, to: string | undefined): number | undefined =>
  from !== undefined && to !== undefined ? Date.parse(to) - Date.parse(from) : undefined;

/**
 * Scores an incident run in drill mode against the scenario's ground truth. Pure, so the
 * after-action report can be rebuilt from a saved state and ground truth.
 */
export function scoreDrill(state: IncidentState, truth: DrillGroundTruth, approvalRequests: ReadonlyArray<{ approvalId: string; at: string }> = []): DrillScore {
  const contain = state.steps.find((s) => s.action === 'contain');
  const timeToContainmentMs = contain?.status === 'completed' ? ms(state.openedAt, contain.finishedAt) : undefined;
  const firstGrant = state.decisions.filter((d) => d.granted).sort((a, b) => Date.parse(a.at) - Date.parse(b.at))[0];
  // The fold forgets a request once answered, so its time comes from the ApprovalRequested events.
  const requestedAt = firstGrant ? approvalRequests.find((r) => r.approvalId === firstGrant.approvalId)?.at ?? requestedAtOf(state, firstGrant.stepId) : undefined;
  const firstRequest = firstGrant ? ms(requestedAt ?? state.openedAt, firstGrant.at) : undefined;
  // A regime with no due at all (DORA not classified, SEC without a determination) had nothing to meet.
  const deadlines: DeadlineScore[] = Object.values(state.clocks)
    .filter((c) => c.deadlineAt !== null)
    .map((c) => ({
      regime: c.regime,
      deadlineAt: c.deadlineAt ?? '',
      ...(c.filed ? { filedAt: c.filed.filedAt } : {}),
      met: c.notNotifiable !== undefined || (regimeSettled(c) && !c.missed && c.stages.every((st) => st.filings.every((f) => !f.late))),
    }));
  const window = state.forensicWindows[truth.topic];
  const measured = new Map((window?.partitions ?? []).map((p) => [p.partition, p]));
  const partitionsMatched = truth.partitions.filter((t) => {
    const m = measured.get(t.partition);
    return m !== undefined && m.from === t.from && m.to === t.to && m.records === t.records && m.bytes === t.bytes;
  }).length;
  const extra = (window?.partitions ?? []).filter((p) => p.records !== '0' && !truth.partitions.some((t) => t.partition === p.partition)).length;
  const forensics: ForensicScore = {
    partitionsMatched,
    partitionsExpected: truth.partitions.length,
    records: { ...(window ? { measured: window.totals.records } : {}), expected: truth.totals.records },
    bytes: { ...(window ? { measured: window.totals.bytes } : {}), expected: truth.totals.bytes },
    dataSubjects: { ...(window ? { measured: window.dataSubjects.count } : {}), expected: truth.dataSubjects },
    exact: false,
  };
  forensics.exact =
    window !== undefined &&
    extra === 0 &&
    partitionsMatched === truth.partitions.length &&
    window.totals.records === truth.totals.records &&
    window.totals.bytes === truth.totals.bytes &&
    window.dataSubjects.count === truth.dataSubjects;
  const steps = state.steps.map((s) => ({ id: s.id, status: s.status, ...(ms(s.startedAt, s.finishedAt) !== undefined ? { durationMs: ms(s.startedAt, s.finishedAt) } : {}) }));
  const points =
    (timeToContainmentMs !== undefined ? 25 : 0) +
    (firstRequest !== undefined ? 25 : 0) +
    (deadlines.length === 0 ? 25 : Math.round((25 * deadlines.filter((d) => d.met).length) / deadlines.length)) +
    (forensics.exact ? 25 : Math.round((20 * partitionsMatched) / Math.max(1, truth.partitions.length)));
  return {
    incidentId: state.incidentId,
    status: state.status,
    ...(timeToContainmentMs !== undefined ? { timeToContainmentMs } : {}),
    ...(firstRequest !== undefined ? { timeToFirstApprovalMs: firstRequest } : {}),
    deadlines,
    forensics,
    steps,
    points,
  };
}

/** When the approval for a step was asked for, from the step's own record (the request itself is gone once answered). */
function requestedAtOf(state: IncidentState, stepId: string): string | undefined {
  return state.pendingApprovals.find((p) => p.stepId === stepId)?.requestedAt ?? state.steps.find((s) => s.id === stepId)?.startedAt;
}
