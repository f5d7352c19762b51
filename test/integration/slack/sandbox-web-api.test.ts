import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RECORD_FILE } from '../../../src/sandbox/slack/call-record';
import { start, type RunningSlackSandbox } from '../../../src/sandbox/slack/index';
import { slackLog } from '../../../src/app/sandbox-door';
import { startSandboxes } from '../../../src/sandbox/up';

let sandbox: RunningSlackSandbox;
let web: WebClient;
let dataDir: string;
/** The sandbox's clock: real time plus an offset the tests move to expire triggers without waiting. */
let clockOffsetMs = 0;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'breachline-slack-'));
  sandbox = await start({ dataDir, clock: () => Date.now() + clockOffsetMs });
  web = new WebClient(sandbox.botToken, { slackApiUrl: sandbox.apiUrl, retryConfig: { retries: 0 } });
});

afterAll(async () => {
  await sandbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  sandbox.faults.clear();
  clockOffsetMs = 0;
});

/** A raw Web API call, to control the exact wire format. */
async function raw(method: string, init: { body?: string; contentType?: string; auth?: string; query?: string } = {}): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (init.contentType) headers['content-type'] = init.contentType;
  if (init.auth) headers.authorization = init.auth;
  const res = await fetch(`${sandbox.apiUrl}${method}${init.query ? `?${init.query}` : ''}`, { method: 'POST', headers, body: init.body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

describe('Slack sandbox Web API', () => {
  it('describes itself as a RunningSandbox with the API base URL and credentials', () => {
    expect(sandbox.name).toBe('slack');
    expect(sandbox.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    expect(sandbox.connection).toEqual({ apiUrl: sandbox.apiUrl, botToken: sandbox.botToken, signingSecret: sandbox.signingSecret, appToken: sandbox.appToken });
    expect(sandbox.botToken).toMatch(/^xoxb-/);
    expect(sandbox.appToken).toMatch(/^xapp-1-A0BREACHAPP-/);
  });

  it('answers auth.test for the bot token, sent as a header or as a form field', async () => {
    const viaHeader = await raw('auth.test', { auth: `Bearer ${sandbox.botToken}` });
    expect(viaHeader.json).toMatchObject({ ok: true, user_id: 'U0BREACHBOT', bot_id: 'B0BREACHBOT', team_id: 'T0SANDBOX01' });
    const viaForm = await raw('auth.test', { body: `token=${sandbox.botToken}`, contentType: 'application/x-www-form-urlencoded' });
    expect(viaForm.json.ok).toBe(true);
    const viaQuery = await raw('auth.test', { query: `token=${sandbox.botToken}` });
    expect(viaQuery.json.ok).toBe(true);
  });

  it('answers not_authed without a token and invalid_auth with a wrong one', async () => {
    expect((await raw('auth.test')).json).toEqual({ ok: false, error: 'not_authed' });
    expect((await raw('chat.postMessage', { auth: 'Bearer xoxb-wrong', body: 'channel=%23incidents&text=x', contentType: 'application/x-www-form-urlencoded' })).json).toEqual({
      ok: false,
      error: 'invalid_auth',
    });
    const wrong = new WebClient('xoxb-wrong', { slackApiUrl: sandbox.apiUrl, retryConfig: { retries: 0 } });
    await expect(wrong.auth.test()).rejects.toMatchObject({ data: { ok: false, error: 'invalid_auth' } });
  });

  it('accepts JSON bodies with a bearer token, but not a token inside the JSON', async () => {
    const ok = await raw('chat.postMessage', { auth: `Bearer ${sandbox.botToken}`, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ channel: '#incidents', text: 'json body', blocks: [{ type: 'divider' }] }) });
    expect(ok.json).toMatchObject({ ok: true, channel: sandbox.workspace.channel('#incidents')?.id });
    const tokenInBody = await raw('chat.postMessage', { contentType: 'application/json', body: JSON.stringify({ token: sandbox.botToken, channel: '#incidents', text: 'x' }) });
    expect(tokenInBody.json).toEqual({ ok: false, error: 'not_authed' });
    const broken = await raw('chat.postMessage', { auth: `Bearer ${sandbox.botToken}`, contentType: 'application/json', body: '{"channel":' });
    expect(broken.json).toEqual({ ok: false, error: 'invalid_json' });
  });

  it('reports Slack error codes for bad arguments', async () => {
    await expect(web.chat.postMessage({ channel: 'C0NOSUCHONE', text: 'x' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    await expect(web.apiCall('chat.postMessage', { channel: '#incidents' })).rejects.toMatchObject({ data: { error: 'no_text' } });
    await expect(web.chat.postMessage({ channel: '#general', text: 'x' })).rejects.toMatchObject({ data: { error: 'not_in_channel' } });
    await expect(web.apiCall('chat.postMessage', { channel: '#incidents', text: 'x', blocks: '[{"no":"type"}]' })).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
    await expect(web.chat.update({ channel: '#incidents', ts: '1.000001', text: 'x' })).rejects.toMatchObject({ data: { error: 'message_not_found' } });
    await expect(web.conversations.create({ name: 'Has Spaces' })).rejects.toMatchObject({ data: { error: 'invalid_name_specials' } });
    await expect(web.conversations.create({ name: 'incidents' })).rejects.toMatchObject({ data: { error: 'name_taken' } });
    await expect(web.users.info({ user: 'U0NOBODY00' })).rejects.toMatchObject({ data: { error: 'user_not_found' } });
    await expect(web.apiCall('nonsense.method', {})).rejects.toMatchObject({ data: { error: 'unknown_method' } });
    await expect(web.apiCall('conversations.history', { channel: '#incidents', cursor: 'garbage' })).rejects.toMatchObject({ data: { error: 'invalid_cursor' } });
  });

  it('returns posted messages newest first from history, by channel id or #name, with paging', async () => {
    const ch = await web.conversations.create({ name: 'paging-test' });
    const id = ch.channel?.id as string;
    const posted: string[] = [];
    for (let i = 1; i <= 5; i += 1) posted.push((await web.chat.postMessage({ channel: '#paging-test', text: `m${i}` })).ts as string);
    expect(new Set(posted).size).toBe(5);
    expect([...posted].sort()).toEqual(posted);
    const first = await web.conversations.history({ channel: id, limit: 3 });
    expect(first.messages?.map((m) => m.text)).toEqual(['m5', 'm4', 'm3']);
    expect(first.has_more).toBe(true);
    const second = await web.conversations.history({ channel: id, limit: 3, cursor: first.response_metadata?.next_cursor });
    expect(second.messages?.map((m) => m.text)).toEqual(['m2', 'm1']);
    expect(second.response_metadata?.next_cursor).toBe('');
    const after = await web.conversations.history({ channel: id, oldest: posted[2] });
    expect(after.messages?.map((m) => m.text)).toEqual(['m5', 'm4']);
    const link = await web.chat.getPermalink({ channel: id, message_ts: posted[0] as string });
    expect(link.permalink).toContain(`/archives/${id}/p${(posted[0] as string).replace('.', '')}`);
  });

  it('changes a message with chat.update and shows the edit', async () => {
    const p = await web.chat.postMessage({ channel: '#incidents', text: 'before' });
    const u = await web.chat.update({ channel: p.channel as string, ts: p.ts as string, text: 'after' });
    expect(u).toMatchObject({ ok: true, ts: p.ts, text: 'after' });
    const h = await web.conversations.history({ channel: p.channel as string });
    const m = h.messages?.find((x) => x.ts === p.ts);
    expect(m?.text).toBe('after');
    expect(m?.edited?.user).toBe('U0BREACHBOT');
  });

  it('keeps blocks an update leaves out and drops them on an empty array', async () => {
    const p = await web.chat.postMessage({ channel: '#incidents', text: 'with blocks', blocks: [{ type: 'divider' }] });
    const ref = { channel: p.channel as string, ts: p.ts as string };
    const find = async (): Promise<{ text?: string; blocks?: unknown[] } | undefined> =>
      (await web.conversations.history({ channel: ref.channel })).messages?.find((x) => x.ts === ref.ts);
    await web.chat.update({ ...ref, text: 'text only' });
    expect((await find())?.blocks).toEqual([{ type: 'divider' }]);
    await web.chat.update({ ...ref, text: 'cleared', blocks: [] });
    expect((await find())?.blocks).toBeUndefined();
  });

  it('creates, invites, sets topics, lists and describes conversations', async () => {
    const c = await web.conversations.create({ name: 'inc-7', is_private: true });
    const id = c.channel?.id as string;
    expect(id).toMatch(/^G/);
    await web.conversations.invite({ channel: id, users: 'U0COMMANDER,U0RESPONDER' });
    await expect(web.conversations.invite({ channel: id, users: 'U0COMMANDER' })).rejects.toMatchObject({ data: { error: 'already_in_channel' } });
    await web.conversations.setTopic({ channel: id, topic: 'INC-7' });
    const info = await web.conversations.info({ channel: id });
    expect(info.channel).toMatchObject({ name: 'inc-7', is_private: true, is_member: true, topic: { value: 'INC-7' } });
    const publicOnly = await web.conversations.list({});
    expect(publicOnly.channels?.map((x) => x.name)).not.toContain('inc-7');
    const both = await web.conversations.list({ types: 'public_channel,private_channel' });
    expect(both.channels?.map((x) => x.name)).toContain('inc-7');
  });

  it('opens a direct message when a user id is the channel, as Slack does', async () => {
    const posted = await web.chat.postMessage({ channel: 'U0DPOFFICER', text: 'GDPR clock: 24 h left' });
    expect(posted.channel).toMatch(/^D/);
    const opened = await web.conversations.open({ users: 'U0DPOFFICER' });
    expect(opened.channel?.id).toBe(posted.channel);
    const h = await web.conversations.history({ channel: posted.channel as string });
    expect(h.messages?.map((m) => m.text)).toEqual(['GDPR clock: 24 h left']);
    const ims = await web.conversations.list({ types: 'im' });
    expect(ims.channels?.map((c) => c.id)).toContain(posted.channel);
    const publicOnly = await web.conversations.list({});
    expect(publicOnly.channels?.map((c) => c.id)).not.toContain(posted.channel);
  });

  it('lists and describes users', async () => {
    const list = await web.users.list({});
    expect(list.members?.map((u) => u.id)).toEqual(['U0BREACHBOT', 'U0COMMANDER', 'U0RESPONDER', 'U0DPOFFICER']);
    const one = await web.users.info({ user: 'U0DPOFFICER' });
    expect(one.user).toMatchObject({ name: 'dpo', is_bot: false, profile: { email: 'dpo@example.test' } });
  });

  it('opens a modal once per trigger and only within three seconds, then updates and publishes views', async () => {
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Approve' }, blocks: [] };
    const trigger = sandbox.workspace.issueTrigger('U0COMMANDER');
    const opened = await web.views.open({ trigger_id: trigger, view });
    expect(opened.view?.id).toMatch(/^V/);
    await expect(web.views.open({ trigger_id: trigger, view })).rejects.toMatchObject({ data: { error: 'invalid_trigger_id' } });
    const late = sandbox.workspace.issueTrigger('U0COMMANDER');
    clockOffsetMs = 3_500;
    await expect(web.views.open({ trigger_id: late, view })).rejects.toMatchObject({ data: { error: 'expired_trigger_id' } });
    const updated = await web.views.update({ view_id: opened.view?.id as string, hash: opened.view?.hash as string, view: { ...view, title: { type: 'plain_text', text: 'Approved' } } });
    expect(updated.view?.title?.text).toBe('Approved');
    await expect(web.views.update({ view_id: opened.view?.id as string, hash: opened.view?.hash as string, view })).rejects.toMatchObject({ data: { error: 'hash_conflict' } });
    const home = await web.views.publish({ user_id: 'U0COMMANDER', view: { type: 'home', blocks: [] } });
    expect(home.ok).toBe(true);
  });

  it('answers an injected rate limit with 429 and Retry-After for the next N calls only', async () => {
    sandbox.faults.rateLimit('users.info', { calls: 2, retryAfterSeconds: 7 });
    const a = await raw('users.info', { auth: `Bearer ${sandbox.botToken}`, query: 'user=U0COMMANDER' });
    const b = await raw('users.info', { auth: `Bearer ${sandbox.botToken}`, query: 'user=U0COMMANDER' });
    const c = await raw('users.info', { auth: `Bearer ${sandbox.botToken}`, query: 'user=U0COMMANDER' });
    expect([a.status, b.status, c.status]).toEqual([429, 429, 200]);
    expect(a.headers.get('retry-after')).toBe('7');
    expect(a.json).toEqual({ ok: false, error: 'ratelimited' });
    // Other methods are unaffected.
    sandbox.faults.rateLimit('users.info', { calls: 1 });
    expect((await raw('auth.test', { auth: `Bearer ${sandbox.botToken}` })).status).toBe(200);
  });

  it('arms faults over HTTP for a sandbox in another process', async () => {
    const arm = (body: unknown): Promise<Response> => fetch(`${sandbox.baseUrl}/_sandbox/faults`, { method: 'POST', body: JSON.stringify(body) });
    expect((await arm({ failNext: { method: 'users.list', calls: 1, status: 500 } })).status).toBe(200);
    expect((await raw('users.list', { auth: `Bearer ${sandbox.botToken}` })).status).toBe(500);
    expect((await raw('users.list', { auth: `Bearer ${sandbox.botToken}` })).status).toBe(200);
    expect((await arm({ rateLimit: { method: 'users.list', calls: 0 } })).status).toBe(400);
    expect((await fetch(`${sandbox.baseUrl}/_sandbox/faults`, { method: 'POST', body: 'nope' })).status).toBe(400);
  });

  it('keeps serving after malformed requests', async () => {
    const res = await fetch(`${sandbox.baseUrl}/api/chat.postMessage`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: 'garbage' });
    expect(((await res.json()) as { error: string }).error).toBe('invalid_form_data');
    const big = await fetch(`${sandbox.baseUrl}/api/chat.postMessage`, { method: 'POST', body: 'x'.repeat(2 * 1024 * 1024) });
    expect(big.status).toBe(413);
    expect((await fetch(`${sandbox.baseUrl}/nowhere`)).status).toBe(404);
    expect((await web.auth.test()).ok).toBe(true);
  });

  it('records every call without tokens, serves the record, and journals it', async () => {
    await web.chat.postMessage({ channel: '#incidents', text: 'for the record' });
    const calls = sandbox.record.calls('chat.postMessage');
    const last = calls.at(-1);
    expect(last).toMatchObject({ method: 'chat.postMessage', transport: 'form', httpStatus: 200, ok: true, args: { channel: '#incidents', text: 'for the record' } });
    expect(JSON.stringify(sandbox.record.calls())).not.toContain(sandbox.botToken);

    const served = (await (await fetch(`${sandbox.baseUrl}/_sandbox/log`)).json()) as { calls: unknown[]; messages: Array<{ text: string }> };
    expect(served.calls.length).toBe(sandbox.record.calls().length);
    expect(served.messages.map((m) => m.text)).toContain('for the record');

    const journal = readFileSync(join(dataDir, RECORD_FILE), 'utf8');
    expect(journal).toContain('"for the record"');
    expect(journal).not.toContain(sandbox.botToken);
  });

  it('prints the record with `sandbox slack-log`, from a running sandbox and from the journal', async () => {
    await web.chat.postMessage({ channel: '#incidents', text: 'visible in slack-log' });
    const live = await slackLog({ url: sandbox.apiUrl }, { method: 'chat.postMessage', messages: true });
    expect(live).toMatch(/chat\.postMessage\s+200 ok/);
    expect(live).toContain('visible in slack-log');
    const fromFile = await slackLog({ dataDir }, { json: true });
    const parsed = JSON.parse(fromFile) as { calls: Array<{ method: string }>; messages: Array<{ text: string }> };
    expect(parsed.calls.length).toBe(sandbox.record.calls().length);
    expect(parsed.messages.map((m) => m.text)).toContain('visible in slack-log');
  });

  it('resumes workspace, credentials and record after a restart on the same data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'breachline-slack-restart-'));
    try {
      const first = await start({ dataDir: dir });
      const c1 = new WebClient(first.botToken, { slackApiUrl: first.apiUrl, retryConfig: { retries: 0 } });
      const ch = await c1.conversations.create({ name: 'inc-survives' });
      const posted = await c1.chat.postMessage({ channel: '#inc-survives', text: 'before restart' });
      const callsBefore = first.record.calls().length;
      await first.close();

      const second = await start({ dataDir: dir });
      try {
        expect(second.botToken).toBe(first.botToken);
        expect(second.signingSecret).toBe(first.signingSecret);
        const c2 = new WebClient(first.botToken, { slackApiUrl: second.apiUrl, retryConfig: { retries: 0 } });
        const h = await c2.conversations.history({ channel: ch.channel?.id as string });
        expect(h.messages?.map((m) => m.text)).toEqual(['before restart']);
        const next = await c2.chat.postMessage({ channel: '#inc-survives', text: 'after restart' });
        expect(Number(next.ts)).toBeGreaterThan(Number(posted.ts));
        const seqs = second.record.calls().map((c) => c.seq);
        expect(seqs.length).toBe(callsBefore + 2);
        expect(new Set(seqs).size).toBe(seqs.length);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts through the shared sandbox launcher used by `sandbox up --only slack`', async () => {
    const set = await startSandboxes({ only: ['slack'] });
    try {
      const s = set.get('slack');
      expect(s?.address).toMatch(/\/api\/$/);
      const client = new WebClient(String(s?.connection.botToken), { slackApiUrl: String(s?.connection.apiUrl) });
      expect((await client.auth.test()).ok).toBe(true);
    } finally {
      await set.close();
    }
  });
});
