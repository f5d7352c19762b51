import { CancellationScope, ChildWorkflowCancellationType, condition, getExternalWorkflowHandle, ParentClosePolicy, startChild } from '@temporalio/workflow';
import type { IncidentState } from '../src/domain/incident';
import type { RegimeRule } from '../src/domain/runbook';
import { regimeSettled, stageDues, stageStanding } from '../src/domain/incident-clocks';
import { dataSubjectDecision, entityOf, regimeDefinition, regimeFacts } from '../src/domain/regulatory-clock';
import { computeStages } from '../src/domain/regimes/calculator';
import type { RegimeDefinition, StageDue } from '../src/domain/regimes/types';
import { regulatoryClockWorkflowId } from './api';
import { nowIso, WORKFLOW_ACTOR, type Run } from './context';
import { incidentChannel } from './incident-steps';
import { clockFactsSignal, clockStopSignal, RegulatoryClockWorkflow } from './regulatory-clock';
import { exposure } from './steps';

export { registerClockHandlers } from './clock-decisions';

/**
 * The incident's side of the regulatory clocks. Every regime the runbook names starts when the
 * incident opens, from the alert's time as provisional awareness, as a clock workflow of its own
 * that no step failure, cancellation or termination of the incident can stop. The incident keeps
 * the record (events, dues) and tells each clock when its facts change; the clock keeps time.
 */

/** Per incident run: when each clock workflow has started (signals wait for it). */
const started = new WeakMap<Run, Map<string, Promise<void>>>();

/** How often the Art. 34 decision is asked for while it is outstanding ("without undue delay"). */
const ART34_REMINDER_MS = 12 * 3_600_000;

/** The calculator's stages of a regime, with the definition's `phased` flag carried along. */
export function computeDues(def: RegimeDefinition, run: Run, regime: string): Array<StageDue & { phased?: boolean }> {
  const facts = regimeFacts(run.ledger.open, regime, run.input.alert.observedAt);
  return computeStages(def, facts, entityOf(run.input.runbook, regime)).stages.map((st) => ({
    ...st,
    ...(def.stages.find((d) => d.name === st.stage)?.phased ? { phased: true } : {}),
  }));
}

/**
 * Called once, right after the incident opens: records each regime's clock with its dues and
 * starts its clock workflow (parent-close ABANDON, outside any cancellable scope). A dry run
 * starts none: it changes nothing anywhere, and reminders would be a change.
 */
export function startClocks(run: Run): void {
  if (run.input.mode === 'dry-run') return;
  const handles = new Map<string, Promise<void>>();
  started.set(run, handles);
  for (const [regime, rule] of Object.entries(run.input.runbook.regimes)) {
    const def = regimeDefinition(regime, rule);
    // From the incident id, not the workflow id: a re-opened fingerprint (`incident-<fp>.<n>`) runs under
    // the same workflow id as its predecessor, whose clocks may still be running.
    const workflowId = regulatoryClockWorkflowId(run.input.incidentId, regime);
    run.ledger.commit({
      type: 'RegulatoryClockStarted',
      at: nowIso(),
      actor: WORKFLOW_ACTOR,
      data: { regime, authority: rule.authority, awarenessAt: run.input.alert.observedAt, workflowId, stages: stageDues(computeDues(def, run, regime)) },
    });
    run.clocks[regime] = { workflowId };
    const input = {
      incidentId: run.input.incidentId,
      parentWorkflowId: run.workflowId,
      regime,
      definition: def,
      entity: entityOf(run.input.runbook, regime),
      facts: regimeFacts(run.ledger.open, regime, run.input.alert.observedAt),
      channel: incidentChannel(run),
      authority: rule.authority,
    };
    const starting = CancellationScope.nonCancellable(() =>
      startChild(RegulatoryClockWorkflow, {
        workflowId,
        args: [input],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        cancellationType: ChildWorkflowCancellationType.ABANDON,
      }),
    ).then(() => undefined);
    handles.set(regime, starting);
    // Awaited before the incident returns, so the start is never lost with the run.
    run.background.push(starting.catch(() => undefined));
  }
  watchForDataSubjects(run);
}

