import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log/logger';
import { start, type RunningSlackSandbox, type SignedRequestClient } from '../../../src/sandbox/slack/index';
import { createSlackApp, type SlackAppHandle } from '../../../src/slack/app';

/** Everything the app logs, so the test can prove no secret is ever written. */
const logLines: string[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _enc, done) {
    logLines.push(chunk.toString('utf8'));
    done();
  },
});

let sandbox: RunningSlackSandbox;
let slackApp: SlackAppHandle;
let client: SignedRequestClient;

beforeAll(async () => {
  sandbox = await start();
  slackApp = createSlackApp({
    botToken: sandbox.botToken,
    signingSecret: sandbox.signingSecret,
    apiUrl: sandbox.apiUrl,
    port: 0,
    logger: createLogger({ name: 'slack-app-test', level: 'debug', destination: logSink }),
  });
  // Listeners a later feature will own; here they prove Bolt accepts the client's payload shapes.
  slackApp.app.action('test_button', async ({ ack, respond, body }) => {
    await ack();
    await respond({ response_type: 'ephemeral', replace_original: false, text: `clicked by ${body.user.id}` });
  });
  slackApp.app.view('test_modal', async ({ ack, view }) => {
    const reason = view.state.values.reason_block?.reason?.value ?? '';
    await ack(reason ? undefined : { response_action: 'errors', errors: { reason_block: 'a reason is required' } });
  });
  await slackApp.start();
  client = sandbox.requestClient(slackApp.requestUrl);
});

afterAll(async () => {
  await slackApp?.stop();
  await sandbox?.close();
});

/** Calls the sandbox recorded after a given sequence number, ignoring the app's start-up auth.test. */
function callsAfter(seq: number): string[] {
  return sandbox.record.calls().filter((c) => c.seq > seq).map((c) => c.method);
}

function lastSeq(): number {
  return sandbox.record.calls().at(-1)?.seq ?? 0;
}

