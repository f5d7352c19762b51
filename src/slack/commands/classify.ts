import type { App } from '@slack/bolt';
import { decide } from './clock-decision';
import { registerSubcommand, UsageError, type OperationsDeps, type SubcommandSpec } from './context';

/** `/ir classify <id> major|not-major`: DORA classification (commander). */
export const CLASSIFY: SubcommandSpec = {
  name: 'classify',
  usage: 'classify <incident-id> major|not-major',
  summary: 'classify the incident for DORA (major starts the initial-report clock)',
  async run(ctx) {
    const classification = ctx.args[1]?.toLowerCase();
    if (classification !== 'major' && classification !== 'not-major') throw new UsageError('the classification must be `major` or `not-major`');
    await decide(ctx, 'classify', (workflowId, by) => ctx.deps.incidents.classify(workflowId, { ...by, classification }));
  },
};

/** Registers `/ir classify`. */
export function register(app: App, deps: OperationsDeps): void {
  registerSubcommand(app, deps, CLASSIFY);
}
