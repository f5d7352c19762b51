import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/logger';
import { start, type RunningSlackSandbox } from '../../../src/sandbox/slack/index';
import { ConversationError } from '../../../src/slack/errors';
import { createWebConversationPort, type WebConversationPort } from '../../../src/slack/web-conversation-port';

/** Retries without backoff pauses, so only the sandbox's Retry-After costs time. */
const FAST_RETRY = { retries: 3, factor: 1, minTimeout: 0, maxTimeout: 0 };

let sandbox: RunningSlackSandbox;
let port: WebConversationPort;
/** An independent reader: the plain SDK client, to see what a human in Slack would see. */
let reader: WebClient;

beforeAll(async () => {
  sandbox = await start();
  port = createWebConversationPort({ botToken: sandbox.botToken, apiUrl: sandbox.apiUrl, logger: silentLogger, retryConfig: FAST_RETRY });
  reader = new WebClient(sandbox.botToken, { slackApiUrl: sandbox.apiUrl, retryConfig: { retries: 0 } });
});

afterAll(async () => {
  await sandbox?.close();
});

beforeEach(() => {
  sandbox.faults.clear();
});

async function historyTexts(channel: string): Promise<string[]> {
  const res = await reader.conversations.history({ channel });
  return (res.messages ?? []).map((m) => m.text ?? '');
}

async function channelId(name: string): Promise<string> {
  const res = await reader.conversations.info({ channel: `#${name}` });
  return res.channel?.id ?? '';
}