/**
 * A run that continues an incident (continue-as-new) adopts the clocks an earlier run started:
 * they run on (parent-close ABANDON) and are reached by their ids, so nothing starts again.
 */
export function adoptClocks(run: Run): void {
  if (run.input.mode === 'dry-run') return;
  started.set(run, new Map(Object.keys(run.clocks).map((regime) => [regime, Promise.resolve()])));
  watchForDataSubjects(run, true);
}

/**
 * Recomputes every regime's dues after a fact changed: records `DeadlinesRecomputed` where a due
 * moved, and sends every running clock its new facts (a filing changes them too).
 */
export function recomputeClocks(run: Run, cause: string): void {
  const state = run.ledger.open;
  for (const [regime, rule] of Object.entries(run.input.runbook.regimes)) {
    const clock = state.clocks[regime];
    if (clock === undefined || clock.notNotifiable !== undefined) continue;
    const dues = computeDues(regimeDefinition(regime, rule), run, regime);
    const moved = dues.some((d) => clock.stages.find((st) => st.stage === d.stage)?.due !== d.due);
    if (moved) run.ledger.commit({ type: 'DeadlinesRecomputed', at: nowIso(), actor: WORKFLOW_ACTOR, data: { regime, cause, stages: stageDues(dues) } });
    const facts = regimeFacts(run.ledger.open, regime, run.input.alert.observedAt);
    tellClock(run, regime, (h) => h.signal(clockFactsSignal, facts));
  }
}

/** Stops one regime's clock (not notifiable, or the incident closed under its rules). */
export function stopClock(run: Run, regime: string, reason: string): void {
  tellClock(run, regime, (h) => h.signal(clockStopSignal, reason));
}

/** Signals a clock once it has started; a clock that has already ended needs nothing. */
function tellClock(run: Run, regime: string, send: (h: ReturnType<typeof getExternalWorkflowHandle>) => Promise<void>): void {
  const workflowId = run.clocks[regime]?.workflowId;
  const starting = started.get(run)?.get(regime);
  if (workflowId === undefined || starting === undefined) return;
  const sending = starting.then(() => send(getExternalWorkflowHandle(workflowId))).catch(() => undefined);
  run.background.push(sending);
}

/** Close rule: every regime settled (each stage with a known due filed, or the regime not notifiable). */
export function clocksSettled(run: Run): boolean {
  return Object.values(run.ledger.state?.clocks ?? {}).every(regimeSettled);
}

/** The incident closed under its close rules: every clock stops. */
export function stopAllClocks(run: Run, reason: string): void {
  for (const regime of Object.keys(run.clocks)) stopClock(run, regime, reason);
}

/**
 * A false positive closes every open regime as not notifiable, with the declared reason, and
 * stops its clock (called before `IncidentClosed`).
 */
export function notNotifiableOnFalsePositive(run: Run, declaredBy: string, reason: string): void {
  for (const clock of Object.values(run.ledger.open.clocks)) {
    // Open = something still owed or still to be decided (a stage without a filing, due known or not).
    if (clock.notNotifiable !== undefined || clock.stages.every((st) => st.filings.length > 0)) continue;
    run.ledger.commit({ type: 'RegimeNotNotifiable', at: nowIso(), actor: { kind: 'user', id: declaredBy }, data: { regime: clock.regime, reasoning: `false positive: ${reason}` } });
  }
  stopAllClocks(run, 'false positive');
}

/**
 * Art. 34: once the forensic window is established, proposes the data-subject notice from the
 * figures (per the runbook's rule) and reminds the DPO until they confirm it or record a 34(3)
 * exception. Floats on its own: an incident that never gets a window is not held open by it.
 */
