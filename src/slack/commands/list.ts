import type { App } from '@slack/bolt';
import { registerSubcommand, type OperationsDeps, type SubcommandSpec } from './context';

/** `/ir list`: the running incidents, where people are needed first. */
export const LIST: SubcommandSpec = {
  name: 'list',
  usage: 'list',
  summary: 'list the running incidents',
  async run(ctx) {
    if (!(await ctx.authorize('list'))) return;
    const incidents = await ctx.deps.incidents.list();
    if (incidents.length === 0) {
      await ctx.reply({ text: 'No incident is running.' });
      return;
    }
    const lines = incidents.map(
      (i) => `• \`${i.incidentId}\` ${i.severity} — ${i.title} — *${i.status}*${i.pendingApprovals > 0 ? ` — :raised_hand: ${i.pendingApprovals} approval(s) pending` : ''}`,
    );
    await ctx.reply({ text: `${incidents.length} running incident(s):\n${lines.join('\n')}` });
  },
};

/** Registers `/ir list`. */
export function register(app: App, deps: OperationsDeps): void {
  registerSubcommand(app, deps, LIST);
}
