import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertFingerprint } from '../../../src/ingress/fingerprint';
import { createMetrics } from '../../../src/ingress/metrics';
import { createIngressServer } from '../../../src/ingress/server';
import { silentLogger } from '../../../src/log/logger';
import { INCIDENT_WORKFLOW_TYPE, incidentWorkflowId } from '../../../workflows/api';
import { authHeaders, fixture, postVia, recorded, repoRunbooks, startRig, testConfig, workflowCount, type IngressRig } from './helpers';

let rig: IngressRig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});

const TOTAL = 10_000;
const CONCURRENCY = 32;

describe('a storm of duplicate alerts', () => {
  it(`${TOTAL} alerts with one fingerprint over real HTTP → exactly one incident, every alert recorded`, { timeout: 240_000 }, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const before = await workflowCount(rig.client);
    const answers: { status: number; incidentId?: string; duplicate?: boolean }[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < TOTAL) {
        const i = next++;
        // A storm is many alerts (distinct ids, so distinct signatures) about one thing.
        const body = JSON.stringify({ ...fixture('generic'), id: `storm-${i}` });
        const res = await postVia(agent, rig.url, '/v1/alerts/generic', body, authHeaders('generic', body));
        answers.push({ status: res.status, ...(res.body as { incidentId?: string; duplicate?: boolean }) });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    agent.destroy();

    const workflowId = incidentWorkflowId(alertFingerprint({ source: 'generic', rule: 'kafka-pii-bulk-read', principal: 'User:report-exporter' }));
    expect(answers).toHaveLength(TOTAL);
    expect(answers.filter((a) => a.status !== 202)).toEqual([]);
    expect(new Set(answers.map((a) => a.incidentId))).toEqual(new Set([workflowId]));
    expect(answers.filter((a) => a.duplicate === false)).toHaveLength(1);

    expect(await workflowCount(rig.client)).toBe(before + 1);
    expect((await rig.client.workflow.count(`WorkflowType = '${INCIDENT_WORKFLOW_TYPE}'`)).count).toBe(1);
    const { signals, signalCount } = await recorded(rig.client, workflowId);
    // Every alert id reached the incident, but coalesced: far fewer signals (Temporal calls) than alerts.
    expect(new Set(signals.map((s) => s.alertId)).size).toBe(TOTAL);
    expect(signals).toHaveLength(TOTAL);
    expect(signalCount).toBeLessThan(TOTAL / 10);
    const calls = await rig.server.metrics.registry.getSingleMetricAsString('breachline_ingress_temporal_calls_total');
    const made = [...calls.matchAll(/call="(\w+)"\} (\d+)/g)].reduce((n, m) => n + Number(m[2]), 0);
    expect(made).toBe(signalCount + 1); // one describe before the start, then one call per signal
  });

  it('the same alert id again (a SIEM re-sending) is answered from the cache: no Temporal call at all', async () => {
    const principal = 'User:resender';
    const body = JSON.stringify({ ...fixture('generic'), id: 'resent-1', principal });
    expect((await postVia(new Agent(), rig.url, '/v1/alerts/generic', body, authHeaders('generic', body))).status).toBe(202);
    const before = await rig.server.metrics.registry.getSingleMetricAsString('breachline_ingress_temporal_calls_total');
    for (let i = 0; i < 20; i++) {
      // A new signature each time (the replay guard would refuse the same bytes), the same alert id.
      const again = JSON.stringify({ ...fixture('generic'), id: 'resent-1', principal, title: `resend ${i}` });
      const res = await postVia(new Agent(), rig.url, '/v1/alerts/generic', again, authHeaders('generic', again));
      expect(res).toMatchObject({ status: 202, body: { duplicate: true } });
    }
    expect(await rig.server.metrics.registry.getSingleMetricAsString('breachline_ingress_temporal_calls_total')).toBe(before);
    const workflowId = incidentWorkflowId(alertFingerprint({ source: 'generic', rule: 'kafka-pii-bulk-read', principal }));
    expect((await recorded(rig.client, workflowId)).signals.map((s) => s.alertId)).toEqual(['resent-1']);
  });

  it('two ingress replicas racing on one new fingerprint → one incident, exactly one duplicate:false', async () => {
    const replica = createIngressServer({ config: testConfig(), temporalClient: rig.client, runbooks: await repoRunbooks(), logger: silentLogger, metrics: createMetrics() });
    const second = (await replica.listen(0)).url;
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    try {
      const principal = 'User:replica-race';
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) => {
          const body = JSON.stringify({ ...fixture('generic'), id: `race-${i}`, principal });
          return postVia(agent, i % 2 === 0 ? rig.url : second, '/v1/alerts/generic', body, authHeaders('generic', body));
        }),
      );
      expect(answers.every((a) => a.status === 202)).toBe(true);
      expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(1);
      const workflowId = incidentWorkflowId(alertFingerprint({ source: 'generic', rule: 'kafka-pii-bulk-read', principal }));
      expect((await rig.client.workflow.count(`WorkflowId = '${workflowId}'`)).count).toBe(1);
      expect(new Set((await recorded(rig.client, workflowId)).signals.map((s) => s.alertId)).size).toBe(200);
    } finally {
      agent.destroy();
      await replica.close();
    }
  });
});
