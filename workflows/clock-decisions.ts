import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import type { IncidentState } from '../src/domain/incident';
import { stageStanding } from '../src/domain/incident-clocks';
import { checkStageFiling, entityOf, toEpochMs, toIso } from '../src/domain/regulatory-clock';
import {
  awareUpdate,
  classifyUpdate,
  clocksQuery,
  fileNotificationSignal,
  filingRefusedSignal,
  materialUpdate,
  notNotifiableUpdate,
  subjectsUpdate,
  fileUpdate,
  type DecisionResult,
  type ClockView,
  type FilingSignal,
  type StageFilingRequest,
} from './api';
import { nowIso, type Run } from './context';
import { clockEventSignal } from './regulatory-clock';
import { recomputeClocks, stopClock } from './clocks';

/**
 * The decisions people take on the regulatory clocks, as Temporal Updates with validators: the
 * validator refuses with a precise message (nothing recorded, as Temporal keeps no trace of a
 * rejected update), the handler records the decision as an event, recomputes the dues and tells
 * the clocks. Roles were checked by Slack's policies; they are checked again here because the
 * workflow is the last word on what it records.
 */

const DPO_OR_COMMANDER = ['dpo', 'incident-commander'];
const COMMANDER = ['incident-commander'];

/** Registers the clock updates, the clocks query and the clock signals on the incident. */
export function registerClockHandlers(run: Run): void {
  const user = (id: string) => ({ kind: 'user' as const, id });
  const accepted = (message: string): DecisionResult => {
    run.ledger.flushInBackground();
    return { message };
  };

  setHandler(
    awareUpdate,
    (d) => {
      const awareAt = toIso(d.awareAt);
      const previous = run.ledger.open.regulatoryFacts.awareAt ?? run.input.alert.observedAt;
      run.ledger.commit({ type: 'AwarenessDetermined', at: nowIso(), actor: user(d.decidedBy), data: { awareAt, reason: d.reason.trim(), previous } });
      recomputeClocks(run, `awareness determined: ${awareAt}`);
      return accepted(`Awareness recorded at ${awareAt} (was ${previous}); every deadline anchored on awareness was recomputed.`);
    },
    {
      validator: (d) => {
        open(run);
        role(d.role, DPO_OR_COMMANDER, 'determine awareness');
        const at = instant(d.awareAt, 'awareness time');
        if (at > Date.now()) throw new Error(`awareness time ${d.awareAt} is in the future`);
        if (!d.reason?.trim()) throw new Error('a reason for the awareness determination is required');
      },
    },
  );

  setHandler(
    classifyUpdate,
    (d) => {
      run.ledger.commit({ type: 'IncidentClassified', at: nowIso(), actor: user(d.decidedBy), data: { classification: d.classification } });
      recomputeClocks(run, `classified ${d.classification}`);
      return accepted(`Incident classified ${d.classification} for DORA${d.classification === 'major' ? '; the initial report clock runs from now' : ''}.`);
    },
    {
      validator: (d) => {
        open(run);
        role(d.role, COMMANDER, 'classify the incident');
        if (d.classification !== 'major' && d.classification !== 'not-major') throw new Error('classification must be major or not-major');
      },
    },
  );

  setHandler(
    materialUpdate,
    (d) => {
      const determinedAt = toIso(d.determinedAt);
      run.ledger.commit({ type: 'MaterialityDetermined', at: nowIso(), actor: user(d.decidedBy), data: { determinedAt } });
      recomputeClocks(run, `materiality determined: ${determinedAt}`);
      return accepted(`Materiality determined at ${determinedAt}; SEC 8-K and NYDFS deadlines computed from it.`);
    },
    {
      validator: (d) => {
        open(run);
        role(d.role, COMMANDER, 'determine materiality');
        if (instant(d.determinedAt, 'determination time') > Date.now()) throw new Error(`determination time ${d.determinedAt} is in the future`);
      },
    },
  );

  setHandler(
    notNotifiableUpdate,
    (d) => {
      run.ledger.commit({ type: 'RegimeNotNotifiable', at: nowIso(), actor: user(d.decidedBy), data: { regime: d.regime, reasoning: d.reasoning.trim() } });
      stopClock(run, d.regime, 'not notifiable');
      return accepted(`${d.regime.toUpperCase()} recorded as not notifiable; its clock has stopped.`);
    },
    {
      validator: (d) => {
        open(run);
        role(d.role, DPO_OR_COMMANDER, 'decide that a regime is not notifiable');
        const clock = ownClock(run.ledger.open, d.regime);
        if (clock === undefined) throw new Error(`no ${d.regime} clock runs on this incident (regimes: ${Object.keys(run.ledger.open.clocks).join(', ')})`);
        if (clock.notNotifiable !== undefined) throw new Error(`${d.regime} is already recorded as not notifiable`);
        if (!d.reasoning?.trim()) throw new Error('the reasoning for not notifying is required (Art. 33(5): it is documented)');
      },
    },
  );

  setHandler(fileUpdate, (f) => fileStage(run, f), { validator: (f) => validateFiling(run, f) });

  setHandler(filingRefusedSignal, (f) => {
    const state = run.ledger.state;
    if (state === undefined || state.status === 'closed') return;
    const verdict = checkStageFiling(ownClock(state, f.regime), f, nowIso());
    if (verdict.accepted) return;
    const recorded = run.ledger.tryCommit({
      type: 'FilingRefused',
      at: nowIso(),
      actor: user(f.filer),
      data: { regime: f.regime, stage: f.stage, reference: f.reference, filer: f.filer, code: verdict.code, message: verdict.message },
    });
    if (recorded) run.ledger.flushInBackground();
  });

  setHandler(
    subjectsUpdate,
    (d) => {
      run.ledger.commit({ type: 'DataSubjectDecision', at: nowIso(), actor: user(d.decidedBy), data: { regime: d.regime, decision: d.decision, reason: d.reason.trim() } });
      return accepted(d.decision === 'notify' ? `Art. 34 notice to the data subjects confirmed for ${d.regime.toUpperCase()}.` : `Art. 34(3) exception recorded for ${d.regime.toUpperCase()}.`);
    },
    {
      validator: (d) => {
        open(run);
        role(d.role, ['dpo'], 'decide on the Art. 34 notice');
        const clock = ownClock(run.ledger.open, d.regime);
        if (clock?.dataSubjectNotification === undefined) throw new Error(`no Art. 34 notice has been proposed for ${d.regime}`);
        if (d.decision !== 'notify' && d.decision !== 'exception') throw new Error('decision must be notify or exception');
        if (!d.reason?.trim()) throw new Error(d.decision === 'exception' ? 'the Art. 34(3) ground is required' : 'say how and when the data subjects are told');
      },
    },
  );

  setHandler(fileNotificationSignal, (filing) => legacyFiling(run, filing));
  setHandler(clockEventSignal, (draft) => {
    if (run.ledger.state?.status !== 'closed' && run.ledger.tryCommit(draft)) run.ledger.flushInBackground();
  });
  setHandler(clocksQuery, () => clockViews(run.ledger.state, (regime) => entityOf(run.input.runbook, regime).timeZone));
}

