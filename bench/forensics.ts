/**
 * Forensics at scale against the Kafka sandbox (issue 12). Figures and their baselines are measured
 * in the same run:
 *
 *   npx tsx bench/forensics.ts [--partitions 1000] [--shapes 200,5000] [--runs 5] [--scan-records 1000000] [--no-scan] [--no-window]
 *
 * 1. The window (`investigate` without the data-subject count: legal hold, log bounds, committed
 *    offsets, the timestamp index at the suspected start, edge timestamps by plain Fetch, window
 *    arithmetic) over N partitions × 200 and × 5,000 records; median of the runs, against one
 *    kafkajs `fetchTopicOffsets` over the same partitions (one ListOffsets round trip).
 * 2. The data-subject scan: records/s of `countDataSubjectsInChunk` in one worker process, against
 *    a raw kafkajs consumer of the same records (counting only, no parsing); then with 1, 2 and 4
 *    worker processes (child processes) sharing the range.
 *
 * Records are appended straight into the sandbox's partition logs (no producer round trips) so the
 * benchmark runs in a few minutes; they are read back over sockets by the real clients.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createForensicsActivities, type InvestigateInput } from '../activities/forensics';
import type { SubjectChunkInput } from '../activities/data-subjects';
import { mergeDistinct, type DistinctCounterSnapshot } from '../src/domain/distinct-count';
import type { EventDataMap } from '../src/domain/events';
import type { StepOutput } from '../src/domain/step-contract';
import { planSubjectScan } from '../src/domain/subject-scan';
import { createKafka, type KafkaConnection } from '../src/kafka/client';
import { silentLogger } from '../src/log/logger';
import { start as startKafka, type RunningKafkaSandbox } from '../src/sandbox/kafka';
import { encodeBatch, splitBatches } from '../src/sandbox/kafka/log/record-batch';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const int = (name: string, fallback: number): number => {
  const v = Number(arg(name, String(fallback)));
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
  return v;
};
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};
const out = (line: string): void => void process.stdout.write(`${line}\n`);

const HOUR = 3_600_000;
const SUBJECTS = 50_000;
const RECORDS_PER_BATCH = 100;

/**
 * Appends `perPartition` records of order-like JSON to every partition, timestamps spread over 24 h.
 * With `sameEveryPartition`, one partition's batches are encoded once and copied to every partition
 * (the window does not care what the records say; seeding 5 million records stays seconds).
 */
function seed(kafka: RunningKafkaSandbox, topic: string, partitions: number, perPartition: number, end: number, sameEveryPartition = false): void {
  kafka.broker.createTopic(topic, partitions, {});
  const logs = kafka.broker.topics.get(topic)?.partitions ?? [];
  let n = 0;
  const encode = (): Buffer[] => {
    const batches: Buffer[] = [];
    for (let i = 0; i < perPartition; i += RECORDS_PER_BATCH) {
      const records = [];
      for (let j = i; j < Math.min(perPartition, i + RECORDS_PER_BATCH); j++) {
        const subject = (n++ * 7919) % SUBJECTS;
        const value = Buffer.from(JSON.stringify({ orderId: n, client: { accountId: `A${subject}`, email: `c${subject}@example.test` }, amount: (n % 997) / 10 }));
        records.push({ key: null, value, timestamp: end - 24 * HOUR + Math.floor(((j + 1) / perPartition) * 24 * HOUR) });
      }
      batches.push(encodeBatch(records));
    }
    return batches;
  };
  const shared = sameEveryPartition ? encode() : undefined;
  for (let p = 0; p < partitions; p++) {
    const log = logs[p];
    if (log === undefined) throw new Error(`no partition ${p}`);
    for (const batch of shared ?? encode()) log.append(splitBatches(Buffer.from(batch)));
  }
}

