import type { App } from '@slack/bolt';
import { registerSubcommand, type OperationsDeps, type SubcommandSpec } from './context';
import { REFUSED_PREFIX } from '../reply-kind';
import { escapeSlackText } from '../mrkdwn';

/** `/ir close <id> [resolution…]`. */
export const CLOSE: SubcommandSpec = {
  name: 'close',
  usage: 'close <incident-id> [resolution]',
  summary: 'close an incident',
  async run(ctx) {
    const workflowId = await ctx.incident();
    if (!(await ctx.authorize('close', { workflowId }))) return;
    const resolution = ctx.args.slice(1).join(' ').trim() || `closed from Slack by ${ctx.userId}`;
    const role = ctx.deps.policy.decide({ userId: ctx.userId, action: 'close', incidentId: workflowId }).role;
    const answer = await ctx.deps.incidents.close(workflowId, { closedBy: ctx.userId, role, resolution });
    await ctx.reply({
      text: answer.accepted
        ? `\`${workflowId}\`: ${escapeSlackText(answer.message)} (${escapeSlackText(resolution)}).`
        : `${REFUSED_PREFIX} \`${workflowId}\` refused: ${escapeSlackText(answer.message)}.`,
    });
  },
};

/** Registers `/ir close`. */
export function register(app: App, deps: OperationsDeps): void {
  registerSubcommand(app, deps, CLOSE);
}
