/**
 * Kafka sandbox throughput: kafkajs produce and consume against the sandbox broker, for 100-byte
 * and 1-KB records in batches of 1,000 (acks 1), next to a ceiling measured in the same run —
 * the same kafkajs producer against a bare TCP server that answers every Produce with a canned
 * success and does nothing else.
 *
 * A third figure isolates the broker: a raw socket replays the same Produce request bytes
 * (record batches identical to kafkajs's encoding) with 8 requests pipelined.
 *
 *   npx tsx bench/kafka-sandbox.ts [--records 200000] [--inflight 1]
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { KafkaReader, KafkaWriter } from '../src/kafka/wire';
import { encodeBatch, start, type RunningKafkaSandbox } from '../src/sandbox/kafka';
import { API_VERSIONS } from '../src/sandbox/kafka/protocol/api-keys';
import * as apiVersionsV1 from '../src/sandbox/kafka/protocol/api-versions/v1';
import * as metadataV4 from '../src/sandbox/kafka/protocol/metadata/v4';
import * as produceV3 from '../src/sandbox/kafka/protocol/produce/v3';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const TOTAL = arg('records', 200_000);
const INFLIGHT = arg('inflight', 1);
const BATCH = 1000;
const TOPIC = 'bench';

interface Figure {
  label: string;
  records: number;
  bytes: number;
  ms: number;
}

function show(f: Figure): void {
  const secs = f.ms / 1000;
  const rps = Math.round(f.records / secs);
  const mbps = (f.bytes / secs / 1024 / 1024).toFixed(1);
  console.log(`${f.label.padEnd(44)} ${String(rps).padStart(9)} records/s ${mbps.padStart(7)} MB/s  (${f.records} records in ${f.ms.toFixed(0)} ms)`);
}

/** Sends TOTAL records in batches of BATCH with up to INFLIGHT sends outstanding. */
async function produceAll(producer: Producer, size: number, total: number): Promise<number> {
  const value = Buffer.alloc(size, 'x');
  const messages = Array.from({ length: BATCH }, () => ({ value }));
  const started = performance.now();
  let sent = 0;
  const lane = async (): Promise<void> => {
    while (sent < total) {
      sent += BATCH;
      await producer.send({ topic: TOPIC, acks: 1, messages });
    }
  };
  await Promise.all(Array.from({ length: INFLIGHT }, lane));
  return performance.now() - started;
}

