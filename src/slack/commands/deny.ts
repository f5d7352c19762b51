import type { App } from '@slack/bolt';
import { registerSubcommand, UsageError, type OperationsDeps, type SubcommandSpec } from './context';
import { decide, pickPending } from './decision';

/** `/ir deny <id> [step] <reason>`. */
export const DENY: SubcommandSpec = {
  name: 'deny',
  usage: 'deny <incident-id> [step] <reason>',
  summary: 'refuse a pending step, with a reason',
  async run(ctx) {
    const workflowId = await ctx.incident();
    const state = await ctx.deps.incidents.state(workflowId);
    // The step is optional and the reason free text: the second word is a step only if one is pending under that name.
    const second = ctx.args[1];
    const named = second !== undefined && state.pendingApprovals.some((a) => a.stepId === second || a.approvalId === second) ? second : undefined;
    const reason = ctx.args.slice(named === undefined ? 1 : 2).join(' ').trim();
    if (reason.length === 0) throw new UsageError('a reason is required');
    await decide(ctx, workflowId, pickPending(state, named), { granted: false, reason });
  },
};

/** Registers `/ir deny`. */
export function register(app: App, deps: OperationsDeps): void {
  registerSubcommand(app, deps, DENY);
}
