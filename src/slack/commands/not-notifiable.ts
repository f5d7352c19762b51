import type { App } from '@slack/bolt';
import { decide } from './clock-decision';
import { registerSubcommand, UsageError, type OperationsDeps, type SubcommandSpec } from './context';

/** `/ir not-notifiable <id> <regime> <reasoning…>`: Art. 33(1)/(5), documented (DPO or commander). */
export const NOT_NOTIFIABLE: SubcommandSpec = {
  name: 'not-notifiable',
  usage: 'not-notifiable <incident-id> <regime> <reasoning>',
  summary: "record that a regime is not notifiable, with the reasoning; ends that regime's clock",
  async run(ctx) {
    const [, regime, ...reasoning] = ctx.args;
    if (regime === undefined || reasoning.length === 0) throw new UsageError('a regime and the reasoning are required');
    await decide(ctx, 'not-notifiable', (workflowId, by) =>
      ctx.deps.incidents.notNotifiable(workflowId, { ...by, regime: regime.toLowerCase(), reasoning: reasoning.join(' ') }),
    );
  },
};

/** Registers `/ir not-notifiable`. */
export function register(app: App, deps: OperationsDeps): void {
  registerSubcommand(app, deps, NOT_NOTIFIABLE);
}
