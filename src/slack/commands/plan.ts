import type { App } from '@slack/bolt';
import { registerSubcommand, type OperationsDeps, type SubcommandSpec } from './context';

/** `/ir plan <id>`: the runbook's steps, who gates them, and (dry run) what each would change. */
export const PLAN: SubcommandSpec = {
  name: 'plan',
  usage: 'plan <incident-id>',
  summary: 'show the planned steps and, in a dry run, the changes they would make',
  async run(ctx) {
    const workflowId = await ctx.incident();
    if (!(await ctx.authorize('plan', { workflowId }))) return;
    const s = await ctx.deps.incidents.state(workflowId);
    const lines: string[] = [];
    for (const [i, step] of s.steps.entries()) {
      const gate = step.approval === 'none' ? '' : `, approval by ${step.approval}`;
      lines.push(`${i + 1}. \`${step.id}\` (${step.action}${gate}) — ${step.status}`);
      for (const c of step.plannedChanges ?? []) lines.push(`    ◦ ${c.kind} ${c.target}: ${c.description}`);
    }
    const mode = s.mode === 'dry-run' ? 'dry run: nothing is changed' : s.mode;
    await ctx.reply({ text: `Plan of \`${workflowId}\` (runbook ${s.runbook.id} v${s.runbook.version}, ${mode}):\n${lines.join('\n')}` });
  },
};

/** Registers `/ir plan`. */
export function register(app: App, deps: OperationsDeps): void {
  registerSubcommand(app, deps, PLAN);
}
