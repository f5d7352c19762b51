import type { App, BlockAction, ButtonAction, RespondArguments } from '@slack/bolt';
import { DECIDE_ACTION_ID, parseDecideButtonValue } from '../../actions/wait-for';
import { pendingDecisionOf } from '../../domain/incident-decisions';
import { makeContext, type OperationsDeps } from '../commands/context';
import { answerQuestion } from '../commands/decide';
import { escapeSlackText } from '../mrkdwn';

/** Every answer button: `breachline_decide:<step>:<answer>` (one action id per button of a message). */
const DECIDE_ACTION = new RegExp(`^${DECIDE_ACTION_ID}:`);

/**
 * Registers the answer buttons of a wait-for question (issue 17). A click acks at once, asks the
 * policies whether the clicker may answer any question at all before anything is looked up (so
 * a refusal reads the same for a real and a forged incident id), then answers like `/ir decide`.
 */
export function register(app: App, deps: OperationsDeps): void {
  app.action<BlockAction<ButtonAction>>(DECIDE_ACTION, async ({ ack, body, action, respond }) => {
    await ack();
    const ctx = makeContext(deps, {
      userId: body.user.id,
      channelId: body.channel?.id ?? '',
      args: [],
      text: `[decide button] ${action.value ?? ''}`,
      respond: async (m) => {
        await respond({ ...m, replace_original: false } as RespondArguments);
      },
    });
    try {
      const value = parseDecideButtonValue(action.value);
      if (value === undefined) {
        await ctx.reply({ text: 'This button is not one breachline understands.' });
        return;
      }
      // Policies before any lookup: a clicker with no say learns nothing about the incident.
      if (!(await ctx.authorizeAttempt('approve', value.incidentId))) return;
      const workflowId = await deps.incidents.resolve(value.incidentId);
      if (workflowId === undefined) {
        await ctx.reply({ text: `Incident \`${escapeSlackText(value.incidentId)}\` no longer exists.` });
        return;
      }
      const pending = pendingDecisionOf(await deps.incidents.state(workflowId), value.stepId);
      if (pending === undefined) {
        await ctx.reply({ text: `Step \`${escapeSlackText(value.stepId)}\` is no longer waiting for an answer.` });
        return;
      }
      await answerQuestion(ctx, workflowId, pending, value.answer, undefined);
    } catch (err) {
      deps.logger.error({ err }, 'answer button failed');
      await ctx.reply({ text: `:warning: That did not work: ${(err as Error).message}` }).catch(() => undefined);
    }
  });
}
