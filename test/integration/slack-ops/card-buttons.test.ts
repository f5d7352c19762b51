import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxMessage } from '../../../src/sandbox/slack/index';
import { postOrUpdateIncidentCard } from '../../../src/slack/cards/card-conversation';
import { APPROVAL_BLOCK_PREFIX, APPROVE_ACTION_ID, DENY_ACTION_ID, renderIncidentCard } from '../../../src/slack/cards/incident-card';
import { DENY_MODAL_CALLBACK_ID, DENY_REASON_ACTION_ID, DENY_REASON_BLOCK_ID } from '../../../src/slack/actions/deny-modal';
import { OBSERVER, startHarness, type Harness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
}, 120_000);

afterAll(async () => {
  await h?.close();
});

const SLOW = { replyTimeoutMs: 10_000 };

function message(channelId: string, ts: string): SandboxMessage {
  const m = h.slack.workspace.allMessages().find((x) => x.channel === channelId && x.ts === ts);
  if (m === undefined) throw new Error(`no message ${channelId}/${ts}`);
  return m;
}

/** The button value the card carries for a step, as a click would send it. */
function buttonValue(m: SandboxMessage, stepId: string, actionId: string): string {
  for (const b of (m.blocks ?? []) as Array<{ type: string; block_id?: string; elements?: Array<{ action_id: string; value: string }> }>) {
    if (b.type !== 'actions' || !b.block_id?.startsWith(APPROVAL_BLOCK_PREFIX)) continue;
    const el = b.elements?.find((e) => e.action_id === actionId && e.value.includes(`"stepId":"${stepId}"`));
    if (el) return el.value;
  }
  throw new Error(`no ${actionId} button for ${stepId}`);
}

const rows = (m: SandboxMessage): string[] =>
  ((m.blocks ?? []) as Array<{ type: string; block_id?: string }>).filter((b) => b.type === 'actions').map((b) => b.block_id ?? '');

