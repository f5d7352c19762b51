import { spawn, type ChildProcess } from 'node:child_process';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { start, type RunningTemporalSandbox } from '../../../src/sandbox/temporal';
import { startBroker } from '../kafka/helpers';
import { authHeaders, everyAlertCorrelated, fixture, postVia, recorded, SECRETS } from './helpers';
import { freePort } from '../../support/free-port';
import { breachlineEnv, runBreachline, stopChildren } from './processes';

/**
 * `breachline ingress --ingress-workers 2` (issue 15, item 3): two processes behind one port,
 * sharing nothing but Kafka and Temporal, in durable mode. Run as the real command in a child
 * process; its workers are node:cluster forks of it.
 */

const ROOT = join(__dirname, '..', '..', '..');

let temporal: RunningTemporalSandbox;
let connection: Connection;
let client: Client;
let broker: RunningKafkaSandbox;
const children: ChildProcess[] = [];
let url: string;
let banner: string;


beforeAll(async () => {
  temporal = await start();
  connection = await Connection.connect({ address: temporal.address, channelArgs: { 'grpc.max_receive_message_length': 64 * 1024 * 1024 } });
  client = new Client({ connection });
  broker = await startBroker();
  const port = await freePort();
  const env = breachlineEnv(temporal, broker, { BREACHLINE_TEMPORAL_TASK_QUEUE: 'breachline-cluster-test', BREACHLINE_INGRESS_DURABLE: 'true', BREACHLINE_LOG_LEVEL: 'warn' });
  banner = await runBreachline(['ingress', '--ingress-workers', '2', '--port', String(port)], env, /ingress listening on .*\n/, children);
  url = `http://127.0.0.1:${port}`;
}, 120_000);

afterAll(async () => {
  await stopChildren(children);
  await connection?.close();
  await temporal?.close();
  await broker?.close();
});


describe('ingress as two processes behind one port', () => {
  it('a storm spread over both processes → one incident per fingerprint, every alert id recorded, none twice started', { timeout: 180_000 }, async () => {
    expect(banner).toMatch(/\(2 processes\)/);
    const TOTAL = 1_000;
    // No keep-alive: every request is a new connection, which the cluster hands out round-robin.
    const agent = new Agent({ keepAlive: false, maxSockets: 16 });
    const sent: { principal: string; id: string }[] = Array.from({ length: TOTAL }, (_, i) => ({ principal: i % 10 === 0 ? `User:cluster-new-${i}` : 'User:cluster-storm', id: `cluster-${i}` }));
    let next = 0;
    const statuses: number[] = [];
    const worker = async (): Promise<void> => {
      while (next < sent.length) {
        const a = sent[next++] as { principal: string; id: string };
        const body = JSON.stringify({ ...fixture('generic'), id: a.id, principal: a.principal });
        statuses.push((await postVia(agent, url, '/v1/alerts/generic', body, authHeaders('generic', body))).status);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    agent.destroy();
    expect(statuses.filter((s) => s !== 202)).toEqual([]);

    const principals = [...new Set(sent.map((a) => a.principal))];
    const workflowIdOf = await everyAlertCorrelated(client, sent);
    for (const principal of principals) expect((await client.workflow.count(`WorkflowId = '${workflowIdOf(principal)}'`)).count).toBe(1);
    expect((await client.workflow.count()).count).toBe(principals.length);
    const storm = await recorded(client, workflowIdOf('User:cluster-storm'));
    expect(new Set(storm.signals.map((s) => s.alertId)).size).toBe(sent.filter((a) => a.principal === 'User:cluster-storm').length);
    // Coalesced across the storm: far fewer signals than its 900 alerts.
    expect(storm.signalCount).toBeLessThan(300);
  });
});

describe('a separately run ingress and payload encryption', () => {
  it('refuses to start with encryption on and no Vault, rather than hand alerts to Temporal in clear', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith('BREACHLINE_')) delete env[key];
    Object.assign(env, {
      BREACHLINE_TEMPORAL_ADDRESS: temporal.address,
      BREACHLINE_INGRESS_SOURCES: JSON.stringify(SECRETS),
      BREACHLINE_RUNBOOK_DIR: join(ROOT, 'runbooks'),
    });
    const proc = spawn(process.execPath, [join(ROOT, 'bin', 'breachline'), 'ingress', '--port', String(await freePort())], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
    proc.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(out).toContain('BREACHLINE_VAULT_ADDRESS');
    expect(out).not.toContain('ingress listening');
  }, 60_000);
});
