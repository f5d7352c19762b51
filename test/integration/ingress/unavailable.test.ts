import { createServer } from 'node:net';
import { status } from '@grpc/grpc-js';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/ingress/metrics';
import { createIngressServer, type IngressServer } from '../../../src/ingress/server';
import { silentLogger } from '../../../src/log/logger';
import { authHeaders, fixture, post, postAlert, repoRunbooks, startRig, testConfig, workflowCount, type IngressRig } from './helpers';

/** A port that was free a moment ago and has nothing listening now. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

let rig: IngressRig;
let downServer: IngressServer;
let downConnection: Connection;
let downUrl: string;

beforeAll(async () => {
  rig = await startRig({ acceptTimeoutMs: 1500 });
  downConnection = Connection.lazy({ address: `127.0.0.1:${await deadPort()}` });
  downServer = createIngressServer({
    config: testConfig(),
    temporalClient: new Client({ connection: downConnection }),
    runbooks: await repoRunbooks(),
    logger: silentLogger,
    metrics: createMetrics(),
    acceptTimeoutMs: 1500,
  });
  downUrl = (await downServer.listen(0)).url;
});
afterAll(async () => {
  await downServer?.close();
  await downConnection?.close();
  await rig?.close();
});

describe('Temporal unavailable', () => {
  it('no Temporal at all → 503 with Retry-After, never 202; /readyz 503, /healthz 200', async () => {
    const answer = await postAlert(downUrl, 'generic', fixture('generic'));
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ error: 'temporal_unavailable', message: expect.stringMatching(/retry/i) });
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await fetch(`${downUrl}/readyz`)).status).toBe(503);
    expect((await fetch(`${downUrl}/healthz`)).status).toBe(200);
  });

  it('Temporal failing → 503; the sender retrying the very same signed request once Temporal is back is accepted, not a replay', async () => {
    const before = await workflowCount(rig.client);
    const body = JSON.stringify({ ...fixture('generic'), id: 'retry-after-outage' });
    const headers = authHeaders('generic', body);
    rig.sandbox.faults.failNext('SignalWithStartWorkflowExecution', 1_000_000, status.UNAVAILABLE);
    try {
      const during = await post(rig.url, 'generic', body, headers);
      expect(during.status).toBe(503);
      expect(during.headers.get('retry-after')).toBe('5');
      expect(await workflowCount(rig.client)).toBe(before);
    } finally {
      rig.sandbox.faults.clear();
    }
    const after = await post(rig.url, 'generic', body, headers);
    expect(after.status).toBe(202);
    expect(after.body.duplicate).toBe(false);
    expect(await workflowCount(rig.client)).toBe(before + 1);
  });

  it('Temporal refusing for a reason a retry cannot fix → 500, still never 202', async () => {
    rig.sandbox.faults.failNext('SignalWithStartWorkflowExecution', 1, status.INVALID_ARGUMENT);
    // The fingerprint's incident is open and known to this ingress: the alert goes as a batch signal.
    rig.sandbox.faults.failNext('SignalWorkflowExecution', 1, status.INVALID_ARGUMENT);
    const answer = await postAlert(rig.url, 'generic', { ...fixture('generic'), id: 'refused' });
    rig.sandbox.faults.clear();
    expect(answer.status).toBe(500);
    expect(answer.body).toMatchObject({ error: 'internal', message: expect.stringMatching(/INVALID_ARGUMENT/) });
  });

  it('counts outages in the metrics', async () => {
    const text = await (await fetch(`${downUrl}/metrics`)).text();
    expect(text).toMatch(/breachline_ingress_alerts_total\{source="generic",outcome="unavailable",code="temporal_unavailable"\} 1/);
  });
});
