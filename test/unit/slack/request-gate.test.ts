import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/logger';
import { ReplayGuard } from '../../../src/security/replay-guard';
import { createRequestGate } from '../../../src/slack/request-gate';

const SECRET = 'gate-test-signing-secret-000001';
let server: Server;
let url: string;
/** Requests the gate let through to the app behind it. */
let passed = 0;

beforeAll(async () => {
  const gate = createRequestGate(
    { signingSecret: SECRET, endpoints: ['/slack/events'], now: () => Date.now(), replayGuard: new ReplayGuard(), bodyLimitBytes: 64 * 1024, logger: silentLogger },
    (_req, res) => {
      passed += 1;
      res.writeHead(200).end('ok');
    },
  );
  server = createServer((req, res) => void gate(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** A slash command signed by Slack's recipe, computed here independently of the gate. */
function signed(text: string): { body: string; timestamp: string; hex: string } {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const body = new URLSearchParams({ command: '/ir', text, user_id: 'U0ATTACKER' }).toString();
  const hex = createHmac('sha256', SECRET).update(`v0:${timestamp}:${body}`).digest('hex');
  return { body, timestamp, hex };
}

function send(body: string, timestamp: string, signature: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature },
  });
}

describe('Slack request gate against replays', () => {
  it('a replay respelled (upper-case hex, padded with whitespace) is refused and never reaches the app', async () => {
    const { body, timestamp, hex } = signed('approve inc-1');
    expect((await send(body, timestamp, `v0=${hex}`)).status).toBe(200);
    const before = passed;
    for (const spelling of [`v0=${hex.toUpperCase()}`, ` v0=${hex}\t`, `\tv0=${hex.toUpperCase()} `]) {
      expect({ spelling, status: (await send(body, timestamp, spelling)).status }).toEqual({ spelling, status: 401 });
    }
    expect(passed).toBe(before);
  });

  it('a new request with its own signature still passes', async () => {
    const before = passed;
    const { body, timestamp, hex } = signed('status inc-2');
    expect((await send(body, timestamp, `v0=${hex.toUpperCase()}`)).status).toBe(200);
    expect(passed).toBe(before + 1);
  });
});
