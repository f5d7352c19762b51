import type { App } from '@slack/bolt';
import { decide } from './clock-decision';
import { registerSubcommand, UsageError, type OperationsDeps, type SubcommandSpec } from './context';

/** `/ir material <id> <ISO time>`: SEC 8-K / NYDFS materiality determination (commander). */
export const MATERIAL: SubcommandSpec = {
  name: 'material',
  usage: 'material <incident-id> <ISO time of the determination>',
  summary: 'record the materiality determination (SEC Form 8-K Item 1.05, NYDFS 500.17)',
  async run(ctx) {
    const determinedAt = ctx.args[1];
    if (determinedAt === undefined) throw new UsageError('the time of the determination is required');
    await decide(ctx, 'material', (workflowId, by) => ctx.deps.incidents.material(workflowId, { ...by, determinedAt }));
  },
};

/** Registers `/ir material`. */
export function register(app: App, deps: OperationsDeps): void {
  registerSubcommand(app, deps, MATERIAL);
}
