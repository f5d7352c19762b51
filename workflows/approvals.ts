import { condition } from '@temporalio/workflow';
import type { ApprovalRole } from '../src/domain/events';
import type { IncidentCarry } from '../src/domain/step-contract';
import type { ApprovalSignal } from './api';
import { nowIso, WORKFLOW_ACTOR } from './context';
import { ContinueAsNewDue } from './continuation';
import type { Ledger } from './ledger';

type Role = Exclude<ApprovalRole, 'none'>;
type Decision = { granted: true; signal: ApprovalSignal } | { granted: false; signal: ApprovalSignal & { reason: string } };

/**
 * Approvals of gated steps. A request is an `ApprovalRequested` event; the answer arrives by
 * signal and is recorded as `ApprovalGranted{approver}` or `ApprovalDenied{reason}` by the waiter,
 * so the event order is the order the workflow acted in. No answer within the timeout counts as a
 * refusal by the workflow itself.
 */
export class Approvals {
  private readonly answers = new Map<string, Decision>();

  /**
   * @param interrupted True when the incident should continue as new now: a wait gives way with
   *   {@link ContinueAsNewDue} and the next run resumes it (see {@link resume}).
   */
  constructor(
    private readonly ledger: Ledger,
    private readonly timeoutMs: number,
    private readonly interrupted: () => boolean = () => false,
  ) {}

  /** Signal handler: keeps the answer if it is for a pending approval of the right role. */
  receive(decision: Decision): boolean {
    const pending = this.ledger.state?.pendingApprovals.find((a) => a.stepId === decision.signal.stepId);
    if (pending === undefined || pending.role !== decision.signal.role) return false;
    if (!this.answers.has(pending.approvalId)) this.answers.set(pending.approvalId, decision);
    return true;
  }

  /** Whether an answer for the approval has been received (and not yet recorded, or recorded). */
  answered(approvalId: string): boolean {
    return this.answers.has(approvalId);
  }

  /**
   * Asks for an approval and waits for it; returns the approval id and whether it was granted.
   * No answer within the timeout is `expired`: not a refusal by anyone, but something for an
   * operator to decide (ask again, skip, abort), recorded as `ApprovalExpired`.
   */
  async request(stepId: string, role: Role, reason: string, approvalId: string): Promise<{ approvalId: string; granted: boolean; expired?: true }> {
    this.ledger.commit({ type: 'ApprovalRequested', at: nowIso(), actor: WORKFLOW_ACTOR, data: { approvalId, stepId, role, reason } });
    await this.ledger.flush();
    const answered = await condition(() => this.answers.has(approvalId) || this.interrupted(), this.timeoutMs);
    return this.settle(approvalId, stepId, role, answered, this.timeoutMs);
  }

  /**
   * Waits again for an approval an earlier run asked for (continue-as-new), for the time it has
   * left: nothing is asked twice and the deadline does not move.
   */
  async resume(pending: { approvalId: string; stepId: string; role: Role; requestedAt: string }): Promise<{ approvalId: string; granted: boolean; expired?: true }> {
    const left = Math.max(1, Date.parse(pending.requestedAt) + this.timeoutMs - Date.now());
    const answered = await condition(() => this.answers.has(pending.approvalId) || this.interrupted(), left);
    return this.settle(pending.approvalId, pending.stepId, pending.role, answered, this.timeoutMs);
  }

  /** Answers received that no waiter has recorded yet, for the next run. */
  carried(): IncidentCarry['answers'] {
    return [...this.answers.entries()]
      .filter(([approvalId]) => this.ledger.state?.pendingApprovals.some((a) => a.approvalId === approvalId) === true)
      .map(([approvalId, d]) => ({ approvalId, granted: d.granted, signal: d.signal }));
  }

  /** Takes over the answers an earlier run had received and not yet recorded. */
  restore(answers: IncidentCarry['answers']): void {
    for (const a of answers) {
      const reason = a.signal.reason ?? '';
      this.answers.set(a.approvalId, a.granted ? { granted: true, signal: a.signal } : { granted: false, signal: { ...a.signal, reason } });
    }
  }

  /** Records the answer (or the expiry) of a wait; an interrupted wait gives way to the next run. */
  private settle(approvalId: string, stepId: string, role: Role, answered: boolean, waitedMs: number): { approvalId: string; granted: boolean; expired?: true } {
    const answer = this.answers.get(approvalId);
    if (answered && answer === undefined) throw new ContinueAsNewDue();
    if (!answered || answer === undefined) {
      this.ledger.commit({ type: 'ApprovalExpired', at: nowIso(), actor: WORKFLOW_ACTOR, data: { approvalId, stepId, role, waitedMs } });
      return { approvalId, granted: false, expired: true };
    }
    const s = answer.signal;
    const actor = { kind: 'user' as const, id: s.approver };
    if (answer.granted) {
      this.ledger.commit({
        type: 'ApprovalGranted',
        at: nowIso(),
        actor,
        data: { approvalId, stepId, role, approver: s.approver, ...(s.comment ? { comment: s.comment } : {}) },
      });
    } else {
      this.ledger.commit({ type: 'ApprovalDenied', at: nowIso(), actor, data: { approvalId, stepId, role, approver: s.approver, reason: answer.signal.reason } });
    }
    return { approvalId, granted: answer.granted };
  }
}
