import type { App, RespondArguments, types, ViewSubmitAction } from '@slack/bolt';
import type { ApprovalButtonValue } from '../cards/incident-card';
import { makeContext, type OperationsDeps } from '../commands/context';
import { decide } from '../commands/decision';
import { escapeSlackText } from '../mrkdwn';

/** Callback id of the modal the card's Deny button opens. */
export const DENY_MODAL_CALLBACK_ID = 'breachline_deny_reason';
/** Block id of the modal's reason field (the key of `response_action: errors`). */
export const DENY_REASON_BLOCK_ID = 'breachline_deny_reason_block';
/** Action id of the reason's text input. */
export const DENY_REASON_ACTION_ID = 'breachline_deny_reason_input';
/** Longest reason accepted: Slack's input enforces it, and the submission is checked again. */
export const DENY_REASON_MAX = 500;

/** What the modal carries in `private_metadata`: the step to deny and the card it came from. */
export interface DenyModalMetadata extends ApprovalButtonValue {
  readonly channelId: string;
  readonly messageTs?: string;
}

/** The modal asking for the reason of a denial; the step and card travel in `private_metadata`. */
export function denyModalView(meta: DenyModalMetadata): types.ModalView {
  return {
    type: 'modal',
    callback_id: DENY_MODAL_CALLBACK_ID,
    private_metadata: JSON.stringify(meta),
    title: { type: 'plain_text', text: 'Deny step' },
    submit: { type: 'plain_text', text: 'Deny' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      // Ids are ours, but a step id came from a runbook: escaped like any text we post.
      { type: 'section', text: { type: 'mrkdwn', text: `Deny step \`${escapeSlackText(meta.stepId)}\` of \`${escapeSlackText(meta.incidentId)}\`?` } },
      {
        type: 'input',
        block_id: DENY_REASON_BLOCK_ID,
        label: { type: 'plain_text', text: 'Reason (recorded on the incident)' },
        element: { type: 'plain_text_input', action_id: DENY_REASON_ACTION_ID, multiline: true, max_length: DENY_REASON_MAX },
      },
    ],
  };
}

/** Parses the modal's metadata; undefined when it is not ours. */
export function parseDenyModalMetadata(raw: string | undefined): DenyModalMetadata | undefined {
  try {
    const v = JSON.parse(raw ?? '') as Record<string, unknown>;
    const strings = ['incidentId', 'approvalId', 'stepId', 'role', 'channelId'] as const;
    if (strings.some((k) => typeof v[k] !== 'string')) return undefined;
    if (v.messageTs !== undefined && typeof v.messageTs !== 'string') return undefined;
    return v as unknown as DenyModalMetadata;
  } catch {
    return undefined;
  }
}

/** The reason typed, trimmed; or the error to show on the field. */
export function denyReasonOf(values: ViewSubmitAction['view']['state']['values']): { reason: string } | { error: string } {
  const reason = (values[DENY_REASON_BLOCK_ID]?.[DENY_REASON_ACTION_ID]?.value ?? '').trim();
  if (reason === '') return { error: 'Give the reason for denying this step; it is recorded on the incident.' };
  if (reason.length > DENY_REASON_MAX) return { error: `Keep the reason within ${DENY_REASON_MAX} characters.` };
  return { reason };
}

/**
 * Registers the deny modal's submission. An empty reason keeps the modal open with the error on
 * the field (`response_action: errors`); otherwise the modal closes and the denial goes through
 * the same policy check and deny Update as `/ir deny`, answered to the person in the card's channel.
 */
export function register(app: App, deps: OperationsDeps): void {
  app.view<ViewSubmitAction>(DENY_MODAL_CALLBACK_ID, async ({ ack, body, view, client }) => {
    const meta = parseDenyModalMetadata(view.private_metadata);
    const typed = denyReasonOf(view.state.values);
    if ('error' in typed) {
      await ack({ response_action: 'errors', errors: { [DENY_REASON_BLOCK_ID]: typed.error } });
      return;
    }
    await ack();
    if (meta === undefined) return;
    const userId = body.user.id;
    const ctx = makeContext(deps, {
      userId,
      channelId: meta.channelId,
      args: [],
      text: `[card deny modal] ${meta.incidentId} ${meta.stepId}`,
      // A modal has no response_url: the answer is an ephemeral message in the card's channel.
      respond: async (m: RespondArguments) => {
        await client.chat.postEphemeral({ channel: meta.channelId, user: userId, text: m.text ?? '' });
      },
    });
    try {
      if (!(await ctx.authorizeAttempt('deny', meta.incidentId))) return;
      const workflowId = await deps.incidents.resolve(meta.incidentId);
      if (workflowId === undefined) {
        await ctx.reply({ text: `Incident \`${escapeSlackText(meta.incidentId)}\` no longer exists.` });
        return;
      }
      const current = await deps.incidents.state(workflowId);
      const pending = current.pendingApprovals.find((a) => a.approvalId === meta.approvalId);
      if (pending === undefined) {
        await ctx.reply({ text: `Step \`${escapeSlackText(meta.stepId)}\` is no longer waiting for a decision.` });
        return;
      }
      await decide(ctx, workflowId, pending, { granted: false, reason: typed.reason });
    } catch (err) {
      deps.logger.error({ err }, 'deny modal submission failed');
      await ctx.reply({ text: `:warning: That did not work: ${escapeSlackText((err as Error).message)}` }).catch(() => undefined);
    }
  });
}
