import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompressionTypes, type Consumer, type EachMessagePayload, type Kafka } from 'kafkajs';
import type { RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { client, startBroker, waitFor } from './helpers';

let sandbox: RunningKafkaSandbox;
let kafka: Kafka;

beforeAll(async () => {
  sandbox = await startBroker();
  kafka = client(sandbox);
});
afterAll(async () => {
  await sandbox.close();
});

async function createTopic(topic: string, numPartitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions }] });
  await admin.disconnect();
}

/** Starts a consumer that collects every message; returns it and the list it fills. */
async function collector(groupId: string, topic: string): Promise<{ consumer: Consumer; seen: EachMessagePayload[]; assigned: () => number[] }> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 200, maxWaitTimeInMs: 100 });
  const seen: EachMessagePayload[] = [];
  let assignment: number[] = [];
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    assignment = e.payload.memberAssignment[topic] ?? [];
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async (payload) => {
      seen.push(payload);
    },
  });
  return { consumer, seen, assigned: () => assignment };
}

describe('kafka sandbox: produce and consume with kafkajs', () => {
  it('round-trips keys, values, headers and timestamps in a gzip batch through one consumer', async () => {
    await createTopic('rt-gzip', 1);
    const producer = kafka.producer();
    await producer.connect();
    // Recent timestamps: records older than the default retention.ms (7 days) are deleted by the
    // broker's retention check within a second, racing the consumer.
    const base = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    const messages = Array.from({ length: 50 }, (_, i) => ({
      key: `k${i}`,
      value: `value-${i}`,
      timestamp: String(base + i * 1000),
      headers: { trace: `t${i}`, source: 'test' },
    }));
    const [meta] = await producer.send({ topic: 'rt-gzip', compression: CompressionTypes.GZIP, messages, acks: 1 });
    expect(meta?.baseOffset).toBe('0');
    await producer.disconnect();

    const { consumer, seen } = await collector('g-gzip', 'rt-gzip');
    await waitFor(() => seen.length >= 50, 15_000, '50 messages');
    await consumer.disconnect();
    expect(seen.map((s) => s.message.offset)).toEqual(messages.map((_, i) => String(i)));
    seen.forEach((s, i) => {
      expect(s.message.key?.toString()).toBe(`k${i}`);
      expect(s.message.value?.toString()).toBe(`value-${i}`);
      expect(s.message.timestamp).toBe(String(base + i * 1000));
      expect(s.message.headers?.trace?.toString()).toBe(`t${i}`);
      expect(s.message.headers?.source?.toString()).toBe('test');
    });
  });

  it('spreads partitions over three consumers and rebalances when one leaves and one joins', async () => {
    await createTopic('rt-three', 6);
    const a = await collector('g-three', 'rt-three');
    const b = await collector('g-three', 'rt-three');
    const c = await collector('g-three', 'rt-three');
    const all = [a, b, c];
    await waitFor(() => all.every((x) => x.assigned().length === 2), 20_000, 'two partitions each');
    expect(new Set(all.flatMap((x) => x.assigned()))).toEqual(new Set([0, 1, 2, 3, 4, 5]));

    const producer = kafka.producer();
    await producer.connect();
    for (let p = 0; p < 6; p++) await producer.send({ topic: 'rt-three', messages: [{ value: `p${p}`, partition: p }] });
    await waitFor(() => all.reduce((n, x) => n + x.seen.length, 0) >= 6, 15_000, 'six messages');

    await c.consumer.disconnect();
    await waitFor(() => a.assigned().length === 3 && b.assigned().length === 3, 20_000, 'rebalance after leave');
    for (let p = 0; p < 6; p++) await producer.send({ topic: 'rt-three', messages: [{ value: `again-${p}`, partition: p }] });
    await waitFor(() => a.seen.length + b.seen.length + c.seen.length >= 12, 15_000, 'twelve messages');
    const values = [...a.seen, ...b.seen, ...c.seen].map((s) => s.message.value?.toString()).sort();
    expect(values.filter((v) => v?.startsWith('again-'))).toHaveLength(6);

    const d = await collector('g-three', 'rt-three');
    await waitFor(() => [a, b, d].every((x) => x.assigned().length === 2), 20_000, 'rebalance after join');
    await producer.disconnect();
    await Promise.all([a.consumer.disconnect(), b.consumer.disconnect(), d.consumer.disconnect()]);
  });

  it('accepts an idempotent producer (InitProducerId), acks=-1 and acks=0', async () => {
    await createTopic('rt-idem', 1);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const first = await producer.send({ topic: 'rt-idem', acks: -1, messages: [{ value: 'a' }, { value: 'b' }] });
    const second = await producer.send({ topic: 'rt-idem', acks: -1, messages: [{ value: 'c' }] });
    await producer.disconnect();
    expect([first[0]?.baseOffset, second[0]?.baseOffset]).toEqual(['0', '2']);

    // acks=0: the broker must not answer, and kafkajs must not wait for an answer.
    const fireAndForget = kafka.producer();
    await fireAndForget.connect();
    await fireAndForget.send({ topic: 'rt-idem', acks: 0, messages: [{ value: 'd' }] });
    await waitFor(() => sandbox.broker.topics.partition('rt-idem', 0).logEndOffset === 4, 5000, 'acks=0 record');
    const after = await fireAndForget.send({ topic: 'rt-idem', acks: 1, messages: [{ value: 'e' }] });
    expect(after[0]?.baseOffset).toBe('4');
    await fireAndForget.disconnect();
  });

  it('resumes from committed offsets when a consumer of the same group restarts', async () => {
    await createTopic('rt-resume', 1);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'rt-resume', messages: Array.from({ length: 5 }, (_, i) => ({ value: `first-${i}` })) });
    const first = await collector('g-resume', 'rt-resume');
    await waitFor(() => first.seen.length >= 5, 15_000, 'first five');
    await first.consumer.disconnect();

    await producer.send({ topic: 'rt-resume', messages: Array.from({ length: 3 }, (_, i) => ({ value: `second-${i}` })) });
    await producer.disconnect();
    const second = await collector('g-resume', 'rt-resume');
    await waitFor(() => second.seen.length >= 3, 15_000, 'next three');
    await new Promise((r) => setTimeout(r, 300));
    await second.consumer.disconnect();
    expect(second.seen.map((s) => s.message.value?.toString())).toEqual(['second-0', 'second-1', 'second-2']);
    expect(second.seen[0]?.message.offset).toBe('5');
  });
});
