import { spawn, type ChildProcess } from 'node:child_process';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { start, type RunningTemporalSandbox } from '../../../src/sandbox/temporal';
import { client as kafkaClient, startBroker } from '../kafka/helpers';
import { authHeaders, everyAlertCorrelated, fixture, postVia, recorded } from './helpers';
import { freePort } from '../../support/free-port';
import { breachlineEnv, runBreachline, stopChildren } from './processes';

/**
 * The ingress and the correlator as processes of their own (issue 15, storm): `breachline ingress
 * --no-correlator` only validates, authenticates and appends to the alerts topic; nothing reaches
 * Temporal until `breachline correlator` runs, and then a storm of duplicates is one incident with
 * every alert id recorded, and every new principal its own incident. Both are the real commands in
 * child processes.
 */

const ROOT = join(__dirname, '..', '..', '..');
const TOPIC = 'breachline.alerts.split-test';

let temporal: RunningTemporalSandbox;
let connection: Connection;
let client: Client;
let broker: RunningKafkaSandbox;
const children: ChildProcess[] = [];
let env: NodeJS.ProcessEnv;


/** Runs a breachline command in a child; resolves with its first line matching `ready`. */
function run(args: string[], ready: RegExp): Promise<string> {
  return runBreachline(args, env, ready, children);
}

beforeAll(async () => {
  temporal = await start();
  connection = await Connection.connect({ address: temporal.address, channelArgs: { 'grpc.max_receive_message_length': 64 * 1024 * 1024 } });
  client = new Client({ connection });
  broker = await startBroker();
  env = breachlineEnv(temporal, broker, {
    BREACHLINE_TEMPORAL_TASK_QUEUE: 'breachline-split-test',
    BREACHLINE_INGRESS_DURABLE: 'true',
    BREACHLINE_INGRESS_ALERTS_TOPIC: TOPIC,
    BREACHLINE_LOG_LEVEL: 'warn',
  });

}, 120_000);

afterAll(async () => {
  await stopChildren(children);
  await connection?.close();
  await temporal?.close();
  await broker?.close();
});

describe('ingress and correlator as separate processes', () => {
  it('the ingress alone appends and answers 202; the correlator then opens one incident per fingerprint with every alert id', { timeout: 180_000 }, async () => {
    const port = await freePort();
    await run(['ingress', '--no-correlator', '--ingress-workers', '2', '--port', String(port)], /ingress listening on .*\n/);
    const url = `http://127.0.0.1:${port}`;
    const TOTAL = 300;
    const sent = Array.from({ length: TOTAL }, (_, i) => ({ principal: i % 50 === 0 ? `User:split-new-${i}` : 'User:split-storm', id: `split-${i}` }));
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const statuses = await Promise.all(
      sent.map(async (a) => {
        const body = JSON.stringify({ ...fixture('generic'), id: a.id, principal: a.principal });
        return (await postVia(agent, url, '/v1/alerts/generic', body, authHeaders('generic', body))).status;
      }),
    );
    agent.destroy();
    expect(statuses.filter((s) => s !== 202)).toEqual([]);

    // Every 202 is on the alerts topic, and no ingress process handed anything to Temporal.
    const admin = kafkaClient(broker).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(TOPIC);
    await admin.disconnect();
    expect(offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0)).toBe(TOTAL);
    expect((await client.workflow.count()).count).toBe(0);

    const banner = await run(['correlator'], /correlator running .*\n/);
    expect(banner).toContain(TOPIC);
    const principals = [...new Set(sent.map((a) => a.principal))];
    const workflowIdOf = await everyAlertCorrelated(client, sent);
    for (const principal of principals) expect((await client.workflow.count(`WorkflowId = '${workflowIdOf(principal)}'`)).count).toBe(1);
    expect((await client.workflow.count()).count).toBe(principals.length);
    const storm = await recorded(client, workflowIdOf('User:split-storm'));
    expect(new Set(storm.signals.map((s) => s.alertId)).size).toBe(sent.filter((a) => a.principal === 'User:split-storm').length);
    // Coalesced: far fewer Temporal signals than the storm's alerts.
    expect(storm.signalCount).toBeLessThan(100);
  });

  it('`breachline correlator` without Kafka refuses to start and says what to set', async () => {
    const bare: NodeJS.ProcessEnv = { ...env };
    delete bare.BREACHLINE_KAFKA_BROKERS;
    const proc = spawn(process.execPath, [join(ROOT, 'bin', 'breachline'), 'correlator'], { env: bare, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
    proc.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(out).toContain('BREACHLINE_KAFKA_BROKERS');
    expect(out).not.toContain('correlator running');
  }, 60_000);
});
