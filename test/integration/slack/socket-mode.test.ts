import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { silentLogger } from '../../../src/log/logger';
import { start, type RunningSlackSandbox } from '../../../src/sandbox/slack/index';
import { createSlackApp } from '../../../src/slack/app';

/**
 * Socket Mode wiring (issue 15): the app verifies its bot token, then asks `apps.connections.open`
 * with the app-level token on the configured API base and connects to the URL it gets. The
 * sandbox refuses what Slack refuses: an unknown app token, a bot token in its place, a
 * connection URL used twice.
 */
describe('slack: Socket Mode receiver against the sandbox', () => {
  let sandbox: RunningSlackSandbox;
  beforeAll(async () => {
    sandbox = await start();
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  const open = async (token: string): Promise<{ ok: boolean; url?: string; error?: string }> => {
    const res = await fetch(`${sandbox.apiUrl}apps.connections.open`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    return (await res.json()) as { ok: boolean; url?: string; error?: string };
  };

  /** Opens a raw WebSocket on `url`; resolves to its first message, or to the HTTP status that refused it. */
  const firstMessage = (url: string): Promise<{ message?: Record<string, unknown>; refused?: number }> =>
    new Promise((resolve) => {
      const ws = new WebSocket(url);
      ws.once('message', (data) => {
        resolve({ message: JSON.parse(String(data)) as Record<string, unknown> });
        ws.close();
      });
      ws.once('unexpected-response', (_req, res) => {
        resolve({ refused: res.statusCode ?? 0 });
        ws.terminate();
      });
      ws.once('error', () => undefined);
    });

  it('connects with the sandbox\'s app token: verifies the bot token first, stops cleanly', async () => {
    const handle = createSlackApp({ botToken: sandbox.botToken, signingSecret: '', apiUrl: sandbox.apiUrl, logger: silentLogger, socketMode: { appToken: sandbox.appToken } });
    expect(handle.requestUrl).toBe('');
    await handle.start();
    expect(sandbox.record.calls('auth.test').length).toBeGreaterThan(0);
    expect(sandbox.record.calls('apps.connections.open').at(-1)).toMatchObject({ ok: true });
    expect(sandbox.socketMode.connections).toBe(1);
    await handle.stop();
    // The recorded call holds no token (it travelled in the Authorization header).
    expect(JSON.stringify(sandbox.record.calls('apps.connections.open'))).not.toContain(sandbox.appToken);
  });

  it('refuses a wrong app token: the app does not start, and says why', async () => {
    const handle = createSlackApp({ botToken: sandbox.botToken, signingSecret: '', apiUrl: sandbox.apiUrl, logger: silentLogger, socketMode: { appToken: 'xapp-1-A0BREACHAPP-0000000000000-not-the-app-token' } });
    await expect(handle.start()).rejects.toThrow(/invalid_auth/);
    expect(sandbox.record.calls('apps.connections.open').at(-1)).toMatchObject({ ok: false, error: 'invalid_auth' });
    await handle.stop();
  });

  it('answers a bot token in place of the app token with not_allowed_token_type, and nothing without one', async () => {
    expect(await open(sandbox.botToken)).toEqual({ ok: false, error: 'not_allowed_token_type' });
    const none = await fetch(`${sandbox.apiUrl}apps.connections.open`, { method: 'POST' });
    expect(await none.json()).toEqual({ ok: false, error: 'not_authed' });
    // The app token opens nothing else of the Web API.
    const post = await fetch(`${sandbox.apiUrl}chat.postMessage`, { method: 'POST', headers: { authorization: `Bearer ${sandbox.appToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ channel: '#incidents', text: 'x' }) });
    expect(await post.json()).toMatchObject({ ok: false, error: 'invalid_auth' });
  });

  it('greets a connection with hello, and refuses its URL a second time or with a made-up ticket', async () => {
    const { url } = await open(sandbox.appToken);
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f]{32}/);
    const first = await firstMessage(url!);
    expect(first.message).toMatchObject({ type: 'hello', connection_info: { app_id: 'A0BREACHAPP' } });
    expect(await firstMessage(url!)).toEqual({ refused: 401 });
    expect(await firstMessage(url!.replace(/ticket=[0-9a-f]+/, `ticket=${'0'.repeat(32)}`))).toEqual({ refused: 401 });
  });
});