describe('Slack app receiving signed requests from the sandbox', () => {
  it('verified its bot token against the sandbox at start', () => {
    const authTests = sandbox.record.calls('auth.test');
    expect(authTests.length).toBeGreaterThanOrEqual(1);
    expect(authTests[0]?.ok).toBe(true);
  });

  it('answers /ir help with an ephemeral help message through the Web API', async () => {
    const before = lastSeq();
    const result = await client.slashCommand({ command: '/ir', text: 'help', userId: 'U0COMMANDER', channel: '#incidents' });
    expect(result.status).toBe(200);
    expect(result.body).toBe('');
    expect(result.replies).toHaveLength(1);
    const reply = result.replies[0];
    expect(reply?.via).toBe('web_api');
    expect(reply?.kind).toBe('ephemeral');
    expect(reply?.visibleTo).toBe('U0COMMANDER');
    expect(reply?.text).toContain('/ir help');
    expect(callsAfter(before)).toContain('chat.postEphemeral');
    const post = sandbox.record.calls('chat.postEphemeral').at(-1);
    expect(post?.ok).toBe(true);
    expect(post?.args.user).toBe('U0COMMANDER');
  });

  it('answers a bare /ir with help too, and an unknown subcommand in the ack body', async () => {
    const bare = await client.slashCommand({ text: '' });
    expect(bare.replies[0]?.text).toContain('/ir help');
    const unknown = await client.slashCommand({ text: 'frobnicate now' }, { expectReplies: 0 });
    expect(unknown.status).toBe(200);
    expect(unknown.json).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(unknown.json)).toContain('frobnicate');
  });

  it('falls back to the response_url where the bot cannot post', async () => {
    // The bot is not a member of #general, so chat.postEphemeral answers not_in_channel.
    const result = await client.slashCommand({ text: 'help', channel: '#general' });
    expect(result.status).toBe(200);
    expect(result.replies[0]?.via).toBe('response_url');
    expect(result.replies[0]?.text).toContain('/ir help');
    expect(sandbox.record.calls('chat.postEphemeral').at(-1)?.error).toBe('not_in_channel');
  });

  it('refuses a bad signature with 401 and handles nothing', async () => {
    const before = lastSeq();
    const result = await client.slashCommand({ text: 'help' }, { signature: 'bad', replyTimeoutMs: 300 });
    expect(result.status).toBe(401);
    expect(result.replies).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(callsAfter(before)).toEqual([]);
  });

  it('refuses a request without a signature', async () => {
    const result = await client.slashCommand({ text: 'help' }, { signature: 'missing' });
    expect(result.status).toBe(401);
  });

  it('refuses a stale timestamp (older than five minutes) with 401', async () => {
    const before = lastSeq();
    const result = await client.slashCommand({ text: 'help' }, { timestampSkewSeconds: -6 * 60 });
    expect(result.status).toBe(401);
    expect(callsAfter(before)).toEqual([]);
  });

  it('accepts a timestamp just inside the window', async () => {
    const result = await client.slashCommand({ text: 'help' }, { timestampSkewSeconds: -4 * 60 });
    expect(result.status).toBe(200);
    expect(result.replies).toHaveLength(1);
  });

  it('refuses an exact replay of a request it already handled', async () => {
    const first = await client.slashCommand({ text: 'help' });
    expect(first.status).toBe(200);
    expect(first.replies).toHaveLength(1);
    const before = lastSeq();
    const again = await client.replay(first.request, { replyTimeoutMs: 300 });
    expect(again.status).toBe(401);
    expect(again.replies).toHaveLength(0);
    expect(callsAfter(before)).toEqual([]);
  });

  it('delivers a signed block action to its listener, which replies on the response_url', async () => {
    const result = await client.blockAction({ actionId: 'test_button', value: 'go', userId: 'U0RESPONDER' });
    expect(result.status).toBe(200);
    expect(result.replies[0]?.via).toBe('response_url');
    expect(result.replies[0]?.text).toBe('clicked by U0RESPONDER');
  });

  it('delivers a view submission and returns the app\'s response_action in the HTTP body', async () => {
    const empty = await client.viewSubmission({ callbackId: 'test_modal', values: { reason_block: { reason: { type: 'plain_text_input', value: '' } } } });
    expect(empty.status).toBe(200);
    expect(empty.json).toEqual({ response_action: 'errors', errors: { reason_block: 'a reason is required' } });
    const filled = await client.viewSubmission({ callbackId: 'test_modal', values: { reason_block: { reason: { type: 'plain_text_input', value: 'late' } } } });
    expect(filled.status).toBe(200);
    expect(filled.body).toBe('');
    const forged = await client.viewSubmission({ callbackId: 'test_modal' }, { signature: 'bad' });
    expect(forged.status).toBe(401);
  });

  it('takes its command name from configuration', async () => {
    const renamed = createSlackApp({
      botToken: sandbox.botToken,
      signingSecret: sandbox.signingSecret,
      apiUrl: sandbox.apiUrl,
      port: 0,
      logger: createLogger({ name: 'renamed', level: 'silent' }),
      commandName: '/breach',
    });
    await renamed.start();
    try {
      const result = await sandbox.requestClient(renamed.requestUrl).slashCommand({ command: '/breach', text: 'help' });
      expect(result.status).toBe(200);
      expect(result.replies[0]?.text).toContain('/breach help');
      expect(result.replies[0]?.text).not.toContain('/ir ');
    } finally {
      await renamed.stop();
    }
  });

  it('judges staleness by its injected clock', async () => {
    const skewed = createSlackApp({
      botToken: sandbox.botToken,
      signingSecret: sandbox.signingSecret,
      apiUrl: sandbox.apiUrl,
      port: 0,
      logger: createLogger({ name: 'skewed', level: 'silent' }),
      clock: () => Date.now() + 10 * 60 * 1000,
    });
    await skewed.start();
    try {
      const result = await sandbox.requestClient(skewed.requestUrl).slashCommand({ text: 'help' }, { replyTimeoutMs: 200 });
      expect(result.status).toBe(401);
    } finally {
      await skewed.stop();
    }
  });

  it('refuses to start with a bot token Slack rejects', async () => {
    const wrong = createSlackApp({
      botToken: 'xoxb-not-issued',
      signingSecret: sandbox.signingSecret,
      apiUrl: sandbox.apiUrl,
      port: 0,
      logger: createLogger({ name: 'wrong-token', level: 'silent' }),
      retryConfig: { retries: 0 },
    });
    await expect(wrong.start()).rejects.toThrow();
    expect(wrong.url).toBe('');
  });

  it('serves the health route', async () => {
    const res = await fetch(`${slackApp.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('never writes the bot token or the signing secret to its log', () => {
    const all = logLines.join('');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(sandbox.botToken);
    expect(all).not.toContain(sandbox.signingSecret);
  });
});
