import type { App } from '@slack/bolt';
import { CronExpressionParser } from 'cron-parser';
import { registerSubcommand, UsageError, type OperationsDeps, type SubcommandSpec } from './context';

/** `/ir drill start <scenario> | schedule <cron (5 fields)> <scenario> | list`. */
export const DRILL: SubcommandSpec = {
  name: 'drill',
  usage: 'drill start <scenario> | drill schedule <m h dom mon dow> <scenario> | drill list',
  summary: 'run, schedule or list tabletop drills (sandbox only)',
  async run(ctx) {
    const [verb, ...rest] = ctx.args;
    const drills = ctx.deps.drills;
    if (verb === 'list' && rest.length === 0) {
      if (!(await ctx.authorize('drill-list'))) return;
      const all = await drills.list();
      const lines = all.map((d) => `• \`${d.id}\` ${d.scenario} — ${d.status}${d.cron ? ` (\`${d.cron}\`)` : ''}${d.at ? ` ${d.at}` : ''}`);
      await ctx.reply({ text: all.length === 0 ? 'No drills running or scheduled.' : `Drills:\n${lines.join('\n')}` });
      return;
    }
    if (verb === 'start' && rest.length === 1 && rest[0] !== undefined) {
      if (!(await ctx.authorize('drill-run'))) return;
      const d = await drills.start(rest[0]);
      await ctx.reply({ text: `Drill \`${d.id}\` of ${d.scenario} started (${d.status}).` });
      return;
    }
    if (verb === 'schedule' && rest.length === 6) {
      const scenario = rest[5] as string;
      const cron = rest.slice(0, 5).join(' ');
      try {
        CronExpressionParser.parse(cron);
      } catch (err) {
        throw new UsageError(`\`${cron}\` is not a cron expression (${(err as Error).message})`);
      }
      if (!(await ctx.authorize('drill-run'))) return;
      const d = await drills.schedule(cron, scenario);
      await ctx.reply({ text: `Drill of ${d.scenario} scheduled as \`${d.id}\` (\`${cron}\`)${d.at ? `, next run ${d.at}` : ''}.` });
      return;
    }
    throw new UsageError('say start, schedule or list');
  },
};

/** Registers `/ir drill`. */
export function register(app: App, deps: OperationsDeps): void {
  registerSubcommand(app, deps, DRILL);
}
