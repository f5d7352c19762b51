/**
 * One worker process of bench/evidence-replay.ts: runs either the chunked evidence replay (the
 * engine of `preserveEvidenceChunks`) or the raw kafkajs consume→produce pipe over its share of
 * the source partitions, one partition after another as one activity slot would, and prints one
 * JSON line of figures (records, wall ms, this process's CPU, bytes in and out).
 *
 * Input: BENCH_JOB (JSON): { mode: 'raw' | 'evidence', brokers, username, password, vault, token,
 * topic, partitions: number[], records: number (per partition), evidenceTopic, run }.
 */
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { ChunkReplay } from '../src/audit/chunk-replay';
import { readSlice } from '../src/audit/topic-reader';
import { silentLogger } from '../src/log/logger';
import { createVaultSecrets } from '../src/vault';

interface Job {
  mode: 'raw' | 'evidence';
  brokers: string[];
  username: string;
  password: string;
  vault: string;
  token: string;
  topic: string;
  partitions: number[];
  totalPartitions: number;
  records: number;
  evidenceTopic: string;
  run: string;
}

async function raw(client: Kafka, job: Job): Promise<{ records: number; sourceBytes: number; writtenBytes: number }> {
  const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  let records = 0;
  let bytes = 0;
  for (const partition of job.partitions) {
    await readSlice(client, {
      topic: job.topic,
      partition,
      partitions: job.totalPartitions,
      from: 0n,
      toExclusive: BigInt(job.records),
      groupPrefix: 'bench-raw',
      onMessages: async (messages) => {
        // Send in ~900 KiB batches: the broker's max.message.bytes applies to a batch.
        let batch: typeof messages = [];
        let size = 0;
        const flush = async (): Promise<void> => {
          if (batch.length === 0) return;
          await producer.send({ topic: `${job.evidenceTopic}.raw`, acks: -1, messages: batch.map((m) => ({ key: m.key, value: m.value, headers: m.headers ?? {}, partition })) });
          batch = [];
          size = 0;
        };
        for (const m of messages) {
          const n = (m.key?.length ?? 0) + (m.value?.length ?? 0);
          if (size + n > 900 * 1024) await flush();
          batch.push(m);
          size += n;
          bytes += n;
        }
        await flush();
        records += messages.length;
      },
    });
  }
  await producer.disconnect();
  return { records, sourceBytes: bytes, writtenBytes: bytes };
}

async function evidence(client: Kafka, job: Job): Promise<{ records: number; sourceBytes: number; writtenBytes: number }> {
  const secrets = createVaultSecrets({ address: job.vault, token: job.token });
  let records = 0;
  let sourceBytes = 0;
  let writtenBytes = 0;
  for (const partition of job.partitions) {
    const replay = new ChunkReplay(
      {
        incidentId: `bench-${job.run}`,
        stepKey: `bench-${job.run}/preserve-evidence`,
        sourceTopic: job.topic,
        partition,
        ranges: [{ from: '0', to: String(job.records - 1), records: String(job.records), bytes: '0', firstTs: null, lastTs: null }],
        evidenceTopic: job.evidenceTopic,
        transitKey: 'breachline-evidence',
        maxRecordsPerChunk: 100_000,
      },
      { kafka: client, secrets, logger: silentLogger, now: () => new Date(), writer: `User:${job.username}`, heartbeat: () => undefined },
    );
    const result = await replay.run(undefined);
    records += Number(result.produced);
    sourceBytes += Number(result.manifest.sourceBytes);
    writtenBytes += Number(result.manifest.evidenceBytes);
  }
  return { records, sourceBytes, writtenBytes };
}

async function main(): Promise<void> {
  const job = JSON.parse(process.env.BENCH_JOB ?? '{}') as Job;
  const client = new Kafka({
    clientId: `bench-${job.mode}`,
    brokers: job.brokers,
    sasl: { mechanism: 'scram-sha-512', username: job.username, password: job.password } as SASLOptions,
    logLevel: logLevel.NOTHING,
  });
  const cpu = process.cpuUsage();
  const t = performance.now();
  const figures = job.mode === 'raw' ? await raw(client, job) : await evidence(client, job);
  const ms = performance.now() - t;
  const used = process.cpuUsage(cpu);
  process.stdout.write(`${JSON.stringify({ ...figures, ms, cpuMs: (used.user + used.system) / 1000 })}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
