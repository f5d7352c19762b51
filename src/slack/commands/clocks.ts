import type { App } from '@slack/bolt';
import { localTime, timeLeft } from '../../domain/regulatory-clock';
import type { ClockView } from '../../../workflows/api';
import { registerSubcommand, type OperationsDeps, type SubcommandSpec } from './context';

/** `/ir clocks <id>`: every regime's stages with due (UTC and local), time left and state. */
export const CLOCKS: SubcommandSpec = {
  name: 'clocks',
  usage: 'clocks <incident-id>',
  summary: 'every regulatory stage: due (UTC and local), time left, state',
  async run(ctx) {
    const workflowId = await ctx.incident();
    if (!(await ctx.authorize('clocks', { workflowId }))) return;
    const views = await ctx.deps.incidents.clocks(workflowId);
    const now = (ctx.deps.now ?? (() => new Date()))().toISOString();
    await ctx.reply({ text: renderClocks(workflowId, views, now) });
  },
};

/** The `/ir clocks` text: one block per regime, one line per stage. */
export function renderClocks(workflowId: string, views: readonly ClockView[], now: string): string {
  if (views.length === 0) return `\`${workflowId}\` runs no regulatory clock.`;
  const blocks = views.map((v) => {
    const head = `*${v.regime.toUpperCase()}* (${v.authority}) — aware ${v.awarenessAt}${v.awarenessProvisional ? ' (provisional)' : ''}` +
      (v.notNotifiable !== undefined ? ` — not notifiable: ${v.notNotifiable}` : '');
    const lines = v.stages.map((st) => {
      const due = st.due === null ? 'no due yet' : `due ${st.due} UTC (${localTime(st.due, v.timeZone)})${st.state === 'pending' || st.state === 'missed' ? `, ${timeLeft(st.due, now)}` : ''}`;
      return `• \`${st.stage}\`: ${due} — *${st.state}*${st.filings > 1 ? ` (${st.filings} filings)` : ''}\n    _${st.rule}_`;
    });
    return [head, ...lines].join('\n');
  });
  return `Regulatory clocks of \`${workflowId}\`\n${blocks.join('\n')}`;
}

/** Registers `/ir clocks`. */
export function register(app: App, deps: OperationsDeps): void {
  registerSubcommand(app, deps, CLOCKS);
}
