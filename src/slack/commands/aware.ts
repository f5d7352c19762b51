import type { App } from '@slack/bolt';
import { decide } from './clock-decision';
import { registerSubcommand, UsageError, type OperationsDeps, type SubcommandSpec } from './context';

/** `/ir aware <id> <ISO time> <reason…>`: the determined moment of awareness (DPO or commander). */
export const AWARE: SubcommandSpec = {
  name: 'aware',
  usage: 'aware <incident-id> <ISO time, e.g. 2026-11-22T09:30:00Z> <reason>',
  summary: 'record when the organisation became aware; every deadline anchored on awareness moves',
  async run(ctx) {
    const [, awareAt, ...reason] = ctx.args;
    if (awareAt === undefined || reason.length === 0) throw new UsageError('the time of awareness and the reason are required');
    await decide(ctx, 'aware', (workflowId, by) => ctx.deps.incidents.aware(workflowId, { ...by, awareAt, reason: reason.join(' ') }));
  },
};

/** Registers `/ir aware`. */
export function register(app: App, deps: OperationsDeps): void {
  registerSubcommand(app, deps, AWARE);
}
