import type { App } from '@slack/bolt';
import { decide } from './clock-decision';
import { registerSubcommand, UsageError, type OperationsDeps, type SubcommandSpec } from './context';

/** `/ir subjects <id> <regime> notify|exception <reason…>`: the DPO's Art. 34 decision. */
export const SUBJECTS: SubcommandSpec = {
  name: 'subjects',
  usage: 'subjects <incident-id> <regime> notify|exception <how they are told, or the Art. 34(3) ground>',
  summary: 'confirm the proposed notice to the data subjects (Art. 34) or record a 34(3) exception',
  async run(ctx) {
    const [, regime, decision, ...reason] = ctx.args;
    if (regime === undefined || (decision !== 'notify' && decision !== 'exception') || reason.length === 0) {
      throw new UsageError('a regime, `notify` or `exception`, and the reason are required');
    }
    await decide(ctx, 'subjects', (workflowId, by) => ctx.deps.incidents.subjects(workflowId, { ...by, regime: regime.toLowerCase(), decision, reason: reason.join(' ') }));
  },
};

/** Registers `/ir subjects`. */
export function register(app: App, deps: OperationsDeps): void {
  registerSubcommand(app, deps, SUBJECTS);
}
