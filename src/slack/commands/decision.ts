import type { IncidentState, PendingApproval } from '../../domain/incident';
import { postOrUpdateIncidentCard } from '../cards/card-conversation';
import { UsageError, UserFacingError, type CommandContext } from './context';
import { REFUSED_PREFIX } from '../reply-kind';
import { escapeSlackText } from '../mrkdwn';

/**
 * The pending approval a decision is about: the one named (by step id or approval id), or the
 * only one pending when none is named.
 */
export function pickPending(state: IncidentState, named: string | undefined): PendingApproval {
  const pending = state.pendingApprovals;
  if (named !== undefined) {
    const hit = pending.find((a) => a.stepId === named || a.approvalId === named);
    if (hit !== undefined) return hit;
    throw new UserFacingError(`No approval pending for step \`${escapeSlackText(named)}\` of \`${state.incidentId}\`. ${pendingList(pending)}`);
  }
  const [only, ...rest] = pending;
  if (only === undefined) throw new UserFacingError(`Nothing waits for approval on \`${state.incidentId}\`.`);
  if (rest.length > 0) throw new UsageError(`several steps wait for approval, name one (${pending.map((a) => a.stepId).join(', ')})`);
  return only;
}

function pendingList(pending: readonly PendingApproval[]): string {
  return pending.length === 0 ? 'Nothing is pending.' : `Pending: ${pending.map((a) => `\`${a.stepId}\` (${a.role})`).join(', ')}.`;
}

/** A decision on one pending approval. */
export type Decision = { granted: true } | { granted: false; reason: string };

/**
 * Checks the policy for the step's role, sends the decision as an Update (the incident answers
 * once it has recorded it, or refuses with its reason), refreshes the card if one was posted, and
 * answers. Shared by `/ir approve|deny` and the card's buttons.
 */
export async function decide(ctx: CommandContext, workflowId: string, pending: PendingApproval, decision: Decision): Promise<IncidentState | undefined> {
  const action = decision.granted ? 'approve' : 'deny';
  if (!(await ctx.authorize(action, { workflowId, stepRole: pending.role }))) return undefined;
  const request = { stepId: pending.stepId, approver: ctx.userId, role: pending.role };
  const answer = decision.granted
    ? await ctx.deps.incidents.approve(workflowId, request)
    : await ctx.deps.incidents.deny(workflowId, { ...request, reason: decision.reason });
  const state = await ctx.deps.incidents.state(workflowId);
  if (answer.accepted) await refreshCard(ctx, state);
  const verb = decision.granted ? 'approved' : `denied (${escapeSlackText(decision.reason)})`;
  await ctx.reply({
    text: answer.accepted
      ? `Step \`${pending.stepId}\` of \`${workflowId}\` ${verb} by <@${ctx.userId}>.`
      : `${REFUSED_PREFIX} \`${workflowId}\` refused: ${escapeSlackText(answer.message)}.`,
  });
  return state;
}

/** Edits the incident's card if this app posted one; a failure here never fails the command. */
export async function refreshCard(ctx: CommandContext, state: IncidentState): Promise<void> {
  const cards = ctx.deps.cards;
  if (cards === undefined || cards.store.get(state.incidentId) === undefined) return;
  try {
    await postOrUpdateIncidentCard(cards, state);
  } catch (err) {
    ctx.deps.logger.warn({ err, incidentId: state.incidentId }, 'could not refresh the incident card');
  }
}
