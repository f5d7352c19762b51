import { status } from '@grpc/grpc-js';
import { Client, Connection } from '@temporalio/client';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertLog } from '../../../src/ingress/alert-log';
import { alertFingerprint } from '../../../src/ingress/fingerprint';
import { createMetrics, type BreachlineMetrics } from '../../../src/ingress/metrics';
import { createIngressServer, type IngressServer } from '../../../src/ingress/server';
import { silentLogger } from '../../../src/log/logger';
import { ApiKey, type RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { start, type RunningTemporalSandbox } from '../../../src/sandbox/temporal';
import { incidentWorkflowId } from '../../../workflows/api';
import { client as kafkaClient, startBroker } from '../kafka/helpers';
import { authHeaders, fixture, post, postAlert, recorded, repoRunbooks, testConfig } from './helpers';

/**
 * Durable mode (issue 15, item 3): alerts are appended to the alerts topic before their 202, a
 * correlator hands them to Temporal. Real kafkajs against the Kafka sandbox, the real Temporal
 * client against the Temporal sandbox; outages are the sandboxes' fault hooks.
 */

const TEMPORAL_RPCS = ['DescribeWorkflowExecution', 'SignalWithStartWorkflowExecution', 'SignalWorkflowExecution'];
const REQUEST_TIMED_OUT = 7;

let temporal: RunningTemporalSandbox;
let connection: Connection;
let client: Client;
let broker: RunningKafkaSandbox;
let kafka: Kafka;

beforeAll(async () => {
  temporal = await start();
  connection = await Connection.connect({ address: temporal.address });
  client = new Client({ connection });
  broker = await startBroker();
  kafka = kafkaClient(broker);
});
afterAll(async () => {
  await connection?.close();
  await temporal?.close();
  await broker?.close();
});

/** An ingress in durable mode on its own alerts topic, correlating in this process. */
async function durableIngress(topic: string, metrics: BreachlineMetrics = createMetrics()): Promise<{ server: IngressServer; url: string; metrics: BreachlineMetrics }> {
  const config = testConfig({ durable: true, alertsTopic: topic, alertsTopicPartitions: 3, correlatorGroup: `correlator-${topic}` });
  const alertLog = await createAlertLog({ kafka, topic, partitions: 3, appendTimeoutMs: 3_000 });
  const server = createIngressServer({ config, temporalClient: client, runbooks: await repoRunbooks(), logger: silentLogger, metrics, alertLog, kafka, acceptTimeoutMs: 2_000 });
  const { url } = await server.listen(0);
  return { server, url, metrics };
}

function temporalDown(): void {
  for (const rpc of TEMPORAL_RPCS) temporal.faults.failNext(rpc, 1_000_000, status.UNAVAILABLE);
}

async function counter(metrics: BreachlineMetrics, name: string, label: string): Promise<number> {
  const text = await metrics.registry.getSingleMetricAsString(name);
  return [...text.matchAll(new RegExp(`${label}\\} (\\d+)`, 'g'))].reduce((n, m) => n + Number(m[1]), 0);
}

/** Polls until `check` holds (the proving event), failing after `ms`. */
async function eventually(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `perPrincipal` alerts (distinct ids) for each of `principals` new principals. */
function storm(tag: string, principals: number, perPrincipal: number): { principal: string; id: string }[] {
  return Array.from({ length: principals * perPrincipal }, (_, i) => ({ principal: `User:${tag}-${i % principals}`, id: `${tag}-${i}` }));
}

function workflowIdOf(principal: string): string {
  return incidentWorkflowId(alertFingerprint({ source: 'generic', rule: 'kafka-pii-bulk-read', principal }));
}

/** Every alert id is recorded on its principal's incident, and each incident has exactly one run. */
async function allCorrelated(alerts: readonly { principal: string; id: string }[]): Promise<boolean> {
  for (const principal of new Set(alerts.map((a) => a.principal))) {
    const workflowId = workflowIdOf(principal);
    if ((await client.workflow.count(`WorkflowId = '${workflowId}'`)).count === 0) return false;
    const ids = new Set((await recorded(client, workflowId)).signals.map((s) => s.alertId));
    if (!alerts.filter((a) => a.principal === principal).every((a) => ids.has(a.id))) return false;
  }
  return true;
}

async function expectExactlyOnce(alerts: readonly { principal: string; id: string }[]): Promise<void> {
  for (const principal of new Set(alerts.map((a) => a.principal))) {
    const workflowId = workflowIdOf(principal);
    expect((await client.workflow.count(`WorkflowId = '${workflowId}'`)).count).toBe(1);
    const ids = (await recorded(client, workflowId)).signals.map((s) => s.alertId);
    expect(new Set(ids)).toEqual(new Set(alerts.filter((a) => a.principal === principal).map((a) => a.id)));
  }
}

describe('durable ingress: the alerts topic first, Temporal after', () => {
  it('Temporal down → every alert 202 "durably accepted"; Temporal back → each incident opens exactly once with every alert', { timeout: 60_000 }, async () => {
    const { server, url, metrics } = await durableIngress('alerts-outage');
    const alerts = storm('outage', 4, 5);
    try {
      temporalDown();
      const before = (await client.workflow.count()).count;
      const answers = await Promise.all(alerts.map((a) => postAlert(url, 'generic', { ...fixture('generic'), id: a.id, principal: a.principal })));
      expect(answers.map((a) => a.status)).toEqual(alerts.map(() => 202));
      expect(answers[0]?.body).toMatchObject({ status: 'durably accepted', workflowId: workflowIdOf(alerts[0]?.principal ?? '') });
      expect(await counter(metrics, 'breachline_ingress_alerts_logged_total', '"')).toBe(alerts.length);
      // The proving event of the outage: the correlator tried and Temporal refused.
      await eventually(async () => (await counter(metrics, 'breachline_correlator_records_total', 'outcome="retried"')) > 0, 20_000, 'a refused correlation');
      expect((await client.workflow.count()).count).toBe(before);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);

      temporal.faults.clear();
      await eventually(() => allCorrelated(alerts), 40_000, 'every alert correlated');
      await expectExactlyOnce(alerts);
      expect((await client.workflow.count()).count).toBe(before + 4);
    } finally {
      temporal.faults.clear();
      await server.close();
    }
  });

  it('ingress stopped with records not yet correlated → a new ingress process correlates them after restart', { timeout: 60_000 }, async () => {
    const alerts = storm('restart', 3, 3);
    temporalDown();
    const first = await durableIngress('alerts-restart');
    try {
      const answers = await Promise.all(alerts.map((a) => postAlert(first.url, 'generic', { ...fixture('generic'), id: a.id, principal: a.principal })));
      expect(answers.every((a) => a.status === 202)).toBe(true);
      await eventually(async () => (await counter(first.metrics, 'breachline_correlator_records_total', 'outcome="retried"')) > 0, 20_000, 'a refused correlation');
    } finally {
      await first.server.close();
    }
    temporal.faults.clear();
    expect(await allCorrelated(alerts)).toBe(false);
    const second = await durableIngress('alerts-restart');
    try {
      await eventually(() => allCorrelated(alerts), 40_000, 'every alert correlated after the restart');
      await expectExactlyOnce(alerts);
    } finally {
      await second.server.close();
    }
  });

  it('Kafka not acknowledging → 503 alert_log_unavailable, nothing reaches Temporal; the same request once Kafka is back → 202', { timeout: 60_000 }, async () => {
    const { server, url } = await durableIngress('alerts-kafka-down');
    try {
      const payload = { ...fixture('generic'), id: 'kafka-down-1', principal: 'User:kafka-down' };
      const body = JSON.stringify(payload);
      const headers = authHeaders('generic', body);
      broker.broker.faults.failNext(ApiKey.Produce, 1_000, REQUEST_TIMED_OUT);
      const during = await post(url, 'generic', body, headers);
      broker.broker.faults.reset();
      expect(during.status).toBe(503);
      expect(during.body).toMatchObject({ error: 'alert_log_unavailable' });
      expect(Number(during.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await client.workflow.count(`WorkflowId = '${workflowIdOf('User:kafka-down')}'`)).count).toBe(0);

      const after = await post(url, 'generic', body, headers);
      expect(after.status).toBe(202);
      await eventually(() => allCorrelated([{ principal: 'User:kafka-down', id: 'kafka-down-1' }]), 20_000, 'the alert correlated');
    } finally {
      await server.close();
    }
  });
});