async function windowBench(partitions: number, perPartition: number, runs: number): Promise<void> {
  const kafka = await startKafka({ port: 0, groups: { initialRebalanceDelayMs: 0 } });
  try {
    const connection: KafkaConnection = { ...kafka.connection };
    const end = Date.now();
    let t = performance.now();
    seed(kafka, 'orders', partitions, perPartition, end, true);
    const seedMs = performance.now() - t;
    const admin = createKafka(connection, { clientId: 'bench' }).admin();
    await admin.connect();
    // The attacker's group committed 90 % of every partition; reading began 20 h before the end.
    const offsets = await admin.fetchTopicOffsets('orders');
    await admin.setOffsets({ groupId: 'report-exporter', topic: 'orders', partitions: offsets.map((o) => ({ partition: o.partition, offset: String(Math.floor(Number(o.high) * 0.9)) })) });
    const baseline: number[] = [];
    const baselineCpu: number[] = [];
    for (let i = 0; i < Math.max(5, runs); i++) {
      t = performance.now();
      const cpu0 = process.cpuUsage();
      await admin.fetchTopicOffsets('orders');
      baseline.push(performance.now() - t);
      const used = process.cpuUsage(cpu0);
      baselineCpu.push((used.user + used.system) / 1000);
    }
    await admin.disconnect();

    const acts = createForensicsActivities({ kafka: connection, logger: silentLogger });
    const input: InvestigateInput = {
      incidentId: 'bench', stepId: 'forensics', stepKey: 'bench/forensics', mode: 'live', principal: 'User:report-exporter',
      suspectedSince: new Date(end - 20 * HOUR).toISOString(), countDataSubjects: false,
      params: { topics: ['orders'], legalHoldRetentionMs: -1, piiFields: { source: 'inline', fields: [] }, dataSubjectKey: 'client.accountId', exactCountThreshold: 100_000, hllPrecision: 14, useAccessRecords: false },
    };
    const times: number[] = [];
    // CPU time of the process per run (the broker is in this process too): unlike wall time it does
    // not count the time other processes on a shared machine hold the cores.
    const cpu: number[] = [];
    let window: EventDataMap['ForensicWindowEstablished'] | undefined;
    for (let i = 0; i < runs; i++) {
      t = performance.now();
      const cpu0 = process.cpuUsage();
      const result: StepOutput = await new MockActivityEnvironment().run(acts.investigate, input);
      times.push(performance.now() - t);
      const used = process.cpuUsage(cpu0);
      cpu.push((used.user + used.system) / 1000);
      window = result.events.find((e) => e.type === 'ForensicWindowEstablished')?.data as EventDataMap['ForensicWindowEstablished'];
    }
    const expected = BigInt(partitions) * BigInt(Math.floor(perPartition * 0.9) - Math.ceil(perPartition / 6));
    out(`window ${partitions} partitions × ${perPartition} records (seeded in ${(seedMs / 1000).toFixed(1)} s; window ${window?.totals.records} records, ~${expected} expected; all edge timestamps: ${window?.partitions.every((p) => p.firstTs !== null && p.lastTs !== null) ? 'yes' : 'NO'})`);
    out(`  baseline fetchTopicOffsets: median ${median(baseline).toFixed(1)} ms wall, ${median(baselineCpu).toFixed(1)} ms CPU (${baseline.length} runs)`);
    out(`  investigate, window only:   median ${median(times).toFixed(0)} ms, first ${times[0]?.toFixed(0)} ms (${runs} runs) = ${(median(times) / median(baseline)).toFixed(1)} × baseline; goal < 500 ms: ${median(times) < 500 ? 'met' : 'NOT met'}`);
    out(`  investigate, CPU time:      median ${median(cpu).toFixed(0)} ms per run (process, broker included) = ${(median(cpu) / median(baselineCpu)).toFixed(1)} × baseline CPU; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  } finally {
    await kafka.close();
  }
}

/** Records/s of a raw kafkajs consumer reading every record of `topic` once (no parsing). */
async function kafkajsConsume(connection: KafkaConnection, topic: string, total: number): Promise<number> {
  const consumer = createKafka(connection, { clientId: 'bench-raw' }).consumer({ groupId: `bench-raw-${Date.now()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  const start = performance.now();
  await new Promise<void>((resolve, reject) => {
    consumer.run({ autoCommit: false, eachBatch: async ({ batch }) => {
      seen += batch.messages.length;
      if (seen >= total) resolve();
    } }).catch(reject);
  });
  const ms = performance.now() - start;
  await consumer.disconnect();
  return (total / ms) * 1000;
}

/** Scans the chunks in `workers` child processes at once; returns records/s over the wall time. */
async function scanWithWorkers(connection: KafkaConnection, chunks: SubjectChunkInput[]): Promise<{ rate: number; perWorker: number[]; sketches: DistinctCounterSnapshot[]; records: bigint }> {
  const children: ChildProcess[] = chunks.map(() => fork(join(__dirname, 'forensics-scan-worker.ts'), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' }));
  const ready = children.map((c, i) => new Promise<void>((resolve) => {
    c.on('message', (m: { kind: string }) => m.kind === 'ready' && resolve());
    c.send({ kind: 'job', job: { connection, input: chunks[i] } });
  }));
  await Promise.all(ready);
  const start = performance.now();
  const done = children.map((c) => new Promise<{ records: string; ms: number; sketch: DistinctCounterSnapshot }>((resolve, reject) => {
    c.on('message', (m: { kind: string; records: string; ms: number; sketch: DistinctCounterSnapshot; message?: string }) => {
      if (m.kind === 'done') resolve(m);
      if (m.kind === 'failed') reject(new Error(m.message));
    });
  }));
  for (const c of children) c.send({ kind: 'go' });
  const results = await Promise.all(done);
  const wall = performance.now() - start;
  const records = results.reduce((n, r) => n + BigInt(r.records), 0n);
  return { rate: (Number(records) / wall) * 1000, perWorker: results.map((r) => (Number(r.records) / r.ms) * 1000), sketches: results.map((r) => r.sketch), records };
}

async function scanBench(scanRecords: number): Promise<void> {
  const partitions = 16;
  const perPartition = Math.ceil(scanRecords / partitions);
  const kafka = await startKafka({ port: 0, groups: { initialRebalanceDelayMs: 0 } });
  try {
    const connection: KafkaConnection = { ...kafka.connection };
    seed(kafka, 'scan', partitions, perPartition, Date.now());
    const total = partitions * perPartition;
    const window = [{ topic: 'scan', partitions: Array.from({ length: partitions }, (_, p) => ({ partition: p, from: '0', to: String(perPartition - 1), records: String(perPartition), bytes: '0', firstTs: null, lastTs: null, clampedRecords: '0', ranges: [{ from: '0', to: String(perPartition - 1), records: String(perPartition), bytes: '0', firstTs: null, lastTs: null }] })) }];
    const inputsFor = (workers: number): SubjectChunkInput[] => planSubjectScan(window, { maxChunks: workers, minChunkRecords: 1 }).map((c) => ({
      incidentId: 'bench', stepId: 'forensics', stepKey: `bench/forensics/subjects/${c.id}`, topic: c.topic, spans: c.spans,
      fields: [{ path: 'client.accountId', category: 'account-identifier' }, { path: 'client.email', category: 'contact' }], subjectKey: 'client.accountId', exactThreshold: 100_000, precision: 14,
    }));
    const raw = await kafkajsConsume(connection, 'scan', total);
    out(`data-subject scan over ${total} records (${partitions} partitions, ${SUBJECTS} subjects)`);
    out(`  baseline raw kafkajs consume (count only): ${raw.toFixed(0)} records/s`);
    for (const workers of [1, 2, 4]) {
      const r = await scanWithWorkers(connection, inputsFor(workers));
      const merged = mergeDistinct(r.sketches, { exactThreshold: 100_000, precision: 14 });
      const perWorker = r.perWorker.reduce((a, b) => a + b, 0) / r.perWorker.length;
      out(`  ${workers} worker process${workers > 1 ? 'es' : ''}: ${r.rate.toFixed(0)} records/s total, ${perWorker.toFixed(0)} records/s per worker = ${(perWorker / raw).toFixed(2)} × raw kafkajs; ${r.records} records, ${merged.count} subjects (${merged.method}${merged.method === 'hll' ? ` ±${(merged.relativeStandardError * 100).toFixed(2)} %` : ''}, truth ${SUBJECTS})`);
    }
  } finally {
    await kafka.close();
  }
}

async function main(): Promise<void> {
  const partitions = int('partitions', 1000);
  const runs = int('runs', 5);
  if (!process.argv.includes('--no-window')) for (const shape of arg('shapes', '200,5000').split(',').map(Number)) await windowBench(partitions, shape, runs);
  if (!process.argv.includes('--no-scan')) await scanBench(int('scan-records', 1_000_000));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
