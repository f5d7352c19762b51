import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigResourceTypes, type Admin, type Kafka, type Producer } from 'kafkajs';
import { ManualClock, type RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { client, startBroker } from './helpers';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 1);
const clock = new ManualClock(T0);
let sandbox: RunningKafkaSandbox;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;

beforeAll(async () => {
  sandbox = await startBroker({ clock });
  kafka = client(sandbox);
  admin = kafka.admin();
  producer = kafka.producer();
  await Promise.all([admin.connect(), producer.connect()]);
});
afterAll(async () => {
  await Promise.all([admin.disconnect(), producer.disconnect()]);
  await sandbox.close();
});

/** Produces `n` single-record batches stamped `at`. */
async function produceAt(topic: string, at: number, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await producer.send({ topic, messages: [{ value: `r${i}`, timestamp: String(at) }] });
}

const low = async (topic: string): Promise<string | undefined> => (await admin.fetchTopicOffsets(topic))[0]?.low;

describe('kafka sandbox: retention against the broker clock', () => {
  it('removes whole batches older than retention.ms from the head and advances the log start offset', async () => {
    await admin.createTopics({ topics: [{ topic: 'ret-plain', configEntries: [{ name: 'retention.ms', value: String(2 * HOUR) }] }] });
    await produceAt('ret-plain', T0 - 3 * HOUR, 3);
    await produceAt('ret-plain', T0, 2);
    // Before any time passes, the 3-hour-old records are already beyond a 2-hour retention.
    sandbox.broker.runRetention();
    expect(await low('ret-plain')).toBe('3');
    clock.advance(HOUR);
    expect(await low('ret-plain')).toBe('3');
    clock.advance(2 * HOUR);
    const offsets = await admin.fetchTopicOffsets('ret-plain');
    expect(offsets).toEqual([{ partition: 0, offset: '5', high: '5', low: '5' }]);
  });

  it('keeps records that would age out once a legal hold raises retention.ms', async () => {
    const topics = ['ret-held', 'ret-unheld'];
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, configEntries: [{ name: 'retention.ms', value: String(24 * HOUR) }] })) });
    const start = clock.now();
    for (const t of topics) await produceAt(t, start, 4);
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'ret-held', configEntries: [{ name: 'retention.ms', value: '-1' }] }],
    });
    clock.advance(30 * 24 * HOUR);
    expect(await low('ret-unheld')).toBe('4');
    expect(await low('ret-held')).toBe('0');

    const consumer = kafka.consumer({ groupId: 'ret-reader', maxWaitTimeInMs: 100 });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'ret-held', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.offset) });
    const deadline = Date.now() + 10_000;
    while (seen.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await consumer.disconnect();
    expect(seen).toEqual(['0', '1', '2', '3']);
  });

  it('enforces retention.bytes by dropping head batches while the log stays above the limit', async () => {
    await admin.createTopics({ topics: [{ topic: 'ret-bytes' }] });
    await produceAt('ret-bytes', clock.now(), 10);
    const log = sandbox.broker.topics.partition('ret-bytes', 0);
    const perBatch = log.sizeBytes / 10;
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'ret-bytes', configEntries: [{ name: 'retention.bytes', value: String(Math.floor(perBatch * 3.5)) }] }],
    });
    // As in Kafka, a head batch goes only while the log without it still holds >= retention.bytes:
    // 4 batches remain (3 would be below the 3.5-batch limit).
    expect(await low('ret-bytes')).toBe('6');
  });
});
