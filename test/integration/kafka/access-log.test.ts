import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin, Kafka } from 'kafkajs';
import type { RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import type { AccessRecord } from '../../../src/sandbox/kafka/security';
import { client, startBroker, waitFor } from './helpers';

const TOPIC = 2;
const GROUP = 3;
const LITERAL = 3;
const READ = 3;
const ALLOW = 3;

let sandbox: RunningKafkaSandbox;
let kafka: Kafka;
let admin: Admin;

beforeAll(async () => {
  sandbox = await startBroker();
  sandbox.broker.credentials.setPassword('mallory', 'mallory-pass');
  kafka = client(sandbox);
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'pii' }] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'pii', messages: Array.from({ length: 4 }, (_, i) => ({ value: `subject-${i}` })) });
  await producer.disconnect();
});
afterAll(async () => {
  await admin.disconnect();
  await sandbox.close();
});

const acl = (resourceType: number, resourceName: string, operation: number) => ({
  resourceType,
  resourceName,
  resourcePatternType: LITERAL,
  principal: 'User:mallory',
  host: '*',
  operation,
  permissionType: ALLOW,
});

describe('kafka sandbox: access records', () => {
  it('records every fetch served with its offset range, and revoking READ stops a live consumer', async () => {
    await admin.createAcls({ acl: [acl(TOPIC, 'pii', READ), acl(GROUP, 'exfil', READ)] });
    const mallory = client(sandbox, { username: 'mallory', password: 'mallory-pass', clientId: 'exfil-tool' });
    const consumer = mallory.consumer({ groupId: 'exfil', maxWaitTimeInMs: 100, retry: { retries: 0 } });
    const seen: string[] = [];
    let crashed: string | undefined;
    consumer.on(consumer.events.CRASH, (e) => {
      const err = e.payload.error as { type?: string; cause?: { type?: string } };
      crashed = err.type ?? err.cause?.type;
    });
    await consumer.connect();
    await consumer.subscribe({ topic: 'pii', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.offset) });
    await waitFor(() => seen.length >= 4, 15_000, 'four records');

    const fetches = sandbox.broker.accessLog.query({ principal: 'User:mallory', kind: 'fetch', resourceName: 'pii' });
    expect(fetches[0]).toMatchObject({ clientId: 'exfil-tool', host: '127.0.0.1', api: 'Fetch', partition: 0, fromOffset: '0', toOffset: '4', records: 4 });
    expect(fetches[0]?.bytes).toBeGreaterThan(0);

    await admin.deleteAcls({ filters: [acl(TOPIC, 'pii', READ)] });
    await waitFor(() => crashed !== undefined, 15_000, 'consumer crash after revocation');
    expect(crashed).toBe('TOPIC_AUTHORIZATION_FAILED');
    const denied = sandbox.broker.accessLog.query({ principal: 'User:mallory', decision: 'DENY', resourceName: 'pii' });
    expect(denied.some((r) => r.api === 'Fetch' && r.operation === 'READ')).toBe(true);
    await consumer.disconnect();
  });

  it('records denied writes', async () => {
    const mallory = client(sandbox, { username: 'mallory', password: 'mallory-pass', retry: { retries: 0 } });
    await admin.createAcls({ acl: [acl(TOPIC, 'pii', 8)] });
    const producer = mallory.producer();
    await producer.connect();
    const err = (await producer.send({ topic: 'pii', messages: [{ value: 'tamper' }] }).then(() => undefined, (e: unknown) => e)) as { type?: string; cause?: { type?: string } } | undefined;
    expect(err?.type ?? err?.cause?.type).toBe('TOPIC_AUTHORIZATION_FAILED');
    await producer.disconnect();
    const writes = sandbox.broker.accessLog.query({ principal: 'User:mallory', resourceName: 'pii' }).filter((r) => r.operation === 'WRITE');
    expect(writes.map((r) => r.decision)).toContain('DENY');
  });

  it('publishes the records as JSON to the internal topic, readable by super users only', async () => {
    // A long heartbeat interval keeps the group's own (recorded) heartbeats out of the idle window below.
    const consumer = kafka.consumer({ groupId: 'forensics', maxWaitTimeInMs: 100, sessionTimeout: 30_000, heartbeatInterval: 10_000 });
    const records: AccessRecord[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: '__access_log', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void records.push(JSON.parse(message.value?.toString() ?? '{}') as AccessRecord) });
    await waitFor(() => records.some((r) => r.kind === 'fetch' && r.principal === 'User:mallory'), 15_000, 'mallory fetch record on the topic');
    const onTopic = records.find((r) => r.kind === 'fetch' && r.principal === 'User:mallory');
    expect(onTopic).toMatchObject({ resourceName: 'pii', fromOffset: '0', toOffset: '4', records: 4 });
    const count = records.length;
    await new Promise((r) => setTimeout(r, 500));
    await consumer.disconnect();
    // Reading the access log does not write to it (no feedback loop): nothing new arrived while idle.
    expect(records.length).toBe(count);
    expect(records.some((r) => r.resourceName === '__access_log' && (r.api === 'Fetch' || r.api === 'OffsetCommit'))).toBe(false);

    await admin.createAcls({ acl: [acl(TOPIC, '__access_log', READ), acl(GROUP, 'peek', READ)] });
    const mallory = client(sandbox, { username: 'mallory', password: 'mallory-pass', retry: { retries: 0 } });
    const peek = mallory.consumer({ groupId: 'peek', maxWaitTimeInMs: 100, retry: { retries: 0 } });
    let crashed: string | undefined;
    peek.on(peek.events.CRASH, (e) => {
      const err = e.payload.error as { type?: string; cause?: { type?: string } };
      crashed = err.type ?? err.cause?.type;
    });
    await peek.connect();
    const subscribed = await peek.subscribe({ topic: '__access_log', fromBeginning: true }).then(
      () => 'ok',
      (e: unknown) => (e as { type?: string }).type,
    );
    if (subscribed === 'ok') {
      await peek.run({ eachMessage: async () => undefined });
      await waitFor(() => crashed !== undefined, 15_000, 'denied read of the access log');
    }
    expect([subscribed, crashed]).toContain('TOPIC_AUTHORIZATION_FAILED');
    await peek.disconnect();
  });

  it('refuses writes to the access log even from super users', async () => {
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    const err = (await producer.send({ topic: '__access_log', messages: [{ value: '{}' }] }).then(() => undefined, (e: unknown) => e)) as { type?: string; cause?: { type?: string } } | undefined;
    expect(err?.type ?? err?.cause?.type).toBe('TOPIC_AUTHORIZATION_FAILED');
    await producer.disconnect();
  });
});
