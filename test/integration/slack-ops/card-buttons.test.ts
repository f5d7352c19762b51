import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxMessage } from '../../../src/sandbox/slack/index';
import { postOrUpdateIncidentCard } from '../../../src/slack/cards/card-conversation';
import { APPROVAL_BLOCK_PREFIX, APPROVE_ACTION_ID, DENY_ACTION_ID, renderIncidentCard } from '../../../src/slack/cards/incident-card';
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

  it('the DPO\'s Deny click refuses its step and the card shows it; a second click finds nothing pending', async () => {
    const id = await h.startIncident('card-deny');
    const ref = await postOrUpdateIncidentCard(h.cards, await h.incidents.state(id));
    const value = buttonValue(message(ref.channelId, ref.ts), 'notify-authority', DENY_ACTION_ID);
    await h.signed.blockAction({ actionId: DENY_ACTION_ID, value, userId: 'U0DPOFFICER', channel: '#incidents', messageTs: ref.ts }, SLOW);
    const s = await h.incidents.state(id);
    expect(s.steps.find((x) => x.id === 'notify-authority')?.status).toBe('denied');
    expect(JSON.stringify(message(ref.channelId, ref.ts).blocks)).toContain('`notify-authority` (notify) — denied');
    const again = await h.signed.blockAction({ actionId: DENY_ACTION_ID, value, userId: 'U0DPOFFICER', channel: '#incidents', messageTs: ref.ts }, SLOW);
    expect(again.replies[0]?.text).toContain('no longer waiting');
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