/** The `file` validator: every refusal names exactly what is wrong. */
function validateFiling(run: Run, f: StageFilingRequest): void {
  open(run);
  role(f.role, DPO_OR_COMMANDER, 'file a notification');
  const verdict = checkStageFiling(ownClock(run.ledger.open, f.regime), f, nowIso());
  if (!verdict.accepted) throw new Error(`${verdict.code}: ${verdict.message}`);
}

/** Records an accepted stage filing, recomputes the dues anchored on it and tells the clock. */
function fileStage(run: Run, f: StageFilingRequest): DecisionResult {
  const at = nowIso();
  const verdict = checkStageFiling(ownClock(run.ledger.open, f.regime), f, at);
  // The validator ran at this same workflow instant, so this only guards the legacy signal path.
  if (!verdict.accepted) throw ApplicationFailure.nonRetryable(verdict.message, verdict.code);
  const authority = f.authority?.trim() || (Object.hasOwn(run.input.runbook.regimes, f.regime) ? run.input.runbook.regimes[f.regime]?.authority : undefined) || `${f.regime} authority`;
  run.ledger.commit({
    type: 'NotificationFiled',
    at,
    actor: { kind: 'user', id: f.filer },
    data: {
      regime: f.regime,
      recipient: 'supervisory-authority',
      authority,
      reference: f.reference.trim(),
      filedAt: at,
      late: verdict.late,
      stage: f.stage,
      phase: verdict.phase,
      ...(verdict.lateReason !== undefined ? { lateReason: verdict.lateReason } : {}),
    },
  });
  recomputeClocks(run, `${f.regime} ${f.stage} filed`);
  run.ledger.flushInBackground();
  const when = verdict.late ? 'LATE, with the reasons for the delay' : 'on time';
  return { message: `${f.regime.toUpperCase()} ${f.stage} ${verdict.phase} filing recorded with ${authority} (ref ${f.reference.trim()}), ${when}.` };
}

