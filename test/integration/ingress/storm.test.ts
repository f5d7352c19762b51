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
    const { signals } = await recorded(rig.client, workflowId);
    expect(signals).toHaveLength(TOTAL);
    expect(new Set(signals.map((s) => s.alertId)).size).toBe(TOTAL);
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
      expect((await recorded(rig.client, workflowId)).signals).toHaveLength(200);
    } finally {
      agent.destroy();
      await replica.close();
    }
  });
});
