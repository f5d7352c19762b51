import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigResourceTypes } from 'kafkajs';
import { ManualClock } from '../../../src/sandbox/kafka';
import { client, startBroker, waitFor } from './helpers';

const dataDir = mkdtempSync(join(tmpdir(), 'kafka-sandbox-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('kafka sandbox: data directory', () => {
  it('keeps topics, configs, records, low watermarks, committed offsets, ACLs and credentials across a restart', async () => {
    const first = await startBroker({ dataDir, adminPassword: 'first-pass' });
    let kafka = client(first);
    let admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'keep', numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '-1' }] }] });
    await admin.createTopics({ topics: [{ topic: 'gone' }] });
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 5; i++) await producer.send({ topic: 'keep', messages: [{ key: `k${i}`, value: `v${i}`, partition: 0 }] });
    await producer.disconnect();
    await admin.fetchTopicMetadata({ topics: ['keep'] });
    await admin.deleteTopicRecords({ topic: 'keep', partitions: [{ partition: 0, offset: '1' }] });
    await admin.setOffsets({ groupId: 'keeper', topic: 'keep', partitions: [{ partition: 0, offset: '3' }] });
    await admin.deleteTopics({ topics: ['gone'] });
    await admin.createAcls({ acl: [{ resourceType: 2, resourceName: 'keep', resourcePatternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }] });
    first.broker.credentials.setPassword('alice', 'alice-secret');
    await admin.disconnect();
    await first.close();

    const second = await startBroker({ dataDir, adminPassword: 'second-pass' });
    try {
      kafka = client(second);
      admin = kafka.admin();
      await admin.connect();
      expect((await admin.listTopics()).sort()).toEqual(['__access_log', 'keep']);
      expect(await admin.fetchTopicOffsets('keep')).toEqual([
        { partition: 0, offset: '5', high: '5', low: '1' },
        { partition: 1, offset: '0', high: '0', low: '0' },
      ]);
      const configs = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'keep', configNames: ['retention.ms'] }], includeSynonyms: false });
      expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('-1');
      const offsets = await admin.fetchOffsets({ groupId: 'keeper', topics: ['keep'] });
      expect(offsets[0]?.partitions.find((p) => p.partition === 0)?.offset).toBe('3');
      const acls = await admin.describeAcls({ resourceType: 1, resourcePatternType: 1, operation: 1, permissionType: 1 });
      expect(acls.resources.map((r) => r.resourceName)).toEqual(['keep']);
      await admin.disconnect();

      // alice's credential survived, and her READ ACL lets her consume from the committed offset.
      const alice = client(second, { username: 'alice', password: 'alice-secret', mechanism: 'scram-sha-256' });
      const consumer = alice.consumer({ groupId: 'keeper', maxWaitTimeInMs: 100 });
      await second.broker.authorizer.createAcls([{ resourceType: 3, resourceName: 'keeper', patternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }]);
      const seen: string[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic: 'keep' });
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(`${message.offset}:${message.key?.toString()}`) });
      await waitFor(() => seen.length >= 2, 15_000, 'records after the committed offset');
      await consumer.disconnect();
      expect(seen).toEqual(['3:k3', '4:k4']);
    } finally {
      await second.close();
    }
  });
});

describe('kafka sandbox: data directory after a crash', () => {
  it('cuts a torn batch and a torn journal line, keeping everything written before them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafka-sandbox-torn-'));
    try {
      const first = await startBroker({ dataDir: dir });
      const kafka = client(first);
      const producer = kafka.producer();
      await producer.connect();
      first.broker.createTopic('torn');
      for (let i = 0; i < 3; i++) await producer.send({ topic: 'torn', messages: [{ value: `intact-${i}` }] });
      await producer.disconnect();
      const topicId = first.broker.topics.get('torn')?.id ?? '';
      await first.close();

      // Simulate a crash mid-write: half a batch at the end of the log, half a line in the journal.
      const logFile = join(dir, 'logs', `${topicId}-0.log`);
      const whole = readFileSync(logFile);
      appendFileSync(logFile, whole.subarray(0, Math.floor(whole.length / 3 / 2)));
      appendFileSync(join(dir, 'meta.jsonl'), '{"t":"topic.create","na');

      const second = await startBroker({ dataDir: dir });
      try {
        const log = second.broker.topics.partition('torn', 0);
        expect(log.logEndOffset).toBe(3);
        expect(readFileSync(logFile).length).toBe(whole.length);
        const producer2 = client(second).producer();
        await producer2.connect();
        const [meta] = await producer2.send({ topic: 'torn', messages: [{ value: 'after restart' }] });
        await producer2.disconnect();
        expect(meta?.baseOffset).toBe('3');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('kafka sandbox: data directory and retention', () => {
  it('never reuses offsets after everything aged out, and drops expired batches from disk on restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafka-sandbox-aged-'));
    const clock = new ManualClock(Date.UTC(2026, 0, 10));
    try {
      const first = await startBroker({ dataDir: dir, clock });
      first.broker.createTopic('aged', 1, { 'retention.ms': '3600000' });
      const producer = client(first).producer();
      await producer.connect();
      for (let i = 0; i < 3; i++) await producer.send({ topic: 'aged', messages: [{ value: `old-${i}`, timestamp: String(clock.now()) }] });
      await producer.disconnect();
      const logFile = join(dir, 'logs', `${first.broker.topics.get('aged')?.id ?? ''}-0.log`);
      clock.advance(2 * 3_600_000);
      expect(first.broker.topics.partition('aged', 0).logStartOffset).toBe(3);
      expect(readFileSync(logFile).length).toBeGreaterThan(0);
      await first.close();

      const second = await startBroker({ dataDir: dir, clock });
      try {
        const log = second.broker.topics.partition('aged', 0);
        expect([log.logStartOffset, log.logEndOffset]).toEqual([3, 3]);
        expect(readFileSync(logFile).length).toBe(0);
        const producer2 = client(second).producer();
        await producer2.connect();
        const [meta] = await producer2.send({ topic: 'aged', messages: [{ value: 'new', timestamp: String(clock.now()) }] });
        await producer2.disconnect();
        expect(meta?.baseOffset).toBe('3');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
