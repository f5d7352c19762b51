import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin, Kafka } from 'kafkajs';
import { ApiKey, ErrorCode, type RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { client, startBroker } from './helpers';
import { RawKafkaSocket } from './raw-client';

let sandbox: RunningKafkaSandbox;
let kafka: Kafka;
let admin: Admin;

beforeAll(async () => {
  sandbox = await startBroker({ maxRequestBytes: 1024 * 1024 });
  kafka = client(sandbox);
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'rob' }] });
});
afterAll(async () => {
  await admin.disconnect();
  await sandbox.close();
});

/** The shared kafkajs admin still works: the broker kept serving other clients. */
async function brokerStillServes(): Promise<void> {
  expect(await admin.listTopics()).toContain('rob');
}

async function authenticated(): Promise<RawKafkaSocket> {
  const raw = await RawKafkaSocket.open(sandbox.address);
  expect(await raw.authenticatePlain(sandbox.connection.username, sandbox.connection.password)).toBe(0);
  return raw;
}

describe('kafka sandbox: bad input closes one connection, never the broker', () => {
  it('answers an unknown ApiVersions version with error 35 and the supported ranges', async () => {
    const raw = await RawKafkaSocket.open(sandbox.address);
    // Request header v2 (v1 + an empty tag buffer); the answer is a v0 body behind a v0 response header.
    const r = await raw.request(ApiKey.ApiVersions, 9, (w) => w.tagBuffer());
    const res = new RawReader(r);
    expect(res.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(res.apis.get(ApiKey.Fetch)).toEqual({ min: 4, max: 4 });
    expect(res.apis.get(ApiKey.AlterUserScramCredentials)).toEqual({ min: 0, max: 0 });
    raw.destroy();
  });

  it('closes connections that send frames that are too small, malformed, or of unknown API key or version', async () => {
    const tiny = await RawKafkaSocket.open(sandbox.address);
    tiny.send(Buffer.from([0, 0, 0, 3, 1, 2, 3]));
    expect(await tiny.closesWithin(2000)).toBe(true);

    const unknownKey = await authenticated();
    void unknownKey.request(999, 0, () => undefined).catch(() => undefined);
    expect(await unknownKey.closesWithin(2000)).toBe(true);

    const unknownVersion = await authenticated();
    void unknownVersion.request(ApiKey.Metadata, 99, () => undefined).catch(() => undefined);
    expect(await unknownVersion.closesWithin(2000)).toBe(true);

    const malformed = await authenticated();
    // Metadata v4 whose topic array claims 2^31-1 entries.
    void malformed.request(ApiKey.Metadata, 4, (w) => w.int32(0x7fffffff)).catch(() => undefined);
    expect(await malformed.closesWithin(2000)).toBe(true);
    await brokerStillServes();
  });

  it('closes a connection that announces a request above the size limit, before reading it', async () => {
    const raw = await authenticated();
    const header = Buffer.alloc(4);
    header.writeInt32BE(200 * 1024 * 1024);
    raw.send(header);
    expect(await raw.closesWithin(2000)).toBe(true);
    await brokerStillServes();
  });

  it('limits frames before authentication to 512 KiB, as sasl.server.max.receive.size does', async () => {
    const raw = await RawKafkaSocket.open(sandbox.address);
    const header = Buffer.alloc(4);
    header.writeInt32BE(600 * 1024);
    raw.send(header);
    expect(await raw.closesWithin(2000)).toBe(true);
  });

  it('fails to start on a port in use without leaving anything behind', async () => {
    const port = Number(sandbox.address.split(':')[1]);
    await expect(startBroker({ port })).rejects.toThrow(/EADDRINUSE/);
    await brokerStillServes();
  });

  it('refuses every API but ApiVersions and SASL before authentication, and wrong passwords', async () => {
    const early = await RawKafkaSocket.open(sandbox.address);
    void early.request(ApiKey.Metadata, 4, (w) => w.int32(-1).boolean(false)).catch(() => undefined);
    expect(await early.closesWithin(2000)).toBe(true);

    const wrong = await RawKafkaSocket.open(sandbox.address);
    expect(await wrong.authenticatePlain(sandbox.connection.username, 'not-the-password')).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    expect(await wrong.closesWithin(2000)).toBe(true);
    await brokerStillServes();
  });

  it('survives clients that vanish mid-frame or during a long-poll fetch', async () => {
    const half = await authenticated();
    const frame = Buffer.alloc(100);
    frame.writeInt32BE(500);
    half.send(frame);
    half.destroy();

    const polling = await authenticated();
    void polling
      .request(ApiKey.Fetch, 4, (w) =>
        w.int32(-1).int32(5000).int32(1).int32(1 << 20).int8(0)
          .array(['rob'], (x, t) => x.string(t).array([0], (y, p) => y.int32(p).int64(0n).int32(1 << 20))),
      )
      .catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    polling.destroy();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'rob', messages: [{ value: 'after the vanished fetch' }] });
    await producer.disconnect();
    await brokerStillServes();
  });
});

describe('kafka sandbox: fault hooks', () => {
  it('fails the next N requests of an API with the given error, then recovers', async () => {
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    sandbox.broker.faults.failNext(ApiKey.Produce, 1, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    const err = (await producer.send({ topic: 'rob', messages: [{ value: 'x' }] }).then(() => undefined, (e: unknown) => e)) as { type?: string; cause?: { type?: string } } | undefined;
    expect(err?.type ?? err?.cause?.type).toBe('TOPIC_AUTHORIZATION_FAILED');
    const before = (await admin.fetchTopicOffsets('rob'))[0]?.high;
    await producer.send({ topic: 'rob', messages: [{ value: 'y' }] });
    expect(Number((await admin.fetchTopicOffsets('rob'))[0]?.high)).toBe(Number(before) + 1);
    await producer.disconnect();
  });

  it('adds latency and drops connections; clients reconnect', async () => {
    sandbox.broker.faults.setLatency(200);
    const started = Date.now();
    await admin.fetchTopicOffsets('rob');
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    sandbox.broker.faults.setLatency(0);

    const producer = kafka.producer();
    await producer.connect();
    expect(sandbox.broker.connectionCount).toBeGreaterThan(0);
    sandbox.broker.faults.dropConnections();
    await new Promise((r) => setTimeout(r, 50));
    expect(sandbox.broker.connectionCount).toBe(0);
    await producer.send({ topic: 'rob', messages: [{ value: 'after the drop' }] });
    await producer.disconnect();
    await brokerStillServes();
  });
});

/** Decodes an ApiVersions v0 body. */
class RawReader {
  readonly errorCode: number;
  readonly apis = new Map<number, { min: number; max: number }>();
  constructor(r: import('../../../src/kafka/wire').KafkaReader) {
    this.errorCode = r.int16();
    r.array((x) => this.apis.set(x.int16(), { min: x.int16(), max: x.int16() }));
  }
}
