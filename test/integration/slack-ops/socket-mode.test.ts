import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxMessage } from '../../../src/sandbox/slack/index';
import { postOrUpdateIncidentCard } from '../../../src/slack/cards/card-conversation';
import { APPROVAL_BLOCK_PREFIX, APPROVE_ACTION_ID } from '../../../src/slack/cards/incident-card';
import { OBSERVER, startHarness, type Harness } from './harness';

/*
 * Issue 15: the Slack app in Socket Mode (no public request URL) runs the same operations as over
 * HTTP. The sandbox hands the app a WebSocket through apps.connections.open, delivers `/ir` and
 * button clicks as envelopes and takes the app's acknowledgement as its answer; when it recycles
 * the connection (`disconnect`), the app opens a new one and keeps answering.
 */

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ socketMode: true });
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

/** The approve button's value for `stepId` on a posted card. */
function approveValue(m: SandboxMessage, stepId: string): string {
  for (const b of (m.blocks ?? []) as Array<{ type: string; block_id?: string; elements?: Array<{ action_id: string; value: string }> }>) {
    if (b.type !== 'actions' || !b.block_id?.startsWith(APPROVAL_BLOCK_PREFIX)) continue;
    const el = b.elements?.find((e) => e.action_id === APPROVE_ACTION_ID && e.value.includes(`"stepId":"${stepId}"`));
    if (el) return el.value;
  }
  throw new Error(`no approve button for ${stepId}`);
}

describe('the Slack app over Socket Mode', () => {
  it('listens on no port and opened its connection with the app-level token', () => {
    expect(h.app.requestUrl).toBe('');
    expect(h.slack.socketMode.connections).toBe(1);
    expect(h.slack.record.calls('apps.connections.open').at(-1)).toMatchObject({ ok: true });
  });

  it('answers /ir status delivered as a slash_commands envelope: empty acknowledgement, card on the response_url', async () => {
    const id = await h.startIncident('socket-status');
    const before = h.slack.socketMode.delivered.slash_commands;
    const result = await h.signed.slashCommand({ command: '/ir', text: `status ${id}`, userId: OBSERVER, channel: '#incidents' }, SLOW);
    expect(result.status).toBe(200);
    expect(result.body).toBe('');
    expect(result.request.headers).toEqual({});
    expect(h.slack.socketMode.delivered.slash_commands).toBe(before + 1);
    const reply = result.replies[0];
    expect(reply?.via).toBe('response_url');
    expect(reply?.responseType).toBe('ephemeral');
    expect(reply?.text).toContain(id);
  });

  it('takes the commander\'s Approve click as an interactive envelope and signals the workflow', async () => {
    const id = await h.startIncident('socket-approve');
    const ref = await postOrUpdateIncidentCard(h.cards, await h.incidents.state(id));
    const value = approveValue(message(ref.channelId, ref.ts), 'contain');
    const before = h.slack.socketMode.delivered.interactive;
    const result = await h.signed.blockAction({ actionId: APPROVE_ACTION_ID, value, userId: 'U0COMMANDER', channel: '#incidents', messageTs: ref.ts }, { ...SLOW, expectReplies: 2 });
    expect(result.status).toBe(200);
    expect(h.slack.socketMode.delivered.interactive).toBe(before + 1);
    expect(result.replies.find((r) => r.via === 'response_url')?.text).toContain('approved by <@U0COMMANDER>');
    expect((await h.incidents.state(id)).decisions).toMatchObject([{ stepId: 'contain', granted: true, approver: 'U0COMMANDER' }]);
  });

  it('refuses an observer\'s Approve click over the socket as over HTTP', async () => {
    const id = await h.startIncident('socket-observer');
    const ref = await postOrUpdateIncidentCard(h.cards, await h.incidents.state(id));
    const result = await h.signed.blockAction({ actionId: APPROVE_ACTION_ID, value: approveValue(message(ref.channelId, ref.ts), 'contain'), userId: OBSERVER, channel: '#incidents', messageTs: ref.ts }, SLOW);
    expect(result.replies[0]?.text).toContain('`approve` permission');
    expect((await h.incidents.state(id)).decisions).toEqual([]);
  });

  it('reconnects after the sandbox sends disconnect and closes the socket, and keeps answering', async () => {
    const opened = h.slack.socketMode.connectionsOpened;
    const calls = h.slack.record.calls('apps.connections.open').length;
    h.slack.socketMode.disconnectAll('refresh_requested');
    // The proving event: a new socket from a new apps.connections.open (the old URL is single-use).
    while (h.slack.socketMode.connectionsOpened === opened) await h.slack.socketMode.waitForConnection(20_000).then(() => new Promise((r) => setTimeout(r, 20)));
    expect(h.slack.record.calls('apps.connections.open').length).toBeGreaterThan(calls);
    const id = await h.startIncident('socket-after-reconnect');
    const result = await h.signed.slashCommand({ command: '/ir', text: `status ${id}`, userId: OBSERVER, channel: '#incidents' }, SLOW);
    expect(result.status).toBe(200);
    expect(result.replies[0]?.text).toContain(id);
  }, 60_000);
});