describe('incident card buttons over signed block actions', () => {
  it('posts the card once and edits it in place afterwards', async () => {
    const id = await h.startIncident('card-post');
    const state = await h.incidents.state(id);
    const first = await postOrUpdateIncidentCard(h.cards, state);
    const second = await postOrUpdateIncidentCard(h.cards, state);
    expect(second).toEqual(first);
    const m = message(first.channelId, first.ts);
    expect(m.text).toBe(renderIncidentCard(state).text);
    expect(h.slack.record.calls('chat.update').at(-1)?.args.ts).toBe(first.ts);
  });

  it('an observer\'s click is refused and recorded; the card does not change', async () => {
    const id = await h.startIncident('card-observer');
    const ref = await postOrUpdateIncidentCard(h.cards, await h.incidents.state(id));
    const before = h.refusals.length;
    const value = buttonValue(message(ref.channelId, ref.ts), 'contain', APPROVE_ACTION_ID);
    const result = await h.signed.blockAction({ actionId: APPROVE_ACTION_ID, value, userId: OBSERVER, channel: '#incidents', messageTs: ref.ts }, SLOW);
    expect(result.status).toBe(200);
    expect(result.replies[0]?.text).toContain('`approve` permission');
    expect(result.replies[0]?.visibleTo).toBe(OBSERVER);
    expect(h.refusals.slice(before)).toMatchObject([{ userId: OBSERVER, action: 'approve', workflowId: id }]);
    expect(message(ref.channelId, ref.ts).edits).toHaveLength(0);
    expect((await h.incidents.state(id)).decisions).toEqual([]);
  });

  it('the commander\'s Approve click signals the workflow and the card loses that row', async () => {
    const id = await h.startIncident('card-approve');
    const ref = await postOrUpdateIncidentCard(h.cards, await h.incidents.state(id));
    expect(rows(message(ref.channelId, ref.ts))).toEqual([`${APPROVAL_BLOCK_PREFIX}appr-contain`, `${APPROVAL_BLOCK_PREFIX}appr-notify`]);
    const value = buttonValue(message(ref.channelId, ref.ts), 'contain', APPROVE_ACTION_ID);
    // Two replies: the card's edit (Web API) and the clicker's confirmation (response_url).
    const result = await h.signed.blockAction({ actionId: APPROVE_ACTION_ID, value, userId: 'U0COMMANDER', channel: '#incidents', messageTs: ref.ts }, { ...SLOW, expectReplies: 2 });
    const confirmation = result.replies.find((r) => r.via === 'response_url');
    expect(confirmation?.text).toContain('approved by <@U0COMMANDER>');
    expect(confirmation?.responseType).toBe('ephemeral');
    const s = await h.incidents.state(id);
    expect(s.decisions).toMatchObject([{ stepId: 'contain', granted: true, approver: 'U0COMMANDER' }]);
    const card = message(ref.channelId, ref.ts);
    expect(card.edits.length).toBeGreaterThanOrEqual(1);
    expect(rows(card)).toEqual([`${APPROVAL_BLOCK_PREFIX}appr-notify`]);
    expect(JSON.stringify(card.blocks)).toContain('`contain` (contain) — approved');
  });

  it('the DPO\'s Deny click opens a modal for the reason; an empty reason is an error on the field; the submitted reason denies, escaped', async () => {
    const id = await h.startIncident('card-deny');
    const ref = await postOrUpdateIncidentCard(h.cards, await h.incidents.state(id));
    const value = buttonValue(message(ref.channelId, ref.ts), 'notify-authority', DENY_ACTION_ID);
    const opensBefore = h.slack.record.calls('views.open').length;
    await h.signed.blockAction({ actionId: DENY_ACTION_ID, value, userId: 'U0DPOFFICER', channel: '#incidents', messageTs: ref.ts }, { ...SLOW, expectReplies: 0 });
    await expect.poll(() => h.slack.record.calls('views.open').length, { timeout: 10_000 }).toBe(opensBefore + 1);
    const open = h.slack.record.calls('views.open').at(-1)!;
    expect(open.ok).toBe(true);
    const view = JSON.parse(String(open.args.view)) as { callback_id: string; private_metadata: string; blocks: Array<{ block_id?: string }> };
    expect(view.callback_id).toBe(DENY_MODAL_CALLBACK_ID);
    expect(view.blocks.map((b) => b.block_id)).toContain(DENY_REASON_BLOCK_ID);
    // Nothing is denied by the click alone.
    expect((await h.incidents.state(id)).steps.find((x) => x.id === 'notify-authority')?.status).toBe('awaiting-approval');

    const submit = (reason: string, expectReplies = 1) =>
      h.signed.viewSubmission(
        { userId: 'U0DPOFFICER', replyChannel: '#incidents', callbackId: view.callback_id, privateMetadata: view.private_metadata, values: { [DENY_REASON_BLOCK_ID]: { [DENY_REASON_ACTION_ID]: { type: 'plain_text_input', value: reason } } } },
        { ...SLOW, expectReplies },
      );
    const empty = await submit('   ', 0);
    expect(empty.status).toBe(200);
    expect(empty.json).toMatchObject({ response_action: 'errors', errors: { [DENY_REASON_BLOCK_ID]: expect.stringContaining('reason') } });
    expect((await h.incidents.state(id)).steps.find((x) => x.id === 'notify-authority')?.status).toBe('awaiting-approval');

    // Two replies: the card's edit and the person's confirmation.
    const done = await submit('<!channel> not before legal signs off', 2);
    expect(done.status).toBe(200);
    expect(done.body).toBe('');
    const events = await h.incidents.events(id);
    expect(events.find((e) => e.type === 'ApprovalDenied')?.data).toMatchObject({ stepId: 'notify-authority', approver: 'U0DPOFFICER', reason: '<!channel> not before legal signs off' });
    expect(JSON.stringify(message(ref.channelId, ref.ts).blocks)).toContain('`notify-authority` (notify) — denied');
    // The person's confirmation is ephemeral in the card's channel and cannot ping the channel.
    const answer = done.replies.find((r) => r.visibleTo === 'U0DPOFFICER');
    expect(answer?.text).toContain('&lt;!channel&gt; not before legal signs off');
    expect(answer?.text).not.toContain('<!channel>');

    // The modal of a step decided meanwhile is answered, not acted on twice.
    const again = await submit('second thoughts');
    expect(again.replies[0]?.text).toContain('no longer waiting');
  });

  it('an observer\'s Deny click gets no modal; its refusal is recorded', async () => {
    const id = await h.startIncident('card-deny-observer');
    const ref = await postOrUpdateIncidentCard(h.cards, await h.incidents.state(id));
    const value = buttonValue(message(ref.channelId, ref.ts), 'notify-authority', DENY_ACTION_ID);
    const opensBefore = h.slack.record.calls('views.open').length;
    const result = await h.signed.blockAction({ actionId: DENY_ACTION_ID, value, userId: OBSERVER, channel: '#incidents', messageTs: ref.ts }, SLOW);
    expect(result.replies[0]?.text).toContain('`deny` permission');
    expect(h.slack.record.calls('views.open')).toHaveLength(opensBefore);
  });

  it('a forged modal submission (another user, no such incident) is refused like any unknown incident', async () => {
    const meta = JSON.stringify({ incidentId: 'incident-nope', approvalId: 'x', stepId: 'contain', role: 'dpo', channelId: h.slack.workspace.channel('#incidents')!.id });
    const values = { [DENY_REASON_BLOCK_ID]: { [DENY_REASON_ACTION_ID]: { type: 'plain_text_input', value: 'because' } } };
    const observer = await h.signed.viewSubmission({ userId: OBSERVER, replyChannel: '#incidents', callbackId: DENY_MODAL_CALLBACK_ID, privateMetadata: meta, values }, { ...SLOW, expectReplies: 1 });
    expect(observer.replies[0]?.text).toContain('`deny` permission');
    const dpo = await h.signed.viewSubmission({ userId: 'U0DPOFFICER', replyChannel: '#incidents', callbackId: DENY_MODAL_CALLBACK_ID, privateMetadata: meta, values }, { ...SLOW, expectReplies: 1 });
    expect(dpo.replies[0]?.text).toContain('no longer exists');
  });

  it('a decision by command refreshes the posted card too', async () => {
    const id = await h.startIncident('card-command');
    const ref = await postOrUpdateIncidentCard(h.cards, await h.incidents.state(id));
    await h.signed.slashCommand({ command: '/ir', text: `approve ${id} contain`, userId: 'U0COMMANDER', channel: '#incidents' }, SLOW);
    expect(rows(message(ref.channelId, ref.ts))).toEqual([`${APPROVAL_BLOCK_PREFIX}appr-notify`]);
  });

  it('a forged button value is answered, not crashed on', async () => {
    const result = await h.signed.blockAction({ actionId: APPROVE_ACTION_ID, value: '{"nope":true}', userId: 'U0COMMANDER', channel: '#incidents' }, SLOW);
    expect(result.status).toBe(200);
    expect(result.replies[0]?.text).toContain('not one breachline understands');
  });
});
