import type { ApprovalRole, EventDataMap } from '../src/domain/events';
import { planSteps, type BreakerRule, type PlannedStep } from '../src/domain/runbook';
import type { BreakerSignal, CloseSignal, RefusalSignal } from './api';
import { nowIso, stepActivities, stepInput, type Run } from './context';
import { closeBreakers } from './steps';

/**
 * What people do to a running incident from Slack besides approving steps: open or close a
 * breaker, close the incident, and have their refused commands recorded. Policy was enforced in
 * Slack (Cedar) before the signal was sent; the reducer still has the last word on every event.
 */

type Role = Exclude<ApprovalRole, 'none'>;
type BreakCircuitsStep = Extract<PlannedStep, { action: 'break-circuits' }>;

const ROLES: readonly string[] = ['incident-commander', 'dpo', 'responder'];

/** The signal's role when it is one an approval can carry. */
function approvalRole(role: string): Role | undefined {
  return ROLES.includes(role) ? (role as Role) : undefined;
}

/**
 * Serialises work on the breakers (Slack signals, the break-circuits step, the close step) so
 * that two of them never act on the same breaker at once. Plain promise chaining: deterministic.
 */
export class Lock {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `work` after everything queued before it. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/** `refusal`: an `ActionRefused` event, while the incident is open (afterwards the Slack side only logs it). */
export function recordRefusal(run: Run, signal: RefusalSignal): void {
  if (run.ledger.state === undefined || run.ledger.state.status === 'closed') return;
  const recorded = run.ledger.tryCommit({
    type: 'ActionRefused',
    at: nowIso(),
    actor: { kind: 'user', id: signal.userId },
    data: { userId: signal.userId, role: signal.role, action: signal.action, request: signal.request, refusedAt: signal.at },
  });
  if (recorded) run.ledger.flushInBackground();
}

/**
 * `close`: remembered, then offered to the close step's pending approval if there is one. The
 * close step offers it again each time it asks, so a close sent early applies when it is due.
 */
export function requestClose(run: Run, signal: CloseSignal): void {
  if (run.closeRequest !== undefined || run.ledger.state?.status === 'closed') return;
  const gate = run.input.runbook.steps.find((s) => s.action === 'close')?.approval ?? 'none';
  // Checked now, not when it applies: a request that can never be granted must not block a later one.
  if (approvalRole(signal.role) === undefined || (gate !== 'none' && gate !== signal.role)) {
    run.notify(`Close by ${signal.closedBy} ignored: closing is approved by the ${gate}, not a ${signal.role}.`);
    return;
  }
  run.closeRequest = signal;
  offerClose(run);
}

/** Grants the close step's pending approval with the remembered close request, if both exist. */
export function offerClose(run: Run): boolean {
  const close = run.closeRequest;
  const role = close === undefined ? undefined : approvalRole(close.role);
  const pending = run.ledger.state?.pendingApprovals.find((a) => a.breaker === undefined && stepAction(run, a.stepId) === 'close');
  if (close === undefined || role === undefined || pending === undefined) return false;
  return run.approvals.receive({ granted: true, signal: { stepId: pending.stepId, approver: close.closedBy, role, comment: close.resolution } });
}

/** The resolution of a close request whose approval closed the incident, if that is what happened. */
export function closeResolution(run: Run, approvalId: string): { resolution: string; closedBy: string } | undefined {
  const close = run.closeRequest;
  const decision = run.ledger.open.decisions.find((d) => d.approvalId === approvalId);
  if (close === undefined || decision?.approver !== close.closedBy) return undefined;
  return { resolution: close.resolution, closedBy: close.closedBy };
}

/**
 * `breaker`: closes an open breaker (restoring what opening it added, under an approval recorded
 * for the requester) or re-opens one the runbook defines. Asking for the state a breaker is
 * already in records nothing.
 */
export async function operateBreaker(run: Run, signal: BreakerSignal): Promise<void> {
  if (run.input.mode === 'dry-run') return run.notify(`Breaker "${signal.breaker}" left alone: this is a dry run.`);
  // Own properties only: a breaker name such as `constructor` must not reach Object.prototype.
  const rule = Object.hasOwn(run.input.runbook.breakers, signal.breaker) ? run.input.runbook.breakers[signal.breaker] : undefined;
  if (rule === undefined) return run.notify(`Breaker "${signal.breaker}" is not defined by the runbook; nothing done.`);
  await run.breakerLock.run(async () => {
    const state = run.ledger.state;
    if (state === undefined || state.status === 'closed') return;
    const current = (Object.hasOwn(state.breakers, signal.breaker) ? state.breakers[signal.breaker]?.state : undefined) ?? 'closed';
    if (current === signal.state) return;
    if (signal.state === 'closed') await closeOne(run, signal);
    else await openOne(run, signal, rule);
    await run.ledger.flush();
  });
}

async function closeOne(run: Run, signal: BreakerSignal): Promise<void> {
  const role = approvalRole(signal.role);
  const stepId = Object.keys(run.opened).find((id) => (run.opened[id] ?? []).some((o) => o.breaker === signal.breaker));
  if (role === undefined || stepId === undefined) {
    return run.notify(`Breaker "${signal.breaker}" not closed: ${role === undefined ? `role ${signal.role} cannot approve it` : 'no step of this run opened it'}.`);
  }
  const approvalId = breakerApproval(run, stepId, signal, role);
  if (approvalId === undefined) return;
  const out = await closeBreakers(run, stepId, approvalId, signal.breaker);
  for (const draft of out.events) run.ledger.commit(draft);
  run.opened[stepId] = (run.opened[stepId] ?? []).filter((o) => o.breaker !== signal.breaker);
  run.notify(`Breaker "${signal.breaker}" closed at the request of ${signal.requestedBy}.`);
}

/**
 * Records the requester's approval for closing one breaker: breaker-scoped (`breaker:<name>/<n>`),
 * so it can follow a step that has long completed. Undefined if the reducer refuses it (wrong role).
 */
function breakerApproval(run: Run, stepId: string, signal: BreakerSignal, role: Role): string | undefined {
  const s = run.ledger.open;
  const n = s.decisions.filter((d) => d.breaker === signal.breaker).length + 1;
  const approvalId = `breaker:${signal.breaker}/${n}`;
  const actor = { kind: 'user' as const, id: signal.requestedBy };
  const scope = { approvalId, stepId, role, breaker: signal.breaker };
  if (!run.ledger.tryCommit({ type: 'ApprovalRequested', at: nowIso(), actor, data: { ...scope, reason: `close breaker "${signal.breaker}"` } })) {
    run.notify(`Breaker "${signal.breaker}" not closed: ${signal.role} may not approve it.`);
    return undefined;
  }
  run.ledger.commit({ type: 'ApprovalGranted', at: nowIso(), actor, data: { ...scope, approver: signal.requestedBy } });
  return approvalId;
}

async function openOne(run: Run, signal: BreakerSignal, rule: BreakerRule): Promise<void> {
  const steps = planSteps(run.input.runbook).filter((s): s is BreakCircuitsStep => s.action === 'break-circuits');
  const step = steps.find((s) => s.params.breakers.includes(signal.breaker)) ?? steps[0];
  if (step === undefined) return run.notify(`Breaker "${signal.breaker}" not opened: the runbook has no break-circuits step.`);
  const out = await stepActivities(step).openCircuits({
    ...stepInput(run, step),
    // Its own key: the step's key names the step's opening, whose checkpoint this must not resume.
    stepKey: `${run.input.incidentId}/${step.id}/breaker/${signal.breaker}/${run.ledger.open.lastSeq}`,
    params: { ...step.params, breakers: [signal.breaker] },
    breakers: { [signal.breaker]: rule },
  });
  for (const draft of out.events) run.ledger.commit(draft);
  const opened: Array<EventDataMap['CircuitOpened']> = out.result ?? [];
  run.opened[step.id] = [...(run.opened[step.id] ?? []), ...opened];
  run.notify(`Breaker "${signal.breaker}" opened at the request of ${signal.requestedBy}.`);
}

function stepAction(run: Run, stepId: string): string | undefined {
  return run.input.runbook.steps.find((s) => s.id === stepId)?.action;
}
