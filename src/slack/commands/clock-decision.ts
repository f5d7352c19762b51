import type { OpsAction } from '../policy/roles';
import { escapeSlackText } from '../mrkdwn';
import type { CommandContext } from './context';
import type { DecisionAnswer } from './incident-port';

/**
 * The shape every clock decision command shares: authorise first (Cedar), then send the update
 * and answer with the workflow's own acceptance or refusal, word for word.
 */
export async function decide(
  ctx: CommandContext,
  action: OpsAction,
  send: (workflowId: string, decided: { decidedBy: string; role: string }) => Promise<DecisionAnswer>,
): Promise<void> {
  const workflowId = await ctx.incident();
  if (!(await ctx.authorize(action, { workflowId }))) return;
  const role = ctx.deps.policy.decide({ userId: ctx.userId, action, incidentId: workflowId }).role;
  const answer = await send(workflowId, { decidedBy: ctx.userId, role });
  await ctx.reply({ text: answer.accepted ? `:white_check_mark: \`${workflowId}\`: ${escapeSlackText(answer.message)}` : `:no_entry: \`${workflowId}\` refused: ${escapeSlackText(answer.message)}` });
}
