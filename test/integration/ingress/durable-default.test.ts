import type { ChildProcess } from 'node:child_process';
import { status } from '@grpc/grpc-js';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertFingerprint } from '../../../src/ingress/fingerprint';
import type { RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { start, type RunningTemporalSandbox } from '../../../src/sandbox/temporal';
import { incidentWorkflowId } from '../../../workflows/api';
import { client as kafkaClient, startBroker } from '../kafka/helpers';
import { eventually, fixture, postAlert, recorded } from './helpers';
import { freePort } from '../../support/free-port';
import { breachlineEnv, runBreachline, stopChildren } from './processes';

/**
 * Durable ingress is the default wherever a Kafka is configured (issue 15): `breachline ingress`
 * with Kafka and Temporal configured and BREACHLINE_INGRESS_DURABLE unset answers 202 "durably
 * accepted" while Temporal refuses everything (the sandbox's fault hooks), and once Temporal is
 * back every alert becomes its incident exactly once. BREACHLINE_INGRESS_DURABLE=false is direct
 * mode: the same outage is a 503. The ingress is the real command in a child process.
 */

const TEMPORAL_RPCS = ['DescribeWorkflowExecution', 'SignalWithStartWorkflowExecution', 'SignalWorkflowExecution'];

let temporal: RunningTemporalSandbox;
let connection: Connection;
let client: Client;
let broker: RunningKafkaSandbox;
/** The Temporal that comes up only after the alerts were accepted. */
let later: RunningTemporalSandbox | undefined;
const children: ChildProcess[] = [];


/** `breachline ingress` with Kafka configured and `extra` on top; resolves with its URL once it listens. */
async function ingress(extra: Record<string, string>): Promise<string> {
  const port = await freePort();
  const env = breachlineEnv(temporal, broker, { BREACHLINE_TEMPORAL_TASK_QUEUE: 'breachline-durable-default', BREACHLINE_LOG_LEVEL: 'error', ...extra });
  await runBreachline(['ingress', '--port', String(port)], env, /ingress listening on /, children);
  return `http://127.0.0.1:${port}`;
}

function temporalDown(): void {
  for (const rpc of TEMPORAL_RPCS) temporal.faults.failNext(rpc, 1_000_000, status.UNAVAILABLE);
}


const workflowIdOf = (principal: string): string => incidentWorkflowId(alertFingerprint({ source: 'generic', rule: 'kafka-pii-bulk-read', principal }));

beforeAll(async () => {
  temporal = await start();
  connection = await Connection.connect({ address: temporal.address });
  client = new Client({ connection });
  broker = await startBroker();
}, 60_000);

afterAll(async () => {
  temporal?.faults.clear();
  await stopChildren(children);
  await later?.close();
  await connection?.close();
  await temporal?.close();
  await broker?.close();
});

describe('durable ingress by default wherever a Kafka is configured', () => {
  it('Temporal down → 202 durably accepted; Temporal back → every alert its incident exactly once', { timeout: 120_000 }, async () => {
    const url = await ingress({});
    const alerts = Array.from({ length: 12 }, (_, i) => ({ principal: `User:default-${i % 3}`, id: `default-${i}` }));
    temporalDown();
    try {
      const answers = await Promise.all(alerts.map((a) => postAlert(url, 'generic', { ...fixture('generic'), id: a.id, principal: a.principal })));
      expect(answers.map((a) => a.status)).toEqual(alerts.map(() => 202));
      expect(answers[0]?.body).toMatchObject({ status: 'durably accepted', workflowId: workflowIdOf(alerts[0]?.principal ?? '') });
      // Every 202 is on the alerts topic (the default one), and Temporal holds none of them.
      const admin = kafkaClient(broker).admin();
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets('breachline.alerts');
      await admin.disconnect();
      expect(offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0)).toBe(alerts.length);
      expect((await client.workflow.count()).count).toBe(0);
    } finally {
      temporal.faults.clear();
    }
    const principals = [...new Set(alerts.map((a) => a.principal))];
    const allRecorded = async (): Promise<boolean> => {
      for (const principal of principals) {
        if ((await client.workflow.count(`WorkflowId = '${workflowIdOf(principal)}'`)).count === 0) return false;
        const ids = new Set((await recorded(client, workflowIdOf(principal))).signals.map((s) => s.alertId));
        if (!alerts.every((a) => a.principal !== principal || ids.has(a.id))) return false;
      }
      return true;
    };
    await eventually(allRecorded, 90_000, 'every alert correlated once Temporal is back');
    for (const principal of principals) {
      expect((await client.workflow.count(`WorkflowId = '${workflowIdOf(principal)}'`)).count).toBe(1);
      const ids = (await recorded(client, workflowIdOf(principal))).signals.map((s) => s.alertId);
      expect(ids.sort()).toEqual(alerts.filter((a) => a.principal === principal).map((a) => a.id).sort());
    }
    expect((await client.workflow.count()).count).toBe(principals.length);
  });

  it('BREACHLINE_INGRESS_DURABLE=false is direct mode: the same outage is a 503, nothing accepted', { timeout: 60_000 }, async () => {
    const url = await ingress({ BREACHLINE_INGRESS_DURABLE: 'false' });
    temporalDown();
    try {
      const answer = await postAlert(url, 'generic', { ...fixture('generic'), id: 'direct-1', principal: 'User:direct' });
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ error: 'temporal_unavailable' });
    } finally {
      temporal.faults.clear();
    }
  });

  it('starts and answers 202 with Temporal unreachable; a Temporal that comes up later gets every alert once', { timeout: 150_000 }, async () => {
    // One consumer group: an old member must not take new partitions.
    await stopChildren(children);
    const port = await freePort();
    const url = await ingress({ BREACHLINE_TEMPORAL_ADDRESS: `127.0.0.1:${port}`, BREACHLINE_INGRESS_ALERTS_TOPIC: 'alerts-unreachable' });
    const alerts = Array.from({ length: 6 }, (_, i) => ({ principal: `User:unreachable-${i % 2}`, id: `unreachable-${i}` }));
    const answers = await Promise.all(alerts.map((a) => postAlert(url, 'generic', { ...fixture('generic'), id: a.id, principal: a.principal })));
    expect(answers.map((a) => a.status)).toEqual(alerts.map(() => 202));
    expect(answers[0]?.body).toMatchObject({ status: 'durably accepted' });

    later = await start({ port });
    const laterConnection = await Connection.connect({ address: later.address });
    try {
      const laterClient = new Client({ connection: laterConnection });
      const principals = [...new Set(alerts.map((a) => a.principal))];
      const allRecorded = async (): Promise<boolean> => {
        for (const principal of principals) {
          if ((await laterClient.workflow.count(`WorkflowId = '${workflowIdOf(principal)}'`)).count === 0) return false;
          const ids = new Set((await recorded(laterClient, workflowIdOf(principal))).signals.map((s) => s.alertId));
          if (!alerts.every((a) => a.principal !== principal || ids.has(a.id))) return false;
        }
        return true;
      };
      await eventually(allRecorded, 120_000, 'every alert correlated once Temporal is up');
      for (const principal of principals) expect((await laterClient.workflow.count(`WorkflowId = '${workflowIdOf(principal)}'`)).count).toBe(1);
      expect((await laterClient.workflow.count()).count).toBe(principals.length);
    } finally {
      await laterConnection.close();
    }
  });
});
