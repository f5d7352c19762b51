/**
 * Evidence replay throughput (issue 13). The chunked replay (`preserveEvidenceChunks`' engine: read,
 * pack ~1 MB chunks, one AES-GCM pass and one Vault datakey per chunk, per-record SHA-256 and
 * Merkle, produce, then a signed manifest) in separate worker processes, next to a baseline
 * measured in the same run on the same broker over the same records: a raw kafkajs
 * consume→produce pipe (same reader, same producer settings, records copied as they are). Both
 * run in a child process of their own, so each process's CPU is its own; the Kafka and Vault
 * sandboxes run in this process and share the machine's cores with the workers.
 *
 * Prints: records/s of each, the ratio evidence/raw with one worker process (goal ≥ 0.8), CPU µs
 * per record, evidence bytes written per source byte (goal ≤ 1.2×), and records/s with 1, 2 and
 * 4 worker processes (each takes every W-th partition).
 *
 *   npx tsx bench/evidence-replay.ts [--records 1000000] [--size 300] [--partitions 4] [--workers 1,2,4]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { start as startKafka } from '../src/sandbox/kafka';
import { start as startVault } from '../src/sandbox/vault';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const TOTAL = Number(arg('records', '1000000'));
const SIZE = Number(arg('size', '300'));
const PARTITIONS = Number(arg('partitions', '4'));
const WORKERS = arg('workers', '1,2,4').split(',').map(Number);
const SOURCE = 'orders';
const PER_PARTITION = Math.floor(TOTAL / PARTITIONS);

interface Figures {
  records: number;
  sourceBytes: number;
  writtenBytes: number;
  ms: number;
  cpuMs: number;
}

type Job = Record<string, unknown> & { mode: 'raw' | 'evidence'; partitions: number[]; evidenceTopic: string; run: string };

function worker(job: Job): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'evidence-worker.ts')], { env: { ...process.env, BENCH_JOB: JSON.stringify(job) }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Figures) : reject(new Error(`bench worker exited ${code}`))));
  });
}

/** Runs `processes` workers over every partition; wall time is the slowest's. */
async function run(base: Omit<Job, 'mode' | 'partitions' | 'evidenceTopic' | 'run'>, mode: Job['mode'], processes: number, name: string): Promise<Figures & { wallMs: number }> {
  const t = performance.now();
  const shares = Array.from({ length: processes }, (_, w) => Array.from({ length: PARTITIONS }, (_, p) => p).filter((p) => p % processes === w));
  const figures = await Promise.all(shares.map((partitions) => worker({ ...base, mode, partitions, evidenceTopic: `breachline.evidence.${name}`, run: name })));
  const wallMs = performance.now() - t;
  const sum = (k: keyof Figures): number => figures.reduce((n, f) => n + f[k], 0);
  return { records: sum('records'), sourceBytes: sum('sourceBytes'), writtenBytes: sum('writtenBytes'), ms: Math.max(...figures.map((f) => f.ms)), cpuMs: sum('cpuMs'), wallMs };
}

const rate = (f: { records: number; ms: number }): number => f.records / (f.ms / 1000);
const fmt = (n: number): string => String(Math.round(n)).padStart(8);

async function main(): Promise<void> {
  const [kafka, vault] = await Promise.all([startKafka({ port: 0, groups: { initialRebalanceDelayMs: 0, minSessionTimeoutMs: 1000 } }), startVault({ port: 0 })]);
  try {
    const client = new Kafka({
      clientId: 'bench-evidence',
      brokers: [...kafka.connection.brokers],
      sasl: { mechanism: 'scram-sha-512', username: kafka.connection.username, password: kafka.connection.password } as SASLOptions,
      logLevel: logLevel.NOTHING,
    });
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: SOURCE, numPartitions: PARTITIONS, configEntries: [{ name: 'retention.ms', value: '-1' }] },
        { topic: 'breachline.evidence.raw.raw', numPartitions: PARTITIONS },
      ],
    });
    await admin.disconnect();

    // Seed: SIZE-byte records (16-byte key, the rest value), random bytes so nothing compresses.
    const producer = client.producer();
    await producer.connect();
    const t0 = performance.now();
    const valueBytes = Math.max(0, SIZE - 16);
    await Promise.all(
      Array.from({ length: PARTITIONS }, async (_, partition) => {
        for (let i = 0; i < PER_PARTITION; i += 2000) {
          const n = Math.min(2000, PER_PARTITION - i);
          await producer.send({ topic: SOURCE, acks: 1, messages: Array.from({ length: n }, () => ({ partition, key: randomBytes(8).toString('hex'), value: randomBytes(valueBytes) })) });
        }
      }),
    );
    await producer.disconnect();
    console.log(`seeded ${PER_PARTITION * PARTITIONS} records of ${SIZE} B in ${PARTITIONS} partitions (${((performance.now() - t0) / 1000).toFixed(1)} s); ${cpus().length} cores shared by the broker, Vault and the workers`);

    const base = { brokers: [...kafka.connection.brokers], username: kafka.connection.username, password: kafka.connection.password, vault: vault.address, token: vault.rootToken, topic: SOURCE, totalPartitions: PARTITIONS, records: PER_PARTITION };
    const raw = await run(base, 'raw', 1, 'raw');
    const ev = await run(base, 'evidence', 1, 'w1');
    console.log(`raw kafkajs consume→produce pipe, 1 process    ${fmt(rate(raw))} records/s  ${(raw.cpuMs * 1000 / raw.records).toFixed(1).padStart(6)} µs CPU/record`);
    console.log(`evidence replay (chunks), 1 worker process     ${fmt(rate(ev))} records/s  ${(ev.cpuMs * 1000 / ev.records).toFixed(1).padStart(6)} µs CPU/record`);
    console.log(`evidence / raw throughput ratio: ${(rate(ev) / rate(raw)).toFixed(2)} (goal ≥ 0.8)`);
    console.log(`evidence bytes written per source byte: ${(ev.writtenBytes / ev.sourceBytes).toFixed(3)} (goal ≤ 1.2; raw pipe 1.000)`);
    if (ev.records !== PER_PARTITION * PARTITIONS) throw new Error(`evidence preserved ${ev.records} of ${PER_PARTITION * PARTITIONS}`);
    for (const w of WORKERS.filter((n) => n > 1)) {
      const f = await run(base, 'evidence', w, `w${w}`);
      console.log(`evidence replay, ${w} worker processes          ${fmt(rate(f))} records/s  (slowest worker ${(f.ms / 1000).toFixed(1)} s, wall with process start ${(f.wallMs / 1000).toFixed(1)} s)`);
    }
  } finally {
    await Promise.all([kafka.close(), vault.close()]);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
