import type { App } from '@slack/bolt';
import type { IncidentState } from '../../domain/incident';
import { escapeSlackText } from '../mrkdwn';
import { REFUSED_PREFIX } from '../reply-kind';
import { refreshCard } from './decision';
import { registerSubcommand, UsageError, UserFacingError, type CommandContext, type OperationsDeps, type SubcommandSpec } from './context';

/** `/ir breaker open|close <flow> [incident-id]`. */
export const BREAKER: SubcommandSpec = {
  name: 'breaker',
  usage: 'breaker open|close <flow> [incident-id]',
  summary: 'open or close a circuit breaker of the incident that owns it',
  async run(ctx) {
    const [verb, flow, id] = ctx.args;
    if ((verb !== 'open' && verb !== 'close') || flow === undefined || ctx.args.length > 3) throw new UsageError('say open or close, and which flow');
    // Without an id the owner is searched among running incidents: only someone who may work
    // breakers gets that far, or the answer would list incident ids to anyone.
    if (id === undefined && !(await ctx.authorizeAttempt('breaker'))) return;
    const workflowId = id !== undefined ? await ctx.incident(2) : await owner(ctx, flow);
    if (!(await ctx.authorize('breaker', { workflowId }))) return;
    const want = verb === 'open' ? 'open' : 'closed';
    const shown = escapeSlackText(flow);
    const role = ctx.deps.policy.decide({ userId: ctx.userId, action: 'breaker' }).role;
    // An Update: the incident answers once the breaker has moved, or says why it will not.
    const answer = await ctx.deps.incidents.breaker(workflowId, { breaker: flow, state: want, requestedBy: ctx.userId, role });
    if (answer.accepted) await refreshCard(ctx, await ctx.deps.incidents.state(workflowId));
    const moved = answer.accepted && answer.message === `breaker "${flow}" is now ${want}`;
    await ctx.reply({
      text: !answer.accepted
        ? `${REFUSED_PREFIX} \`${workflowId}\` refused: ${escapeSlackText(answer.message)}.`
        : moved
          ? `Breaker \`${shown}\` of \`${workflowId}\` is now ${want}.`
          : `Breaker \`${shown}\` of \`${workflowId}\`: ${escapeSlackText(answer.message)}.`,
    });
  },
};

/** The running incident whose state names the breaker; the only running incident otherwise. */
async function owner(ctx: CommandContext, flow: string): Promise<string> {
  const running = await ctx.deps.incidents.list();
  const owners: string[] = [];
  for (const i of running) {
    const s = await ctx.deps.incidents.state(i.workflowId);
    if (ownBreaker(s, flow) !== undefined) owners.push(i.workflowId);
  }
  const [only, ...more] = owners;
  if (only !== undefined && more.length === 0) return only;
  if (more.length > 0) throw new UsageError(`several incidents own breaker \`${escapeSlackText(flow)}\` (${owners.join(', ')}), name one`);
  const [single, ...others] = running;
  if (single !== undefined && others.length === 0) return single.workflowId;
  throw new UserFacingError(`No running incident owns breaker \`${escapeSlackText(flow)}\`; name the incident: \`${ctx.deps.commandName} ${BREAKER.usage}\``);
}

/**
 * The incident's breaker of that name, own properties only: a name a user typed such as
 * `constructor` must not find something on `Object.prototype`.
 */
function ownBreaker(s: IncidentState, flow: string): IncidentState['breakers'][string] | undefined {
  return Object.hasOwn(s.breakers, flow) ? s.breakers[flow] : undefined;
}

/** Registers `/ir breaker`. */
export function register(app: App, deps: OperationsDeps): void {
  registerSubcommand(app, deps, BREAKER);
}
