import type { App } from '@slack/bolt';
import { pendingDecisionOf, type PendingDecision } from '../../domain/incident-decisions';
import type { IncidentState } from '../../domain/incident';
import { escapeSlackText } from '../mrkdwn';
import { REFUSED_PREFIX } from '../reply-kind';
import { registerSubcommand, UsageError, UserFacingError, type CommandContext, type OperationsDeps, type SubcommandSpec } from './context';
import { refreshCard } from './decision';

/**
 * `/ir decide <incident> <step> <answer> [reason]` (wait-for, issue 17): answers the question a
 * `wait-for` step asked. Permission: the `approve` permission on a step gated on the question's
 * role (the policies that let someone approve such a step let them decide it); checked before
 * anything is looked up, so a refusal reads the same for existing and unknown incidents.
 */
export const DECIDE: SubcommandSpec = {
  name: 'decide',
  usage: 'decide <incident-id> <step> <answer> [reason]',
  summary: 'answer the question a wait-for step asks (see its message for the answers)',
  action: 'approve',
  async run(ctx) {
    if (ctx.args.length < 3) throw new UsageError('an incident id, a step and an answer are required');
    const workflowId = await ctx.incident();
    const [, stepId = '', answer = '', ...rest] = ctx.args;
    const reason = rest.join(' ').trim();
    const state = await ctx.deps.incidents.state(workflowId);
    await answerQuestion(ctx, workflowId, pendingOf(state, stepId), answer, reason === '' ? undefined : reason);
  },
};

/** The question `stepId` asked, or a plain answer saying what is pending instead. */
export function pendingOf(state: IncidentState, stepId: string): PendingDecision {
  const pending = pendingDecisionOf(state, stepId);
  if (pending !== undefined) return pending;
  const open = state.pendingDecisions ?? [];
  const list = open.length === 0 ? 'No question is waiting for an answer.' : `Waiting: ${open.map((d) => `\`${d.stepId}\` (${d.options.join(' / ')})`).join(', ')}.`;
  throw new UserFacingError(`Step \`${escapeSlackText(stepId)}\` of \`${state.incidentId}\` asks nothing now. ${list}`);
}

/**
 * Checks the policies for the question's role, sends the answer as an Update (the incident
 * answers once it has recorded it, or refuses with its reason), refreshes the card and answers.
 * Shared by `/ir decide` and the answer buttons.
 */
export async function answerQuestion(ctx: CommandContext, workflowId: string, pending: PendingDecision, answer: string, reason: string | undefined): Promise<void> {
  if (!(await ctx.authorize('approve', { workflowId, stepRole: pending.role }))) return;
  const port = ctx.deps.incidents;
  if (port.decide === undefined) throw new UserFacingError('This breachline cannot send answers to wait-for steps.');
  const result = await port.decide(workflowId, { stepId: pending.stepId, answer, decidedBy: ctx.userId, role: pending.role, ...(reason !== undefined ? { reason } : {}) });
  if (result.accepted) await refreshCard(ctx, await port.state(workflowId));
  await ctx.reply({
    text: result.accepted
      ? `Step \`${pending.stepId}\` of \`${workflowId}\`: <@${ctx.userId}> answered "${escapeSlackText(answer)}"${result.message.includes('the playbook stops') ? '; the playbook stops (the steps up to close are skipped)' : ''}.`
      : `${REFUSED_PREFIX} \`${workflowId}\` refused: ${escapeSlackText(result.message)}.`,
  });
}

/** Registers `/ir decide`. */
export function register(app: App, deps: OperationsDeps): void {
  registerSubcommand(app, deps, DECIDE);
}
