import type { App } from '@slack/bolt';
import { decide } from './clock-decision';
import { registerSubcommand, UsageError, type OperationsDeps, type SubcommandSpec } from './context';

/** The word that starts the reason for a late filing: `… late: the DPO was unreachable`. */
const LATE_MARK = 'late:';

/**
 * `/ir notify <id> <regime> <stage> <reference> [late: <reason…>]`: one stage filed with the
 * authority. The workflow's `file` update accepts it (phased stages take supplementary filings)
 * or refuses it with its reason, which is recorded on the incident too.
 */
export const NOTIFY: SubcommandSpec = {
  name: 'notify',
  usage: 'notify <incident-id> <regime> <stage> <authority-reference> [late: <reason for the delay>]',
  summary: 'record a stage filed with a regulator (e.g. gdpr authority, dora initial, nis2 early-warning)',
  async run(ctx) {
    const [, regimeArg, stage, reference, ...rest] = ctx.args;
    if (regimeArg === undefined || stage === undefined || reference === undefined) throw new UsageError("a regime, a stage and the authority's reference are required");
    const lateAt = rest.findIndex((w) => w.toLowerCase() === LATE_MARK);
    if (lateAt < 0 && rest.length > 0) throw new UsageError(`unexpected \`${rest.join(' ')}\`: a late filing's reason follows \`${LATE_MARK}\``);
    const lateReason = lateAt < 0 ? undefined : rest.slice(lateAt + 1).join(' ').trim();
    if (lateReason === '') throw new UsageError('`late:` needs the reason for the delay after it');
    await decide(ctx, 'notify', (workflowId, by) =>
      ctx.deps.incidents.file(workflowId, {
        regime: regimeArg.toLowerCase(),
        stage: stage.toLowerCase(),
        reference,
        filer: by.decidedBy,
        role: by.role,
        ...(lateReason !== undefined ? { lateReason } : {}),
      }),
    );
  },
};

/** Registers `/ir notify`. */
export function register(app: App, deps: OperationsDeps): void {
  registerSubcommand(app, deps, NOTIFY);
}
