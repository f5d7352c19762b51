import type { App, types } from '@slack/bolt';
import { renderIncidentCard } from '../cards/incident-card';
import { escapeBlocks, escapeSlackText } from '../mrkdwn';
import { registerSubcommand, type OperationsDeps, type SubcommandSpec } from './context';

/** `/ir status <id>`: the incident card, for the asker only. */
export const STATUS: SubcommandSpec = {
  name: 'status',
  usage: 'status <incident-id>',
  summary: 'show an incident: status, steps, forensic totals, clocks',
  async run(ctx) {
    const workflowId = await ctx.incident();
    if (!(await ctx.authorize('status', { workflowId }))) return;
    const [state, progress] = await Promise.all([
      ctx.deps.incidents.state(workflowId),
      // Issue 13: a run that cannot answer the query (older build) still shows its card.
      ctx.deps.incidents.evidenceProgress?.(workflowId).catch(() => null) ?? Promise.resolve(null),
    ]);
    const card = renderIncidentCard(state, progress);
    // The card holds people's words (notes, tasks, reasons): escaped as the conversation port does.
    await ctx.reply({ text: escapeSlackText(card.text), blocks: escapeBlocks(card.blocks ?? []) as unknown as types.KnownBlock[] });
  },
};

/** Registers `/ir status`. */
export function register(app: App, deps: OperationsDeps): void {
  registerSubcommand(app, deps, STATUS);
}
