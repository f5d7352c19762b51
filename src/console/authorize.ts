import type { PolicyEngine } from '../slack/policy/cedar-policy';
import type { RefusalRecorder } from '../slack/policy/refusals';
import { OPS_ROLES, type OpsAction, type OpsRole } from '../slack/policy/roles';
import { refusalText } from '../slack/commands/context';
import { REFUSED_PREFIX } from '../slack/reply-kind';
import { HttpError } from './http-kit';

/**
 * The console asks the same Cedar policies, through the same engine, as the Slack commands, and
 * refuses with the same sentence (without Slack's emoji), recorded the same way.
 */
export class ConsoleAuthorizer {
  constructor(
    private readonly policy: PolicyEngine,
    private readonly refusals: RefusalRecorder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The user's role, `none` when config names none. */
  roleOf(userId: string): OpsRole | 'none' {
    return this.policy.decide({ userId, action: 'help' }).role;
  }

  /** Whether the policies allow it (no side effect). */
  allows(userId: string, action: OpsAction, target: { workflowId?: string; stepRole?: string } = {}): boolean {
    return this.policy.decide({ userId, action, incidentId: target.workflowId, stepRole: target.stepRole }).allowed;
  }

  /**
   * Throws a 403 with the policies' refusal unless allowed; the refusal is recorded (and handed to
   * the incident when `workflowId` names one). `request` is what the user asked, for the record.
   */
  async require(userId: string, action: OpsAction, request: string, target: { workflowId?: string; stepRole?: string } = {}): Promise<void> {
    const decision = this.policy.decide({ userId, action, incidentId: target.workflowId, stepRole: target.stepRole });
    if (decision.allowed) return;
    await this.refuse(userId, decision.role, action, request, target.workflowId, target.stepRole);
  }

  /**
   * Before an incident is looked up: may the user attempt `action` on the id as typed (for approve
   * and deny, on a step of any role)? The answer and its text cannot depend on whether the incident
   * exists, so a refused user learns nothing about incidents (as in Slack); only the record, which
   * the user never sees, is tied to the incident through `resolve`.
   */
  async requireAttempt(userId: string, action: OpsAction, incidentRef: string, request: string, resolve?: () => Promise<string | undefined>): Promise<void> {
    const roles = action === 'approve' || action === 'deny' ? OPS_ROLES : [undefined];
    let role: OpsRole | 'none' = 'none';
    for (const stepRole of roles) {
      const d = this.policy.decide({ userId, action, incidentId: incidentRef, stepRole });
      if (d.allowed) return;
      role = d.role;
    }
    const workflowId = resolve === undefined ? undefined : await resolve().catch(() => undefined);
    await this.refuse(userId, role, action, request, workflowId);
  }

  private async refuse(userId: string, role: OpsRole | 'none', action: OpsAction, request: string, workflowId: string | undefined, stepRole?: string): Promise<never> {
    await this.refusals.record({ userId, role, action, ...(workflowId !== undefined ? { workflowId } : {}), request, at: this.now().toISOString() });
    throw new HttpError(403, withoutSlackPrefix(refusalText(action, role, stepRole)));
  }
}

function withoutSlackPrefix(text: string): string {
  return text.startsWith(REFUSED_PREFIX) ? text.slice(REFUSED_PREFIX.length).trimStart() : text;
}
