import type { App } from '@slack/bolt';
import { registerSubcommand, UsageError, type OperationsDeps, type SubcommandSpec } from './context';
import { decide, pickPending } from './decision';

/** `/ir approve <id> [step]`. */
export const APPROVE: SubcommandSpec = {
  name: 'approve',
  usage: 'approve <incident-id> [step]',
  summary: 'approve a pending step (the only one, or the one named)',
  async run(ctx) {
    if (ctx.args.length > 2) throw new UsageError('too many arguments');
    const workflowId = await ctx.incident();
    const pending = pickPending(await ctx.deps.incidents.state(workflowId), ctx.args[1]);
    await decide(ctx, workflowId, pending, { granted: true });
  },
};

/** Registers `/ir approve`. */
export function register(app: App, deps: OperationsDeps): void {
  registerSubcommand(app, deps, APPROVE);
}
