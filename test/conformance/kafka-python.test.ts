import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningKafkaSandbox } from '../../src/sandbox/kafka';
import { ALICE, EVE, PREFIX, bootstrap, requirePython, runPython, startConformanceBroker } from './helpers';

interface Probe { ok: boolean; error?: string; topics?: string[]; log: string[] }

/**
 * kafka-python 2.x against the sandbox. It probes the broker version with ApiVersions v0 and
 * Metadata v0, authenticates with SaslHandshake v0 and raw SCRAM tokens, and then picks request
 * versions from the version it inferred (JoinGroup v2, SyncGroup/Heartbeat/LeaveGroup v1, …).
 */
describe('kafka-python conformance', () => {
  let sandbox: RunningKafkaSandbox;
  let python: string;
  const topic = `${PREFIX}kafka-python`;
  const as = (who: { username: string; password: string }) => ({ bootstrap: bootstrap(sandbox), ...who });

  beforeAll(async () => {
    python = requirePython();
    sandbox = await startConformanceBroker();
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('creates a topic with configs through the admin client and reads the configs back', async () => {
    const res = await runPython<{ errors: Array<[string, number]>; configs: Record<string, string> }>(
      python, 'kafka_python_client.py', 'admin-create-topic',
      { ...as(ALICE), topic, partitions: 3, configs: { 'retention.ms': '3600000', 'max.message.bytes': '65536' } },
    );
    expect(res.errors).toEqual([[topic, 0]]);
    expect(res.configs).toMatchObject({ 'retention.ms': '3600000', 'max.message.bytes': '65536', 'cleanup.policy': 'delete' });
    const created = sandbox.broker.topics.get(topic);
    expect(created?.partitions).toHaveLength(3);
  });

  it('reads each record exactly once in a consumer group, across two runs of the group', async () => {
    const group = `${PREFIX}kp-group`;
    await runPython(python, 'kafka_python_client.py', 'produce', { ...as(ALICE), topic, count: 9 });
    const first = await runPython<{ records: Array<[number, number, string]> }>(
      python, 'kafka_python_client.py', 'group-consume', { ...as(ALICE), topic, group, expect: 9 },
    );
    expect(first.records.map((r) => r[2]).sort()).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8']);
    // The committed offsets carry over: the second run sees only what was produced after the first.
    await runPython(python, 'kafka_python_client.py', 'produce', { ...as(ALICE), topic, count: 2 });
    const second = await runPython<{ records: Array<[number, number, string]> }>(
      python, 'kafka_python_client.py', 'group-consume', { ...as(ALICE), topic, group, expect: 2, idleMs: 1500 },
    );
    expect(second.records.map((r) => r[2]).sort()).toEqual(['v0', 'v1']);
    const seen = [...first.records, ...second.records].map(([p, o]) => `${p}:${o}`);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('refuses a wrong password during the SCRAM exchange, and lets the right one in', async () => {
    const wrong = await runPython<Probe>(python, 'kafka_python_client.py', 'probe', { ...as(ALICE), password: 'not-the-password' });
    expect(wrong.ok).toBe(false);
    // After a v0 handshake a raw token has no error field: the broker closes the connection in the
    // middle of authentication, as Kafka does, and kafka-python reports no usable broker.
    expect(wrong.error).toBe('NoBrokersAvailable');
    expect(wrong.log.some((l) => l.includes('<authenticating>') && l.includes('Error receiving reply from server'))).toBe(true);
    expect(wrong.log.some((l) => l.includes('Authenticated as'))).toBe(false);
    const right = await runPython<Probe>(python, 'kafka_python_client.py', 'probe', as(ALICE));
    expect(right).toMatchObject({ ok: true, topics: [topic] });
    expect(right.log.some((l) => l.includes('Authenticated as alice via SCRAM-SHA-512'))).toBe(true);
  });

  it('shows a second principal the authorization errors its ACLs call for', async () => {
    // eve may READ groups under the prefix but nothing else: a group outside it is refused …
    const group = await runPython<{ ok: boolean; error?: string }>(
      python, 'kafka_python_client.py', 'denied-group', { ...as(EVE), topic, group: 'eve-own-group' },
    );
    expect(group).toMatchObject({ ok: false, error: 'GroupAuthorizationFailedError' });
    // … creating a topic is refused per topic …
    const created = await runPython<{ error?: string; message?: string }>(
      python, 'kafka_python_client.py', 'admin-create-topic', { ...as(EVE), topic: `${PREFIX}eve-topic`, partitions: 1, configs: {} },
    );
    expect(created.error).toBe('TopicAuthorizationFailedError');
    expect(created.message).toContain("error_code=29");
    expect(sandbox.broker.topics.get(`${PREFIX}eve-topic`)).toBeUndefined();
    // … and listing topics leaves out what she may not describe.
    const probe = await runPython<Probe>(python, 'kafka_python_client.py', 'probe', as(EVE));
    expect(probe).toMatchObject({ ok: true, topics: [] });
  });
});
