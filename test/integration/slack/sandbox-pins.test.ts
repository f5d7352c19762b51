import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type RunningSlackSandbox } from '../../../src/sandbox/slack/index';

/*
 * pins.add / pins.list / pins.remove in the Slack sandbox, driven by Slack's own WebClient: the
 * errors are the ones Slack documents for each method, so the war room's handling of them is real.
 */

let sandbox: RunningSlackSandbox;
let web: WebClient;

beforeAll(async () => {
  sandbox = await start({ port: 0 });
  web = new WebClient(sandbox.botToken, { slackApiUrl: sandbox.apiUrl, retryConfig: { retries: 0 } });
});
afterAll(async () => {
  await sandbox?.close();
});

const error = (code: string) => ({ data: { ok: false, error: code } });

describe('Slack sandbox pins', () => {
  it('pins a message once, lists it with its pinner, refuses a second pin, and unpins it once', async () => {
    const posted = await web.chat.postMessage({ channel: '#incidents', text: 'card' });
    const channel = posted.channel as string;
    const ts = posted.ts as string;
    expect((await web.pins.list({ channel })).items).toEqual([]);

    expect((await web.pins.add({ channel, timestamp: ts })).ok).toBe(true);
    await expect(web.pins.add({ channel, timestamp: ts })).rejects.toMatchObject(error('already_pinned'));
    const listed = await web.pins.list({ channel });
    expect(listed.items).toHaveLength(1);
    expect(listed.items?.[0]).toMatchObject({ type: 'message', channel, created_by: 'U0BREACHBOT', message: { ts, text: 'card', pinned_to: [channel] } });
    // The channel's history counts it, and an edit keeps the pin.
    expect((await web.conversations.history({ channel })).pin_count).toBe(1);
    await web.chat.update({ channel, ts, text: 'card, edited' });
    expect((await web.pins.list({ channel })).items?.[0]?.message?.text).toBe('card, edited');

    expect((await web.pins.remove({ channel, timestamp: ts })).ok).toBe(true);
    await expect(web.pins.remove({ channel, timestamp: ts })).rejects.toMatchObject(error('no_pin'));
    expect((await web.pins.list({ channel })).items).toEqual([]);
  });

  it('answers channel_not_found, message_not_found, bad_timestamp, no_item_specified and not_in_channel', async () => {
    const posted = await web.chat.postMessage({ channel: '#incidents', text: 'x' });
    const channel = posted.channel as string;
    await expect(web.pins.add({ channel: 'C0NOSUCHONE', timestamp: posted.ts as string })).rejects.toMatchObject(error('channel_not_found'));
    await expect(web.pins.list({ channel: 'C0NOSUCHONE' })).rejects.toMatchObject(error('channel_not_found'));
    await expect(web.pins.remove({ channel: 'C0NOSUCHONE', timestamp: posted.ts as string })).rejects.toMatchObject(error('channel_not_found'));
    await expect(web.pins.add({ channel, timestamp: '1700000000.000001' })).rejects.toMatchObject(error('message_not_found'));
    await expect(web.pins.remove({ channel, timestamp: '1700000000.000001' })).rejects.toMatchObject(error('message_not_found'));
    await expect(web.pins.add({ channel, timestamp: 'yesterday' })).rejects.toMatchObject(error('bad_timestamp'));
    await expect(web.pins.add({ channel } as never)).rejects.toMatchObject(error('no_item_specified'));
    // #general holds the humans only: the bot has not joined it.
    const general = sandbox.workspace.channel('#general')!;
    const human = sandbox.workspace.addMessage({ kind: 'message', channel: general.id, user: 'U0COMMANDER', text: 'hello' });
    await expect(web.pins.add({ channel: general.id, timestamp: human.ts })).rejects.toMatchObject(error('not_in_channel'));
    await expect(web.pins.list({ channel: general.id })).rejects.toMatchObject(error('not_in_channel'));
  });

  it('refuses a pin in an archived channel', async () => {
    const made = await web.conversations.create({ name: 'pins-archived' });
    const channel = made.channel?.id as string;
    const posted = await web.chat.postMessage({ channel, text: 'card' });
    sandbox.workspace.channel(channel)!.isArchived = true;
    await expect(web.pins.add({ channel, timestamp: posted.ts as string })).rejects.toMatchObject(error('is_archived'));
  });
});