function watchForDataSubjects(run: Run, resumed = false): void {
  const rules = Object.entries(run.input.runbook.regimes).filter(([, r]) => r.notifyDataSubjectsWhen !== undefined);
  if (rules.length === 0) return;
  // A run that continued as new after the window was established: an earlier run proposed already.
  const proposedBefore = resumed && Object.keys(run.ledger.state?.forensicWindows ?? {}).length > 0;
  const watching = (async () => {
    await condition(() => run.ledger.state?.status === 'closed' || Object.keys(run.ledger.state?.forensicWindows ?? {}).length > 0);
    if (run.ledger.open.status === 'closed') return;
    const proposed = proposedBefore ? rules.map(([regime]) => regime).filter((r) => run.ledger.open.clocks[r]?.dataSubjectNotification !== undefined) : propose(run, rules);
    if (proposed.length === 0) return;
    if (!proposedBefore) run.ledger.flushInBackground();
    let remind = !proposedBefore;
    const outstanding = () => proposed.filter((r) => {
      const c = run.ledger.state?.clocks[r];
      return c !== undefined && c.dataSubjectDecision === undefined && c.dataSubjectsNotified === undefined && c.notNotifiable === undefined;
    });
    while (run.ledger.state?.status !== 'closed' && outstanding().length > 0) {
      if (remind) run.notify(
        `Art. 34: notifying the data subjects is proposed (${outstanding().join(', ')}); the DPO confirms it or records a 34(3) exception ` +
          `without undue delay: \`/ir subjects ${run.input.incidentId} <regime> notify|exception <reason>\`.`,
      );
      remind = true;
      await condition(() => outstanding().length === 0 || run.ledger.state?.status === 'closed', ART34_REMINDER_MS);
    }
  })();
  watching.catch(() => undefined);
}

/** Records the Art. 34 proposal of every regime whose rule the forensic figures meet; returns those regimes. */
function propose(run: Run, rules: Array<[string, RegimeRule]>): string[] {
  const figures = exposure(Object.values(run.ledger.open.forensicWindows));
  const proposed: string[] = [];
  for (const [regime, rule] of rules) {
    if (rule.notifyDataSubjectsWhen === undefined || run.ledger.open.clocks[regime] === undefined) continue;
    const decision = dataSubjectDecision(rule.notifyDataSubjectsWhen, figures);
    if (!decision.required) continue;
    run.ledger.commit({
      type: 'DataSubjectNotificationRequired',
      at: nowIso(),
      actor: WORKFLOW_ACTOR,
      data: { regime, dataSubjects: figures.dataSubjects, piiCategories: decision.categories, reasons: decision.reasons },
    });
    proposed.push(regime);
  }
  return proposed;
}

/** What the regulatory clocks still owe when the incident closes (its open items). */
export function clockOpenItems(s: IncidentState): string[] {
  const items: string[] = [];
  for (const c of Object.values(s.clocks)) {
    for (const st of c.stages) {
      const standing = stageStanding(c, st);
      if (standing === 'pending' && st.due !== null) items.push(`${c.regime.toUpperCase()} ${st.stage}: not filed (due ${st.due})`);
      if (standing === 'missed') items.push(`${c.regime.toUpperCase()} ${st.stage}: not filed (due ${st.due ?? '?'} missed)`);
    }
    if (c.dataSubjectNotification !== undefined && c.dataSubjectsNotified === undefined && c.dataSubjectDecision?.decision !== 'exception') {
      items.push(`${c.regime.toUpperCase()}: ${c.dataSubjectNotification.dataSubjects} data subjects to be notified (Art. 34)`);
    }
  }
  return items;
}

/** One line per regime for the status message: its next due, or how it ended. */
export function clockSummary(s: IncidentState): string {
  return Object.values(s.clocks)
    .map((c) => `${c.regime.toUpperCase()} ${c.notNotifiable !== undefined ? 'not notifiable' : c.deadlineAt !== null ? `next due ${c.deadlineAt}` : 'no due yet'}`)
    .join('; ');
}
