import { getExternalWorkflowHandle, startChild } from '@temporalio/workflow';
import type { IsoTime } from '../src/domain/events';
import { checkFiling, clockSpecFor, clockStartedData, dataSubjectDecision, startClock, type RegulatoryClock } from '../src/domain/regulatory-clock';
import type { PlannedStep } from '../src/domain/runbook';
import { regulatoryClockWorkflowId, type FilingRejection, type FilingSignal } from './api';
import { nowIso, WORKFLOW_ACTOR, type Run } from './context';
import { clockFiledSignal, RegulatoryClockWorkflow } from './regulatory-clock';
import { exposure } from './steps';

type ClocksStep = Extract<PlannedStep, { action: 'start-regulatory-clocks' }>;

/** When awareness began for a regime, per its `awarenessFrom`. */
function awarenessAt(run: Run, from: 'first-alert' | 'incident-opened' | 'breach-confirmed'): IsoTime {
  if (from === 'first-alert') return run.input.alert.observedAt;
  if (from === 'incident-opened') return run.ledger.open.openedAt;
  // Confirmed when the forensic window established what was read; else now.
  const confirmed = run.ledger.events.find((e) => e.type === 'ForensicWindowEstablished');
  return confirmed?.at ?? nowIso();
}

/**
 * `start-regulatory-clocks`: records each clock's start (and the Art. 34 decision when forensic
 * figures exist), then starts one child workflow per regime that keeps time for it.
 */
export async function startRegulatoryClocks(run: Run, step: ClocksStep, channel: string): Promise<void> {
  for (const regime of step.params.regimes) {
    const rule = run.input.runbook.regimes[regime];
    if (rule === undefined || run.ledger.open.clocks[regime] !== undefined) continue;
    const clock = startClock(clockSpecFor(regime, rule, awarenessAt(run, rule.awarenessFrom)));
    run.ledger.commit({ type: 'RegulatoryClockStarted', at: nowIso(), actor: WORKFLOW_ACTOR, data: clockStartedData(clock) });
    const windows = Object.values(run.ledger.open.forensicWindows);
    if (rule.notifyDataSubjectsWhen !== undefined && windows.length > 0) {
      const decision = dataSubjectDecision(rule.notifyDataSubjectsWhen, exposure(windows));
      if (decision.required) {
        run.ledger.commit({
          type: 'DataSubjectNotificationRequired',
          at: nowIso(),
          actor: WORKFLOW_ACTOR,
          data: { regime, dataSubjects: exposure(windows).dataSubjects, piiCategories: decision.categories, reasons: decision.reasons },
        });
      }
    }
    const workflowId = regulatoryClockWorkflowId(run.workflowId, regime);
    const child = await startChild(RegulatoryClockWorkflow, {
      workflowId,
      args: [
        {
          incidentId: run.input.incidentId,
          parentWorkflowId: run.workflowId,
          regime,
          awarenessAt: clock.awarenessAt,
          deadlineAt: clock.deadlineAt,
          marks: clock.marks.map((m) => ({ label: m.label, at: m.at })),
          channel,
          authority: rule.authority,
        },
      ],
    });
    run.clocks[regime] = { workflowId };
    run.background.push(child.result().catch(() => undefined));
  }
}

/**
 * A filing signalled to the incident. Validated against the incident's own clock: a late
 * authority filing without a reason is refused and nothing is recorded; the refusal is returned
 * so the caller can expose it (query) and post it.
 */
export function fileNotification(run: Run, filing: FilingSignal): FilingRejection | undefined {
  const state = run.ledger.state;
  const at = nowIso();
  const reject = (code: string, message: string): FilingRejection => ({ at, filing, code, message });
  const clock = state?.clocks[filing.regime];
  if (state === undefined || clock === undefined) return reject('NoSuchClock', `no ${filing.regime} clock is running`);
  if (state.status === 'closed') return reject('IncidentClosed', 'the incident is closed');
  if (filing.recipient === 'supervisory-authority' && clock.filed !== undefined) return reject('AlreadyFiled', `the ${filing.regime} notification is already filed`);
  const asClock: RegulatoryClock = { regime: clock.regime, awarenessAt: clock.awarenessAt, deadlineAt: clock.deadlineAt, deadlineMs: 0, marks: [] };
  let checked: ReturnType<typeof checkFiling>;
  try {
    checked = checkFiling(asClock, { filedAt: at, ...(filing.lateReason !== undefined ? { lateReason: filing.lateReason } : {}) });
  } catch {
    // Only the Art. 33 notification to the authority is bound by the deadline.
    if (filing.recipient === 'supervisory-authority') {
      return reject('LateFilingWithoutReason', `filed after the ${clock.deadlineAt} deadline: a reason for the delay is required`);
    }
    const reason = filing.lateReason?.trim();
    checked = { filedAt: at, late: true, ...(reason ? { lateReason: reason } : {}) };
  }
  const late = filing.recipient === 'supervisory-authority' ? checked.late : Date.parse(at) > Date.parse(clock.deadlineAt);
  run.ledger.commit({
    type: 'NotificationFiled',
    at,
    actor: { kind: 'user', id: filing.filer },
    data: {
      regime: filing.regime,
      recipient: filing.recipient,
      authority: filing.authority,
      reference: filing.reference,
      filedAt: checked.filedAt,
      late,
      ...(late && checked.lateReason ? { lateReason: checked.lateReason } : {}),
    },
  });
  const child = run.clocks[filing.regime];
  if (filing.recipient === 'supervisory-authority' && child !== undefined) {
    // The clock may already have ended (deadline passed): nothing to stop then.
    getExternalWorkflowHandle(child.workflowId).signal(clockFiledSignal).catch(() => undefined);
  }
  return undefined;
}

/** Whether every clock has been settled: filed with the authority or its deadline recorded as missed. */
export function clocksSettled(run: Run): boolean {
  return Object.values(run.ledger.state?.clocks ?? {}).every((c) => c.filed !== undefined || c.missed);
}
