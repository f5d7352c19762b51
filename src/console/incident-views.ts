import type { DomainEvent } from '../domain/events';
import type { IncidentState } from '../domain/incident';
import { summarize } from '../domain/incident';
import { unlocatedCount, unlocatedStatement } from '../domain/unlocated-writes';
import type { ClockView, EvidenceProgress } from '../../workflows/api';
import type { ClockStageView, EvidenceView, IncidentDetailBody, IncidentListItem, PendingView, StepView, TimelineEntryView } from './contract';

/**
 * Pure projections of what the incident workflow answers (state, clocks, evidence progress,
 * events) onto the console's contract. No I/O, so each shape is unit-tested on its own.
 */

/** One row of the incident list. */
export function listItem(workflowId: string, s: IncidentState): IncidentListItem {
  return {
    incidentId: s.incidentId,
    workflowId,
    title: s.title,
    status: s.status,
    severity: s.severity,
    openedAt: s.openedAt,
    pendingApprovals: s.pendingApprovals.length,
    ...(s.principal ? { principal: s.principal } : {}),
  };
}

/** The steps, with `needs-attention` where an operator's decision is awaited. */
export function stepViews(s: IncidentState): StepView[] {
  const attention = new Set(s.attention.map((a) => a.stepId));
  return s.steps.map((step) => ({
    id: step.id,
    action: step.action,
    title: step.id === step.action ? step.id : `${step.id} (${step.action})`,
    state: attention.has(step.id) ? 'needs-attention' : step.status,
    approval: step.approval,
  }));
}

/** Every stage of every regime, with its first filing from the state when made. */
export function clockStageViews(clocks: readonly ClockView[], s: IncidentState): ClockStageView[] {
  return clocks.flatMap((clock) =>
    clock.stages.map((stage) => {
      const filing = s.clocks[clock.regime]?.stages.find((x) => x.stage === stage.stage)?.filings[0];
      return {
        regime: clock.regime,
        authority: clock.authority,
        stage: stage.stage,
        dueAt: stage.due,
        state: stage.state,
        rule: stage.rule,
        ...(filing ? { filedAt: filing.filedAt, reference: filing.reference } : {}),
      };
    }),
  );
}

const isoOrNull = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * The forensic window, partition by partition over every topic; null before forensics. Windows of
 * releases before access records (issue 12) carry no precision: they were built from consumer-group
 * commits, which bound the range, hence `bounded`.
 */
export function windowView(s: IncidentState): IncidentDetailBody['window'] {
  const windows = Object.values(s.forensicWindows);
  if (windows.length === 0) return null;
  const partitions = windows.flatMap((w) =>
    w.partitions.map((p) => ({
      topic: w.topic,
      partition: p.partition,
      fromOffset: p.from,
      toOffset: p.to,
      fromTime: isoOrNull(p.firstTs),
      toTime: isoOrNull(p.lastTs),
      records: p.records,
      precision: p.precision ?? 'bounded',
      sources: p.sources ?? [...w.sources],
    })),
  );
  // Writes the forensics could not place (access: write): said beside the chart, absent when none.
  const unplaced = windows.flatMap((w) => {
    const statement = unlocatedStatement(w.unlocatedWrites);
    return statement === undefined ? [] : [{ topic: w.topic, count: unlocatedCount(w.unlocatedWrites), statement }];
  });
  return { partitions, ...(unplaced.length > 0 ? { unplaced } : {}) };
}

/** Evidence progress: the live replay's when it runs, else what the state recorded; null if none. */
export function evidenceView(s: IncidentState, progress: EvidenceProgress | null | undefined): EvidenceView | null {
  if (progress) {
    return {
      records: progress.records,
      bytes: progress.bytes,
      totalRecords: progress.totalRecords,
      ratePerSecond: progress.recordsPerSecond,
      ...(progress.etaSeconds !== null ? { etaSeconds: progress.etaSeconds } : {}),
      done: progress.done,
    };
  }
  const step = s.steps.find((x) => x.action === 'preserve-evidence');
  if (step === undefined && s.evidence.records === '0') return null;
  const bytes = Object.values(s.evidence.manifests ?? {}).reduce((sum, m) => sum + BigInt(m.sourceBytes), 0n);
  return { records: s.evidence.records, bytes: bytes.toString(), done: step?.status === 'completed' };
}

/** Approvals waiting for a decision. */
export function pendingViews(s: IncidentState): PendingView[] {
  return s.pendingApprovals.map((p) => ({
    stepId: p.stepId,
    approvalId: p.approvalId,
    title: p.reason,
    requiredRole: p.role,
    ...(p.breaker !== undefined ? { breaker: p.breaker } : {}),
  }));
}

/** The incident page's body; `can` is decided by the caller (the policies). */
export function detailBody(
  workflowId: string,
  s: IncidentState,
  extra: { clocks: readonly ClockView[]; evidence: EvidenceProgress | null | undefined; can: IncidentDetailBody['can'] },
): IncidentDetailBody {
  return {
    incident: {
      incidentId: s.incidentId,
      workflowId,
      title: s.title,
      status: s.status,
      severity: s.severity,
      principal: s.principal,
      openedAt: s.openedAt,
      ...(s.closedAt !== undefined ? { closedAt: s.closedAt } : {}),
    },
    steps: stepViews(s),
    clocks: clockStageViews(extra.clocks, s),
    window: windowView(s),
    evidence: evidenceView(s, extra.evidence),
    pending: pendingViews(s),
    can: extra.can,
  };
}

/** The timeline from the incident's events, with who caused each. */
export function timelineEntries(events: readonly DomainEvent[]): TimelineEntryView[] {
  return [...events]
    .sort((a, b) => a.seq - b.seq)
    .map((e) => ({ at: e.at, type: e.type, summary: summarize(e), actor: e.actor.id }));
}
