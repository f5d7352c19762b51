import { condition } from '@temporalio/workflow';
import type { ActionName } from '../src/domain/events';
import type { IncidentCarry } from '../src/domain/step-contract';
import type { AbortRequest, DecisionResult, RetryRequest, SkipRequest } from './api';
import { nowIso } from './context';
import { ContinueAsNewDue } from './continuation';
import type { Ledger } from './ledger';

/**
 * Failure is a state, not an end (design §1, failure model). A step that failed after its retries,
 * or whose approval nobody gave in time, puts an item on the incident's attention list (the
 * reducer does that when it folds `StepFailed` / `ApprovalExpired`); the step then waits here for
 * an operator: retry, skip with a reason, or abort the incident. Decisions arrive as Updates whose
 * validators refuse anything the incident is not waiting for, so the caller learns at once why.
 */

/** What an operator decided for one step. */
export type Decision = 'retry' | 'skip' | 'abort';

/** Roles that may skip a step or abort the incident (retry is open to responders too). */
const COMMANDER = 'incident-commander';
const RETRY_ROLES: readonly string[] = [COMMANDER, 'responder'];

/** Decisions taken and not yet picked up by the waiting step. */
export class OperatorDecisions {
  private readonly decided = new Map<string, Exclude<Decision, 'abort'>>();
  /** Set by an accepted abort; the incident workflow cancels the playbook on it. */
  aborted: AbortRequest | undefined;
  private held = false;

  /** @param interrupted True when the incident should continue as new now (see {@link await}). */
  constructor(
    private readonly ledger: Ledger,
    private readonly interrupted: () => boolean = () => false,
  ) {}

  /**
   * Waits for the decision about `stepId`; an abort answers every waiter. An `interruptible` wait
   * (the playbook's own) gives way with {@link ContinueAsNewDue} when the incident continues as new.
   */
  async await(stepId: string, interruptible = false): Promise<Decision> {
    await condition(() => (this.decided.has(stepId) && !this.held) || this.aborted !== undefined || (interruptible && this.interrupted()));
    if (this.aborted !== undefined) return 'abort';
    if (!this.decided.has(stepId)) throw new ContinueAsNewDue();
    const decision = this.decided.get(stepId) ?? 'retry';
    this.decided.delete(stepId);
    return decision;
  }

  /**
   * While the incident switches to a new run (continue-as-new), decisions are kept for that run
   * instead of being picked up here: a retried evidence replay must not start in a run that ends.
   */
  hold(): void {
    this.held = true;
  }

  /** Picks decisions up again after {@link hold} (the run unwinds instead of continuing). */
  release(): void {
    this.held = false;
  }

  /** Whether a decision about `stepId` was taken and no step has picked it up yet. */
  pending(stepId: string): boolean {
    return this.decided.has(stepId);
  }

  /** Decisions not yet picked up, for the next run. */
  carried(): IncidentCarry['decided'] {
    return [...this.decided.entries()].map(([stepId, decision]) => ({ stepId, decision }));
  }

  /** Takes over the decisions an earlier run had not picked up yet. */
  restore(decided: IncidentCarry['decided']): void {
    for (const d of decided) this.decided.set(d.stepId, d.decision);
  }

  /** Validator of `retryStep`: throws the reason for refusing. */
  validateRetry(req: RetryRequest): void {
    this.open();
    if (!RETRY_ROLES.includes(req.role)) throw new Error(`a ${req.role} may not retry steps; ask the incident commander or a responder`);
    this.waiting(req.stepId);
  }

  /** `retryStep`: records the request; the waiting step (or the audit shipping) goes again. */
  retry(req: RetryRequest): DecisionResult {
    const { ledger } = this;
    if (req.stepId === 'audit') {
      ledger.commit({ type: 'AuditShippingResumed', at: nowIso(), actor: { kind: 'user', id: req.requestedBy }, data: { requestedBy: req.requestedBy, role: req.role } });
      ledger.resume();
      return { message: 'audit shipping resumed: pending events are being appended' };
    }
    const step = this.step(req.stepId);
    ledger.commit({
      type: 'StepRetryRequested',
      at: nowIso(),
      actor: { kind: 'user', id: req.requestedBy },
      data: { stepId: step.id, action: step.action, requestedBy: req.requestedBy, role: req.role },
    });
    this.decided.set(step.id, 'retry');
    ledger.flushInBackground();
    return { message: `step "${step.id}" will be tried again` };
  }

  /** Validator of `skipStep`. */
  validateSkip(req: SkipRequest): void {
    this.open();
    if (req.role !== COMMANDER) throw new Error(`only the incident commander may skip a step, not a ${req.role}`);
    if (req.stepId === 'audit') throw new Error('the audit trail cannot be skipped; retry it, or abort the incident');
    if (req.reason.trim() === '') throw new Error('skipping a step needs a reason');
    this.waiting(req.stepId);
  }

  /** `skipStep`: records the skip with its reason; the playbook goes on without the step. */
  skip(req: SkipRequest): DecisionResult {
    const step = this.step(req.stepId);
    this.ledger.commit({
      type: 'StepSkipped',
      at: nowIso(),
      actor: { kind: 'user', id: req.requestedBy },
      data: { stepId: step.id, action: step.action, skippedBy: req.requestedBy, role: req.role, reason: req.reason.trim() },
    });
    this.decided.set(step.id, 'skip');
    this.ledger.flushInBackground();
    return { message: `step "${step.id}" skipped; the playbook goes on` };
  }

  /** Validator of `abort`. */
  validateAbort(req: AbortRequest): void {
    this.open();
    if (req.role !== COMMANDER) throw new Error(`only the incident commander may abort an incident, not a ${req.role}`);
    if (req.reason.trim() === '') throw new Error('aborting an incident needs a reason');
    if (this.aborted !== undefined) throw new Error(`the incident is already being aborted by ${this.aborted.requestedBy}`);
  }

  /** `abort`: recorded at once; the workflow then cancels the playbook and unwinds the saga. */
  abort(req: AbortRequest): DecisionResult {
    this.ledger.commit({
      type: 'IncidentAborted',
      at: nowIso(),
      actor: { kind: 'user', id: req.requestedBy },
      data: { abortedBy: req.requestedBy, role: req.role, reason: req.reason.trim() },
    });
    this.aborted = { ...req, reason: req.reason.trim() };
    return { message: 'incident aborted: remediation is being undone, then the incident closes' };
  }

  private open(): void {
    const state = this.ledger.state;
    if (state === undefined || state.status === 'closed') throw new Error('the incident is closed');
  }

  private waiting(stepId: string): void {
    const items = this.ledger.open.attention;
    if (!items.some((a) => a.stepId === stepId)) {
      const waiting = items.map((a) => `"${a.stepId}"`).join(', ');
      throw new Error(`"${stepId}" is not waiting for a decision${waiting ? `; waiting: ${waiting}` : '; nothing is'}`);
    }
  }

  private step(stepId: string): { id: string; action: ActionName } {
    const step = this.ledger.open.steps.find((s) => s.id === stepId);
    if (step === undefined) throw new Error(`the runbook has no step "${stepId}"`);
    return step;
  }
}