describe('conversation port over the sandbox Web API', () => {
  it('posts an incident message that appears in channel history', async () => {
    const ref = await port.postIncidentMessage({
      channel: '#incidents',
      text: 'INC-1 opened: compromised consumer',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*INC-1* opened' } }],
    });
    expect(ref.channelId).toBe(await channelId('incidents'));
    expect(ref.ts).toMatch(/^\d+\.\d{6}$/);
    const history = await reader.conversations.history({ channel: ref.channelId });
    const posted = history.messages?.find((m) => m.ts === ref.ts);
    expect(posted?.text).toBe('INC-1 opened: compromised consumer');
    expect(posted?.blocks?.[0]?.type).toBe('section');
  });

  it('updates a posted message in place', async () => {
    const ref = await port.postIncidentMessage({ channel: '#incidents', text: 'INC-2 status: containing' });
    const updated = await port.updateIncidentMessage(ref, { text: 'INC-2 status: contained' });
    expect(updated).toEqual(ref);
    const texts = await historyTexts(ref.channelId);
    expect(texts).toContain('INC-2 status: contained');
    expect(texts).not.toContain('INC-2 status: containing');
    const stored = sandbox.workspace.findMessage(ref.channelId, ref.ts);
    expect(stored?.edits.map((e) => e.text)).toEqual(['INC-2 status: containing']);
  });

  it('posts an ephemeral message that only its user sees and history does not show', async () => {
    const { ts } = await port.postEphemeral({ channel: '#incidents', userId: 'U0DPOFFICER', text: 'your approval is needed' });
    expect(ts).toMatch(/^\d+\.\d{6}$/);
    const eph = sandbox.workspace.allMessages().find((m) => m.ts === ts);
    expect(eph?.kind).toBe('ephemeral');
    expect(eph?.visibleTo).toBe('U0DPOFFICER');
    expect(await historyTexts('#incidents')).not.toContain('your approval is needed');
  });

  it('ensures an incident channel idempotently', async () => {
    const spec = { name: 'INC 42 / Kafka breach', topic: 'INC-42 · severity high', memberIds: ['U0COMMANDER', 'U0RESPONDER'] };
    const first = await port.ensureIncidentChannel(spec);
    expect(first).toMatchObject({ name: 'inc-42-kafka-breach', created: true, invited: ['U0COMMANDER', 'U0RESPONDER'], topicSet: true });
    const second = await port.ensureIncidentChannel(spec);
    expect(second).toEqual({ ...first, created: false, invited: [], topicSet: false });
    const third = await port.ensureIncidentChannel({ ...spec, memberIds: [...spec.memberIds, 'U0DPOFFICER'] });
    expect(third.invited).toEqual(['U0DPOFFICER']);

    const info = await reader.conversations.info({ channel: first.channelId });
    expect(info.channel?.topic?.value).toBe('INC-42 · severity high');
    const members = await reader.conversations.members({ channel: first.channelId });
    expect(new Set(members.members)).toEqual(new Set(['U0BREACHBOT', 'U0COMMANDER', 'U0RESPONDER', 'U0DPOFFICER']));
    const creates = sandbox.record.calls('conversations.create').filter((c) => c.args.name === 'inc-42-kafka-breach');
    expect(creates.map((c) => c.error ?? 'ok')).toEqual(['ok', 'name_taken', 'name_taken']);
    expect(sandbox.record.calls('conversations.setTopic').filter((c) => c.args.channel === first.channelId)).toHaveLength(1);
  });

  it('waits out a 429 for its Retry-After and then succeeds; the record shows the retry', async () => {
    sandbox.faults.rateLimit('chat.postMessage', { calls: 1, retryAfterSeconds: 1 });
    const seqBefore = sandbox.record.calls().at(-1)?.seq ?? 0;
    const started = Date.now();
    const ref = await port.postIncidentMessage({ channel: '#incidents', text: 'after the rate limit' });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    const attempts = sandbox.record.calls('chat.postMessage').filter((c) => c.seq > seqBefore);
    expect(attempts.map((c) => c.httpStatus)).toEqual([429, 200]);
    expect(attempts[0]?.retryAfter).toBe(1);
    expect(await historyTexts(ref.channelId)).toContain('after the rate limit');
  });

  it('retries a 503 and succeeds', async () => {
    sandbox.faults.failNext('chat.update', { calls: 2, status: 503 });
    const ref = await port.postIncidentMessage({ channel: '#incidents', text: 'v1' });
    await port.updateIncidentMessage(ref, { text: 'v2 after two 503s' });
    const updates = sandbox.record.calls('chat.update').slice(-3);
    expect(updates.map((c) => c.httpStatus)).toEqual([503, 503, 200]);
  });

  it('gives up with a retriable error when the limit outlasts its retries', async () => {
    sandbox.faults.rateLimit('chat.postMessage', { calls: 10, retryAfterSeconds: 0 });
    const err = await port.postIncidentMessage({ channel: '#incidents', text: 'never' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConversationError);
    expect(err).toMatchObject({ kind: 'rate_limited', retriable: true, method: 'chat.postMessage' });
  });

  it('gives up with a retriable error on a lasting 5xx', async () => {
    sandbox.faults.failNext('chat.postEphemeral', { calls: 10, status: 502 });
    const err = await port.postEphemeral({ channel: '#incidents', userId: 'U0COMMANDER', text: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'http_502', kind: 'unavailable', retriable: true });
  });

  it('fails a wrong token with a non-retriable auth error, without retrying', async () => {
    const wrong = createWebConversationPort({ botToken: 'xoxb-000-000-wrong', apiUrl: sandbox.apiUrl, logger: silentLogger, retryConfig: FAST_RETRY });
    const before = sandbox.record.calls('chat.postMessage').length;
    const err = await wrong.postIncidentMessage({ channel: '#incidents', text: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConversationError);
    expect(err).toMatchObject({ code: 'invalid_auth', kind: 'auth', retriable: false });
    expect(sandbox.record.calls('chat.postMessage').length).toBe(before + 1);
  });

  it('fails an unknown channel with a non-retriable not_found error', async () => {
    const err = await port.postIncidentMessage({ channel: '#no-such-channel', text: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'channel_not_found', kind: 'not_found', retriable: false });
  });

  it('reports an unreachable Slack as a retriable network error', async () => {
    const closed = await start();
    const apiUrl = closed.apiUrl;
    await closed.close();
    const offline = createWebConversationPort({ botToken: 'xoxb-x', apiUrl, logger: silentLogger, retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } });
    const err = await offline.postIncidentMessage({ channel: '#incidents', text: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'network', kind: 'network', retriable: true });
  });
});
