import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/logger';
import { start, type RunningSlackSandbox } from '../../../src/sandbox/slack/index';
import { createSlackApp } from '../../../src/slack/app';

/**
 * Socket Mode wiring: the app verifies its bot token, then asks `apps.connections.open` with the
 * app-level token (not the bot token) on the configured API base. The Slack sandbox does not serve
 * `apps.connections.open` nor a WebSocket yet, so the proof stops at that call (answered
 * `unknown_method`, as Slack answers a method it does not serve); the event round trip over the
 * socket is not tested.
 */
describe('slack: Socket Mode receiver', () => {
  let sandbox: RunningSlackSandbox;
  beforeAll(async () => {
    sandbox = await start();
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('verifies the bot token, then asks apps.connections.open on the configured API, and stops cleanly', async () => {
    const appToken = 'xapp-1-A0TEST-1234567890-socketmodetoken';
    const handle = createSlackApp({ botToken: sandbox.botToken, signingSecret: '', apiUrl: sandbox.apiUrl, logger: silentLogger, socketMode: { appToken } });
    expect(handle.requestUrl).toBe('');
    const starting = handle.start().then(() => 'connected', (e: unknown) => `refused: ${String(e)}`);
    while (sandbox.record.calls('apps.connections.open').length === 0) await new Promise((r) => setTimeout(r, 20));
    expect(sandbox.record.calls('auth.test').length).toBeGreaterThan(0);
    // The sandbox answers what Slack answers for a method it does not serve.
    expect(sandbox.record.calls('apps.connections.open')[0]).toMatchObject({ ok: false, error: 'unknown_method' });
    await handle.stop();
    // Bolt's socket client treats unknown_method as recoverable and would retry; it never connected.
    expect(await Promise.race([starting, Promise.resolve('not connected')])).not.toBe('connected');
  });
});
