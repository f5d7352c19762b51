import type { App } from '@slack/bolt';
import { escapeSlackText } from '../mrkdwn';
import { refreshCard } from './decision';
import { registerSubcommand, UsageError, type CommandContext, type OperationsDeps, type SubcommandSpec } from './context';
import type { DecisionAnswer } from './incident-port';

/**
 * What operators decide when an incident needs attention (a step failed after its retries, an
 * approval expired, the audit topic refused events): `/ir retry`, `/ir skip`, `/ir abort`. Each is
 * an Update, so the reply is the incident's own acceptance or its precise refusal.
 */

/** Sends the decision and answers with what the incident said. */
async function decide(ctx: CommandContext, workflowId: string, send: () => Promise<DecisionAnswer>): Promise<void> {
  const answer = await send();
  if (answer.accepted) await refreshCard(ctx, await ctx.deps.incidents.state(workflowId));
  await ctx.reply({ text: answer.accepted ? `\`${workflowId}\`: ${escapeSlackText(answer.message)}.` : `:warning: \`${workflowId}\` refused: ${escapeSlackText(answer.message)}.` });
}

const roleOf = (ctx: CommandContext, action: 'retry' | 'skip' | 'abort', workflowId: string): string =>
  ctx.deps.policy.decide({ userId: ctx.userId, action, incidentId: workflowId }).role;

/** `/ir retry <id> <step|audit>`. */
export const RETRY: SubcommandSpec = {
  name: 'retry',
  usage: 'retry <incident-id> <step|audit>',
  summary: 'try a step that needs attention again (or resume audit shipping)',
  async run(ctx) {
    const stepId = ctx.args[1];
    if (stepId === undefined || ctx.args.length > 2) throw new UsageError('name exactly one step (or `audit`)');
    const workflowId = await ctx.incident();
    if (!(await ctx.authorize('retry', { workflowId }))) return;
    await decide(ctx, workflowId, () => ctx.deps.incidents.retry(workflowId, { stepId, requestedBy: ctx.userId, role: roleOf(ctx, 'retry', workflowId) }));
  },
};

/** `/ir skip <id> <step> <reason…>`. */
export const SKIP: SubcommandSpec = {
  name: 'skip',
  usage: 'skip <incident-id> <step> <reason>',
  summary: 'skip a step that needs attention, with the reason (incident commander)',
  async run(ctx) {
    const [, stepId, ...words] = ctx.args;
    const reason = words.join(' ').trim();
    if (stepId === undefined || reason === '') throw new UsageError('a step and the reason for skipping it are required');
    const workflowId = await ctx.incident();
    if (!(await ctx.authorize('skip', { workflowId }))) return;
    await decide(ctx, workflowId, () => ctx.deps.incidents.skip(workflowId, { stepId, reason, requestedBy: ctx.userId, role: roleOf(ctx, 'skip', workflowId) }));
  },
};

/** `/ir abort <id> <reason…>`. */
export const ABORT: SubcommandSpec = {
  name: 'abort',
  usage: 'abort <incident-id> <reason>',
  summary: 'abort the incident: undo remediation and close it (incident commander)',
  async run(ctx) {
    const reason = ctx.args.slice(1).join(' ').trim();
    if (reason === '') throw new UsageError('the reason for aborting is required');
    const workflowId = await ctx.incident();
    if (!(await ctx.authorize('abort', { workflowId }))) return;
    await decide(ctx, workflowId, () => ctx.deps.incidents.abort(workflowId, { reason, requestedBy: ctx.userId, role: roleOf(ctx, 'abort', workflowId) }));
  },
};

/** Registers `/ir retry`, `/ir skip` and `/ir abort`. */
export function register(app: App, deps: OperationsDeps): void {
  for (const spec of [RETRY, SKIP, ABORT]) registerSubcommand(app, deps, spec);
}
