import type { App } from '@slack/bolt';
import { escapeSlackText } from '../mrkdwn';
import { registerSubcommand, UsageError, waitFor, type OperationsDeps, type SubcommandSpec } from './context';

/** The word that starts the reason for a late filing: `… late: the DPO was unreachable`. */
const LATE_MARK = 'late:';

/** `/ir notify <id> <regime> <authority-reference> [authority…] [late: <reason…>]`: a filing made with a regulator. */
export const NOTIFY: SubcommandSpec = {
  name: 'notify',
  usage: 'notify <incident-id> <regime> <authority-reference> [authority name] [late: <reason for the delay>]',
  summary: "record a regulatory notification filed with the authority (e.g. gdpr's Art. 33)",
  async run(ctx) {
    const [, regimeArg, reference, ...rest] = ctx.args;
    if (regimeArg === undefined || reference === undefined) throw new UsageError('a regime and the authority\'s reference are required');
    const lateAt = rest.findIndex((w) => w.toLowerCase() === LATE_MARK);
    const authorityWords = lateAt < 0 ? rest : rest.slice(0, lateAt);
    const lateReason = lateAt < 0 ? undefined : rest.slice(lateAt + 1).join(' ').trim();
    if (lateReason === '') throw new UsageError('`late:` needs the reason for the delay after it');
    const regime = regimeArg.toLowerCase();
    const workflowId = await ctx.incident();
    if (!(await ctx.authorize('notify', { workflowId }))) return;
    const authority = authorityWords.join(' ').trim() || `${regime.toUpperCase()} supervisory authority`;
    await ctx.deps.incidents.fileNotification(workflowId, {
      regime,
      recipient: 'supervisory-authority',
      authority,
      reference,
      filer: ctx.userId,
      ...(lateReason !== undefined ? { lateReason } : {}),
    });
    const { value: state, moved } = await waitFor(
      () => ctx.deps.incidents.state(workflowId),
      (s) => (Object.hasOwn(s.clocks, regime) ? s.clocks[regime] : undefined)?.filed?.reference === reference,
      ctx.deps.settleMs ?? 3000,
    );
    // Own properties only: a regime typed as `constructor` must not reach Object.prototype.
    const filed = Object.hasOwn(state.clocks, regime) ? state.clocks[regime]?.filed : undefined;
    await ctx.reply({
      text:
        moved && filed
          ? `${escapeSlackText(regime.toUpperCase())} notification filed with ${escapeSlackText(filed.authority)} (ref \`${escapeSlackText(reference)}\`) ${filed.late ? 'LATE' : 'on time'}, recorded on \`${workflowId}\`.`
          : `Filing sent to \`${workflowId}\` but not recorded yet: the incident may have no ${escapeSlackText(regime.toUpperCase())} clock, or refused it ` +
            `(a filing after the deadline needs \`${LATE_MARK} <reason>\`; see \`${ctx.deps.commandName} status ${workflowId}\`).`,
    });
  },
};

/** Registers `/ir notify`. */
export function register(app: App, deps: OperationsDeps): void {
  registerSubcommand(app, deps, NOTIFY);
}