/**
 * The first release's `fileNotification` signal, kept for the drill's auto-responder: an Art. 34
 * notice, or (for the authority) every stage whose due is known and not yet filed, in order. A
 * refusal is recorded as `FilingRefused` since a signal cannot answer.
 */
function legacyFiling(run: Run, filing: FilingSignal): void {
  const state = run.ledger.state;
  if (state === undefined || state.status === 'closed') return;
  const clock = ownClock(state, filing.regime);
  if (filing.recipient === 'data-subjects') {
    if (clock === undefined) return;
    const at = nowIso();
    const recorded = run.ledger.tryCommit({
      type: 'NotificationFiled',
      at,
      actor: { kind: 'user', id: filing.filer },
      data: { regime: filing.regime, recipient: 'data-subjects', authority: filing.authority, reference: filing.reference, filedAt: at, late: false },
    });
    if (recorded) run.ledger.flushInBackground();
    return;
  }
  for (let i = 0; i < (clock?.stages.length ?? 1); i++) {
    const current = ownClock(run.ledger.open, filing.regime);
    const next = current?.stages.find((st) => st.due !== null && st.filings.length === 0);
    const ask: StageFilingRequest = { regime: filing.regime, stage: next?.stage ?? current?.stages[0]?.stage ?? 'authority', reference: filing.reference, filer: filing.filer, role: 'dpo', authority: filing.authority, ...(filing.lateReason !== undefined ? { lateReason: filing.lateReason } : {}) };
    if (current !== undefined && next === undefined) break;
    const verdict = checkStageFiling(current, ask, nowIso());
    if (!verdict.accepted) {
      run.ledger.tryCommit({ type: 'FilingRefused', at: nowIso(), actor: { kind: 'user', id: filing.filer }, data: { regime: ask.regime, stage: ask.stage, reference: ask.reference, filer: ask.filer, code: verdict.code, message: verdict.message } });
      run.notify(`Filing refused (${verdict.code}): ${verdict.message}`);
      break;
    }
    fileStage(run, ask);
  }
  run.ledger.flushInBackground();
}

/** Every regime's stages as the clocks query returns them. */
export function clockViews(state: IncidentState | undefined, timeZone: string | ((regime: string) => string)): ClockView[] {
  if (state === undefined) return [];
  // Each regime's local time is its own calendar's (SEC 8-K in New York, GDPR in the entity's zone).
  const zoneOf = typeof timeZone === 'string' ? () => timeZone : timeZone;
  return Object.values(state.clocks).map((c) => ({
    regime: c.regime,
    authority: c.authority,
    timeZone: zoneOf(c.regime),
    awarenessAt: c.awarenessAt,
    awarenessProvisional: state.regulatoryFacts.awarenessProvisional,
    ...(c.notNotifiable !== undefined ? { notNotifiable: c.notNotifiable.reasoning } : {}),
    stages: c.stages.map((st) => ({ stage: st.stage, due: st.due, rule: st.rule, state: stageStanding(c, st), filings: st.filings.length })),
  }));
}

function open(run: Run): void {
  const state = run.ledger.state;
  if (state === undefined || state.status === 'closed') throw new Error('the incident is closed');
  if (run.input.mode === 'dry-run') throw new Error('this is a dry run: it runs no clocks');
}

function role(actual: string, allowed: string[], what: string): void {
  if (!allowed.includes(actual)) throw new Error(`a ${actual} may not ${what} (needs ${allowed.join(' or ')})`);
}

function instant(value: string, what: string): number {
  try {
    return toEpochMs(value);
  } catch {
    throw new Error(`${what} "${value}" is not an ISO-8601 instant with a zone (e.g. 2026-11-22T09:30:00Z)`);
  }
}

/** A clock by a regime name a person typed: own properties only, so `constructor` is no regime. */
function ownClock(state: IncidentState, regime: string): IncidentState['clocks'][string] | undefined {
  return Object.hasOwn(state.clocks, regime) ? state.clocks[regime] : undefined;
}
