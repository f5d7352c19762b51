import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigResourceTypes, type Admin, type Kafka } from 'kafkajs';
import type { RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { client, startBroker, waitFor } from './helpers';

let sandbox: RunningKafkaSandbox;
let kafka: Kafka;
let admin: Admin;

beforeAll(async () => {
  sandbox = await startBroker();
  kafka = client(sandbox);
  admin = kafka.admin();
  await admin.connect();
});
afterAll(async () => {
  await admin.disconnect();
  await sandbox.close();
});

const errorType = (err: unknown): string | undefined => {
  const e = err as { type?: string; cause?: { type?: string }; errors?: Array<{ type?: string }>; groups?: Array<{ error?: { type?: string } }> };
  return e.type ?? e.cause?.type ?? e.errors?.[0]?.type ?? e.groups?.[0]?.error?.type;
};

async function topicConfig(topic: string, name: string): Promise<string | undefined> {
  const res = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: [name] }], includeSynonyms: false });
  return res.resources[0]?.configEntries.find((e) => e.configName === name)?.configValue;
}

describe('kafka sandbox: admin API with kafkajs', () => {
  it('creates topics with configs, honours validateOnly, rejects duplicates and unknown configs', async () => {
    expect(await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'adm-dry' }] })).toBe(true);
    expect(await admin.listTopics()).not.toContain('adm-dry');

    expect(await admin.createTopics({ topics: [{ topic: 'adm-a', numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: 'adm-a' }] })).toBe(false);
    const meta = await admin.fetchTopicMetadata({ topics: ['adm-a'] });
    expect(meta.topics[0]?.partitions).toHaveLength(3);
    expect(await topicConfig('adm-a', 'retention.ms')).toBe('3600000');
    expect(await topicConfig('adm-a', 'cleanup.policy')).toBe('delete');

    const bad = await admin.createTopics({ topics: [{ topic: 'adm-bad', configEntries: [{ name: 'retention.msec', value: '1' }] }] }).catch((e: unknown) => e);
    expect(errorType(bad)).toBe('INVALID_CONFIG');
    const rf = await admin.createTopics({ topics: [{ topic: 'adm-rf', replicationFactor: 3 }] }).catch((e: unknown) => e);
    expect(errorType(rf)).toBe('INVALID_REPLICATION_FACTOR');
  });

  it('auto-creates topics on a producer metadata request only when the broker allows it', async () => {
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    const refused = await producer.send({ topic: 'adm-auto', messages: [{ value: 'x' }] }).then(() => undefined, (e: unknown) => e);
    await producer.disconnect();
    expect(refused).toBeInstanceOf(Error);
    expect(await admin.listTopics()).not.toContain('adm-auto');

    const auto = await startBroker({ autoCreateTopics: true, defaultPartitions: 2 });
    try {
      const autoClient = client(auto);
      const autoProducer = autoClient.producer();
      await autoProducer.connect();
      const [meta] = await autoProducer.send({ topic: 'adm-auto', messages: [{ value: 'x', partition: 1 }] });
      await autoProducer.disconnect();
      expect(meta).toMatchObject({ topicName: 'adm-auto', partition: 1, errorCode: 0 });
      expect(auto.broker.topics.get('adm-auto')?.partitions).toHaveLength(2);
    } finally {
      await auto.close();
    }
  });

  it('alters configs (replacing all overrides), adds partitions and deletes topics', async () => {
    await admin.createTopics({ topics: [{ topic: 'adm-b', configEntries: [{ name: 'retention.ms', value: '1000' }] }] });
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'adm-b', configEntries: [{ name: 'retention.bytes', value: '4096' }] }] });
    expect(await topicConfig('adm-b', 'retention.bytes')).toBe('4096');
    // AlterConfigs replaces the whole override set, so retention.ms is back to its default.
    expect(await topicConfig('adm-b', 'retention.ms')).toBe('604800000');
    const bad = await admin
      .alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'adm-b', configEntries: [{ name: 'no.such.config', value: '1' }] }] })
      .catch((e: unknown) => e);
    expect(errorType(bad)).toBe('INVALID_CONFIG');

    await admin.createPartitions({ topicPartitions: [{ topic: 'adm-b', count: 4 }] });
    expect((await admin.fetchTopicMetadata({ topics: ['adm-b'] })).topics[0]?.partitions).toHaveLength(4);
    const shrink = await admin.createPartitions({ topicPartitions: [{ topic: 'adm-b', count: 2 }] }).catch((e: unknown) => e);
    expect(errorType(shrink)).toBe('INVALID_PARTITIONS');

    await admin.deleteTopics({ topics: ['adm-b'] });
    expect(await admin.listTopics()).not.toContain('adm-b');
  });

  it('finds the first offset at or after a timestamp, exactly per record', async () => {
    await admin.createTopics({ topics: [{ topic: 'adm-ts' }] });
    const producer = kafka.producer();
    await producer.connect();
    // Recent: records older than the default retention.ms (7 days) would be deleted within a second.
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    // Three batches; record timestamps inside a batch are out of order on purpose.
    await producer.send({ topic: 'adm-ts', messages: [{ value: 'a', timestamp: String(t0 + 100) }, { value: 'b', timestamp: String(t0 + 300) }, { value: 'c', timestamp: String(t0 + 200) }] });
    await producer.send({ topic: 'adm-ts', messages: [{ value: 'd', timestamp: String(t0 + 400) }, { value: 'e', timestamp: String(t0 + 500) }] });
    await producer.send({ topic: 'adm-ts', messages: [{ value: 'f', timestamp: String(t0 + 600) }] });
    await producer.disconnect();
    const at = async (ts: number): Promise<string | undefined> => (await admin.fetchTopicOffsetsByTimestamp('adm-ts', ts))[0]?.offset;
    expect(await at(t0)).toBe('0');
    expect(await at(t0 + 100)).toBe('0');
    expect(await at(t0 + 150)).toBe('1');
    expect(await at(t0 + 250)).toBe('1');
    expect(await at(t0 + 301)).toBe('3');
    expect(await at(t0 + 450)).toBe('4');
    expect(await at(t0 + 600)).toBe('5');
    // Nothing at or after: Kafka answers -1 and kafkajs substitutes the high watermark.
    expect(await at(t0 + 601)).toBe('6');
  });

  it('deletes records up to an offset, advancing the low watermark', async () => {
    await admin.createTopics({ topics: [{ topic: 'adm-del' }] });
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 4; i++) await producer.send({ topic: 'adm-del', messages: [{ value: `m${i}` }, { value: `n${i}` }] });
    await producer.disconnect();
    // kafkajs needs the topic's partition leaders in its metadata cache before deleting records.
    await admin.fetchTopicMetadata({ topics: ['adm-del'] });
    await admin.deleteTopicRecords({ topic: 'adm-del', partitions: [{ partition: 0, offset: '3' }] });
    expect(await admin.fetchTopicOffsets('adm-del')).toEqual([{ partition: 0, offset: '8', high: '8', low: '3' }]);

    const consumer = kafka.consumer({ groupId: 'adm-del-reader', maxWaitTimeInMs: 100 });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'adm-del', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.offset) });
    await waitFor(() => seen.length >= 5, 15_000, 'records after the low watermark');
    await consumer.disconnect();
    expect(seen).toEqual(['3', '4', '5', '6', '7']);
  });

  it('manages group offsets: fetch, set, reset, list, describe and delete groups', async () => {
    await admin.createTopics({ topics: [{ topic: 'adm-g', numPartitions: 2 }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'adm-g', messages: [0, 1, 2].map((i) => ({ value: `v${i}`, partition: 0 })) });
    await producer.disconnect();

    expect(await admin.fetchOffsets({ groupId: 'adm-grp', topics: ['adm-g'] })).toEqual([
      { topic: 'adm-g', partitions: [{ partition: 0, offset: '-1', metadata: null }, { partition: 1, offset: '-1', metadata: null }] },
    ]);
    // setOffsets/resetOffsets each run a paused kafkajs consumer for one fetch wait (~5 s, kafkajs's default).
    await admin.resetOffsets({ groupId: 'adm-grp', topic: 'adm-g', earliest: true });
    // kafkajs commits the sentinel -2 ("earliest"), resolved by the consumer when it starts.
    const reset = await admin.fetchOffsets({ groupId: 'adm-grp', topics: ['adm-g'] });
    expect(reset[0]?.partitions.map((p) => p.offset)).toEqual(['-2', '-2']);

    await admin.setOffsets({ groupId: 'adm-grp', topic: 'adm-g', partitions: [{ partition: 0, offset: '1' }, { partition: 1, offset: '0' }] });
    const fetched = await admin.fetchOffsets({ groupId: 'adm-grp', topics: ['adm-g'] });
    expect(fetched[0]?.partitions).toEqual([{ partition: 0, offset: '1', metadata: null }, { partition: 1, offset: '0', metadata: null }]);
    const consumer = kafka.consumer({ groupId: 'adm-grp', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'adm-g' });
    const got: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value?.toString() ?? '') });
    await waitFor(() => got.length >= 2, 15_000, 'messages from the committed offset');
    expect(got).toEqual(['v1', 'v2']);

    const listed = await admin.listGroups();
    expect(listed.groups).toContainEqual({ groupId: 'adm-grp', protocolType: 'consumer' });
    const described = await admin.describeGroups(['adm-grp', 'adm-never']);
    expect(described.groups[0]?.state).toBe('Stable');
    expect(described.groups[0]?.members).toHaveLength(1);
    expect(described.groups[1]?.state).toBe('Dead');

    const busy = await admin.deleteGroups(['adm-grp']).catch((e: unknown) => e);
    expect(errorType(busy)).toBe('NON_EMPTY_GROUP');
    await consumer.disconnect();
    await admin.deleteGroups(['adm-grp']);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain('adm-grp');
    const missing = await admin.deleteGroups(['adm-grp']).catch((e: unknown) => e);
    expect(errorType(missing)).toBe('GROUP_ID_NOT_FOUND');
  });
});
