import type { App } from '@slack/bolt';
import { registerSubcommand, type OperationsDeps, type SubcommandSpec } from './context';

/** Most timeline lines one answer carries; the newest are kept. */
const MAX_LINES = 50;

/** `/ir timeline <id>`: what happened, in order. */
export const TIMELINE: SubcommandSpec = {
  name: 'timeline',
  usage: 'timeline <incident-id>',
  summary: "show an incident's timeline",
  async run(ctx) {
    const workflowId = await ctx.incident();
    if (!(await ctx.authorize('timeline', { workflowId }))) return;
    const entries = await ctx.deps.incidents.timeline(workflowId);
    const shown = entries.slice(-MAX_LINES);
    const skipped = entries.length - shown.length;
    const lines = shown.map((e) => `${e.seq}. ${e.at} — ${e.summary}`);
    const head = `Timeline of \`${workflowId}\` (${entries.length} events${skipped > 0 ? `, the first ${skipped} not shown` : ''}):`;
    await ctx.reply({ text: `${head}\n${lines.join('\n')}` });
  },
};

/** Registers `/ir timeline`. */
export function register(app: App, deps: OperationsDeps): void {
  registerSubcommand(app, deps, TIMELINE);
}
