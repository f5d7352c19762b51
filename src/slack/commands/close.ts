import type { App } from '@slack/bolt';
import { registerSubcommand, waitFor, type OperationsDeps, type SubcommandSpec } from './context';
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
    await ctx.deps.incidents.close(workflowId, { closedBy: ctx.userId, role, resolution });
    const { moved } = await waitFor(() => ctx.deps.incidents.state(workflowId), (s) => s.status === 'closed', ctx.deps.settleMs ?? 3000);
    await ctx.reply({
      text: moved ? `\`${workflowId}\` closed: ${escapeSlackText(resolution)}.` : `Asked \`${workflowId}\` to close; it has not closed yet.`,
    });
  },
};

/** Registers `/ir close`. */
export function register(app: App, deps: OperationsDeps): void {
  registerSubcommand(app, deps, CLOSE);
}