/** A TCP server that speaks just enough Kafka for a kafkajs producer: canned answers, no storage. */
async function cannedServer(): Promise<{ address: string; close(): Promise<void> }> {
  let port = 0;
  const answer = (socket: Socket, frame: Buffer): void => {
    const r = new KafkaReader(frame);
    const apiKey = r.int16();
    r.int16();
    const correlationId = r.int32();
    r.string();
    const w = new KafkaWriter().int32(correlationId);
    if (apiKey === 18) apiVersionsV1.encode(w, { errorCode: 0, apis: API_VERSIONS });
    else if (apiKey === 3) {
      const req = metadataV4.decode(r);
      metadataV4.encode(w, {
        brokers: [{ nodeId: 1, host: '127.0.0.1', port, rack: null }],
        clusterId: 'canned',
        controllerId: 1,
        topics: (req.topics ?? [TOPIC]).map((name) => ({ errorCode: 0, name, isInternal: false, partitions: [{ errorCode: 0, partition: 0, leader: 1, replicas: [1], isr: [1] }] })),
      });
    } else if (apiKey === 0) {
      const req = produceV3.decode(r);
      produceV3.encode(w, { topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: 0, baseOffset: 0n, logAppendTime: -1n })) })) });
    } else {
      socket.destroy();
      return;
    }
    socket.write(w.buildFramed());
  };
  const server: Server = createServer((socket) => {
    let buf: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const size = buf.readInt32BE(0);
        answer(socket, buf.subarray(4, 4 + size));
        buf = buf.subarray(4 + size);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return { address: `127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Sends `count` identical Produce requests over one authenticated socket, 8 in flight; returns ms. */
async function replayProduce(sandbox: RunningKafkaSandbox, size: number, count: number): Promise<number> {
  const [host, port] = sandbox.address.split(':');
  const socket = connect({ host, port: Number(port) });
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  let pending: Array<() => void> = [];
  let buf: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
      buf = buf.subarray(4 + buf.readInt32BE(0));
      pending.shift()?.();
    }
  });
  const frame = (apiKey: number, version: number, body: (w: KafkaWriter) => void): Buffer => {
    const w = new KafkaWriter().int16(apiKey).int16(version).int32(1).string('bench-replay');
    body(w);
    return w.buildFramed();
  };
  const roundTrip = (bytes: Buffer): Promise<void> =>
    new Promise((resolve) => {
      pending.push(resolve);
      socket.write(bytes);
    });
  await roundTrip(frame(17, 1, (w) => w.string('PLAIN')));
  await roundTrip(frame(36, 0, (w) => w.bytes(Buffer.from(`\0${sandbox.connection.username}\0${sandbox.connection.password}`))));
  const now = Date.now();
  const value = Buffer.alloc(size, 'x');
  const batch = encodeBatch(Array.from({ length: BATCH }, () => ({ value, timestamp: now })));
  const produce = frame(0, 3, (w) => w.string(null).int16(1).int32(30_000).array([TOPIC], (x, t) => x.string(t).array([0], (y, p) => y.int32(p).bytes(batch))));
  const started = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    let done = 0;
    const pump = (): void => {
      while (sent < count && sent - done < 8) {
        sent++;
        pending.push(() => {
          done++;
          if (done === count) resolve();
          else pump();
        });
        socket.write(produce);
      }
    };
    pump();
  });
  const ms = performance.now() - started;
  pending = [];
  socket.destroy();
  return ms;
}

async function main(): Promise<void> {
  console.log(`kafka sandbox bench: ${TOTAL} records per run, batches of ${BATCH}, acks 1, ${INFLIGHT} send(s) in flight, node ${process.version}`);
  const figures: Figure[] = [];

  const canned = await cannedServer();
  const plain = new Kafka({ clientId: 'bench', brokers: [canned.address], logLevel: logLevel.NOTHING });
  const cannedProducer = plain.producer();
  await cannedProducer.connect();
  for (const size of [100, 1024]) {
    const total = size === 100 ? TOTAL : Math.ceil(TOTAL / 4);
    await produceAll(cannedProducer, size, Math.min(total, 20 * BATCH));
    figures.push({ label: `ceiling: produce to canned server, ${size} B`, records: total, bytes: total * size, ms: await produceAll(cannedProducer, size, total) });
  }
  await cannedProducer.disconnect();
  await canned.close();

  for (const size of [100, 1024]) {
    const total = size === 100 ? TOTAL : Math.ceil(TOTAL / 4);
    const sandbox = await start({});
    const kafka = new Kafka({
      clientId: 'bench',
      brokers: [...sandbox.connection.brokers],
      sasl: { mechanism: 'scram-sha-512', username: sandbox.connection.username, password: sandbox.connection.password },
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    figures.push({ label: `sandbox: produce, ${size} B`, records: total, bytes: total * size, ms: await produceAll(producer, size, total) });
    await producer.disconnect();
    const replayed = Math.ceil(total / BATCH);
    figures.push({ label: `sandbox alone: raw replay of produce, ${size} B`, records: replayed * BATCH, bytes: replayed * BATCH * size, ms: await replayProduce(sandbox, size, replayed) });

    const consumer = kafka.consumer({ groupId: `bench-${size}`, maxBytes: 50 * 1024 * 1024, maxBytesPerPartition: 10 * 1024 * 1024 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    let got = 0;
    let firstAt = 0;
    const done = new Promise<number>((resolve) => {
      void consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch }) => {
          if (firstAt === 0) firstAt = performance.now();
          got += batch.messages.length;
          if (got >= total + Math.ceil(total / BATCH) * BATCH) resolve(performance.now());
        },
      });
    });
    const startedAt = performance.now();
    const endedAt = await done;
    const stored = total + replayed * BATCH;
    figures.push({ label: `sandbox: consume, ${size} B (from first batch)`, records: stored, bytes: stored * size, ms: endedAt - firstAt });
    figures.push({ label: `sandbox: consume, ${size} B (incl. group join)`, records: stored, bytes: stored * size, ms: endedAt - startedAt });
    await consumer.disconnect();
    await sandbox.close();
  }
  for (const f of figures) show(f);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
