import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningKafkaSandbox } from '../../src/sandbox/kafka';
import { ALICE, EVE, PREFIX, bootstrap, requirePython, runPython, startConformanceBroker } from './helpers';

/** confluent-kafka for Python (librdkafka 2.x) against the sandbox with SCRAM-SHA-512 and ACLs. */
describe('confluent-kafka conformance', () => {
  let sandbox: RunningKafkaSandbox;
  let python: string;
  const topic = `${PREFIX}confluent`;
  // An hour ago, on a minute: recent enough that the default 7-day retention keeps the records.
  const T0 = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
  const records = [0, 1, 2, 3, 4, 5].map((i) => ({
    key: `user-${i % 3}`,
    value: `event-${i}`,
    headers: { source: 'crm', seq: String(i) },
    timestamp: T0 + i * 60_000,
  }));
  const as = (who: { username: string; password: string }) => ({ bootstrap: bootstrap(sandbox), ...who });

  beforeAll(async () => {
    python = requirePython();
    sandbox = await startConformanceBroker();
    sandbox.broker.createTopic(topic, 3);
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('produces records with keys, headers and timestamps, partitioned by key', async () => {
    const res = await runPython<{ delivered: Array<[number, number, string]>; errors: string[]; undelivered: number }>(
      python, 'confluent_client.py', 'produce', { ...as(ALICE), topic, records },
    );
    expect(res.errors).toEqual([]);
    expect(res.undelivered).toBe(0);
    expect(res.delivered).toHaveLength(6);
    // librdkafka's default partitioner hashes the key: one key, one partition.
    const partitionOf = new Map<string, number>();
    for (const [partition, , key] of res.delivered) {
      expect(partitionOf.get(key) ?? partition).toBe(partition);
      partitionOf.set(key, partition);
    }
  });

  it('reads them back in a consumer group with the same keys, headers and CreateTime timestamps, and commits', async () => {
    const res = await runPython<{
      records: Array<{ partition: number; key: string; value: string; headers: Record<string, string>; timestamp: number; timestampType: number }>;
      errors: string[];
      committed: Array<[number, number]>;
    }>(python, 'confluent_client.py', 'group-consume', { ...as(ALICE), topic, group: `${PREFIX}cg`, expect: 6, partitions: 3 });
    expect(res.errors).toEqual([]);
    const byValue = new Map(res.records.map((r) => [r.value, r]));
    expect([...byValue.keys()].sort()).toEqual(records.map((r) => r.value));
    for (const sent of records) {
      const got = byValue.get(sent.value);
      expect(got).toMatchObject({ key: sent.key, headers: sent.headers, timestamp: sent.timestamp, timestampType: 1 });
    }
    // Committed offsets = records read per partition, as the broker stored them.
    const perPartition = new Map<number, number>();
    for (const r of res.records) perPartition.set(r.partition, (perPartition.get(r.partition) ?? 0) + 1);
    for (const [partition, offset] of res.committed) expect(offset === -1001 ? 0 : offset).toBe(perPartition.get(partition) ?? 0);
    const stored = sandbox.broker.groups.describe(`${PREFIX}cg`);
    expect(stored.state).toBe('Empty');
  });

  it('finds offsets by timestamp (offsets_for_times → ListOffsets)', async () => {
    // Target between the 3rd and 4th record: each partition answers its first record at or after it.
    const target = T0 + 2 * 60_000 + 1;
    const res = await runPython<{ offsets: Array<[number, number]> }>(
      python, 'confluent_client.py', 'offsets-for-times', { ...as(ALICE), topic, group: `${PREFIX}oft`, timestamp: target, partitions: 3 },
    );
    const consumed = await runPython<{ records: Array<{ partition: number; offset: number; timestamp: number }> }>(
      python, 'confluent_client.py', 'group-consume', { ...as(ALICE), topic, group: `${PREFIX}oft-check`, expect: 6, partitions: 3 },
    );
    for (const [partition, offset] of res.offsets) {
      const later = consumed.records.filter((r) => r.partition === partition && r.timestamp >= target).map((r) => r.offset);
      // -1 = no record at or after the target in that partition (librdkafka's OFFSET_END).
      expect(offset).toBe(later.length > 0 ? Math.min(...later) : -1);
    }
    expect(res.offsets.some(([, o]) => o > 0)).toBe(true);
  });

  it('administers topics with the AdminClient: create with configs, describe, list, delete', async () => {
    const res = await runPython<{ configs?: Record<string, string>; sources?: Record<string, number>; partitions?: number; groups?: string[]; after_delete?: boolean; error?: string }>(
      python, 'confluent_client.py', 'admin', { ...as(ALICE), topic: `${PREFIX}admin`, partitions: 2, configs: { 'retention.ms': '7200000', 'cleanup.policy': 'delete' } },
    );
    expect(res).toEqual({
      configs: { 'retention.ms': '7200000', 'cleanup.policy': 'delete' },
      // Kafka's ConfigSource: 1 = DYNAMIC_TOPIC_CONFIG (set on the topic), 5 = DEFAULT_CONFIG.
      sources: { 'retention.ms': 1, 'cleanup.policy': 1, 'segment.bytes': 5 },
      partitions: 2,
      groups: [`${PREFIX}cg`, `${PREFIX}oft-check`],
      after_delete: false,
    });
    expect(sandbox.broker.topics.get(`${PREFIX}admin`)).toBeUndefined();
    const denied = await runPython<{ error?: string }>(python, 'confluent_client.py', 'admin', { ...as(EVE), topic: `${PREFIX}eve`, partitions: 1, configs: {} });
    expect(denied.error).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  it('shows a second principal without topic ACLs the authorization error, producing and consuming', async () => {
    const produced = await runPython<{ results: string[] }>(python, 'confluent_client.py', 'denied-produce', { ...as(EVE), topic });
    expect(produced.results).toEqual(['TOPIC_AUTHORIZATION_FAILED']);
    const consumed = await runPython<{ errors: string[] }>(python, 'confluent_client.py', 'denied-consume', { ...as(EVE), topic, group: `${PREFIX}eve` });
    expect(consumed.errors).toEqual(['TOPIC_AUTHORIZATION_FAILED']);
  });
});
