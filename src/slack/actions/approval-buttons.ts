import type { App, BlockAction, ButtonAction, RespondArguments, types } from '@slack/bolt';
import { renderIncidentCard, APPROVE_ACTION_ID, DENY_ACTION_ID, parseApprovalButtonValue } from '../cards/incident-card';
import { makeContext, type OperationsDeps } from '../commands/context';
import { decide } from '../commands/decision';
import { denyModalView } from './deny-modal';
import { escapeBlocks, escapeSlackText } from '../mrkdwn';

/**
 * Registers the incident card's Approve and Deny buttons. Each click acks at once and checks the
 * clicker against the policies for the step's role. Approve sends the Update, waits for the
 * decision to be recorded and edits the card in place (`chat.update`); Deny opens a modal asking
 * for the reason (`views.open` with the click's trigger_id), whose submission denies.
 */
export function register(app: App, deps: OperationsDeps): void {
  for (const [actionId, granted] of [
    [APPROVE_ACTION_ID, true],
    [DENY_ACTION_ID, false],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, respond, client }) => {
      await ack();
      const ctx = makeContext(deps, {
        userId: body.user.id,
        channelId: body.channel?.id ?? '',
        args: [],
        text: `[card ${granted ? 'approve' : 'deny'} button] ${action.value ?? ''}`,
        // Answers go to the clicker only and must leave the card itself alone.
        respond: async (m) => {
          await respond({ ...m, replace_original: false } as RespondArguments);
        },
      });
      try {
        const value = parseApprovalButtonValue(action.value);
        if (value === undefined) {
          await ctx.reply({ text: 'This button is not one breachline understands.' });
          return;
        }
        // Policies before any lookup: a clicker with no say learns nothing about the incident.
        if (!(await ctx.authorizeAttempt(granted ? 'approve' : 'deny', value.incidentId))) return;
        const workflowId = await deps.incidents.resolve(value.incidentId);
        if (workflowId === undefined) {
          await ctx.reply({ text: `Incident \`${value.incidentId}\` no longer exists.` });
          return;
        }
        const current = await deps.incidents.state(workflowId);
        const pending = current.pendingApprovals.find((a) => a.approvalId === value.approvalId);
        const channel = typeof body.container.channel_id === 'string' ? body.container.channel_id : body.channel?.id;
        const ts = typeof body.container.message_ts === 'string' ? body.container.message_ts : body.message?.ts;
        // The clicked message is the card to keep current from now on.
        if (deps.cards !== undefined && channel !== undefined && ts !== undefined) deps.cards.store.set(current.incidentId, { channelId: channel, ts });
        if (pending === undefined) {
          await ctx.reply({ text: `Step \`${value.stepId}\` is no longer waiting for a decision.` });
          await updateClicked(client, channel, ts, current, deps);
          return;
        }
        if (!granted) {
          // Nobody without the say gets the modal: the same check the submission makes again.
          if (!(await ctx.authorize('deny', { workflowId, stepRole: pending.role }))) return;
          try {
            await client.views.open({ trigger_id: body.trigger_id, view: denyModalView({ ...value, channelId: channel ?? body.channel?.id ?? '', ...(ts !== undefined ? { messageTs: ts } : {}) }) });
          } catch (err) {
            // Slack gives a click 3 s to open a modal; past that (or on any Slack failure) say how else to deny.
            deps.logger.warn({ err, incidentId: value.incidentId }, 'could not open the deny modal');
            await ctx.reply({ text: `Could not open the reason form. Deny with \`${deps.commandName} deny ${value.incidentId} ${value.stepId} <reason>\`.` });
          }
          return;
        }
        const after = await decide(ctx, workflowId, pending, { granted: true });
        if (after !== undefined && deps.cards === undefined) await updateClicked(client, channel, ts, after, deps);
      } catch (err) {
        deps.logger.error({ err, actionId }, 'incident card button failed');
        await ctx.reply({ text: `:warning: That did not work: ${(err as Error).message}` }).catch(() => undefined);
      }
    });
  }
}

/** Edits the clicked card directly, for apps built without a card store. */
async function updateClicked(
  client: App['client'],
  channel: string | undefined,
  ts: string | undefined,
  state: Parameters<typeof renderIncidentCard>[0],
  deps: OperationsDeps,
): Promise<void> {
  if (channel === undefined || ts === undefined) return;
  const card = renderIncidentCard(state);
  try {
    await client.chat.update({ channel, ts, text: escapeSlackText(card.text), blocks: escapeBlocks(card.blocks ?? []) as unknown as types.KnownBlock[] });
  } catch (err) {
    deps.logger.warn({ err, incidentId: state.incidentId }, 'could not update the clicked incident card');
  }
}
