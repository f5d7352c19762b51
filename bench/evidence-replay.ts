/**
 * Evidence replay throughput: `preserveEvidence`'s engine (read, hash, AES-GCM under a
 * Vault-wrapped data key per chunk, hash-chain, produce, heartbeat) copying one partition's
 * window, next to a baseline measured in the same run on the same broker over the same records —
 * a plain kafkajs consume→produce pipe (same reader, same chunking, records copied as they are,
 * no crypto, no hashing, no Vault). The ratio is what evidence-grade copying costs.
 *
 *   npx tsx bench/evidence-replay.ts [--records 100000] [--size 300] [--chunk 10000]
 */
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { EvidenceReplay } from '../src/audit/evidence-replay';
import { readSlice } from '../src/audit/topic-reader';
import { silentLogger } from '../src/log/logger';
import { start as startKafka } from '../src/sandbox/kafka';
import { start as startVault } from '../src/sandbox/vault';
import { createVaultSecrets } from '../src/vault';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const TOTAL = arg('records', 100_000);
const SIZE = arg('size', 300);
const CHUNK = arg('chunk', 10_000);
const SOURCE = 'orders';

interface Figure {
  label: string;
  records: number;
  bytes: number;
  ms: number;
}

function show(f: Figure): number {
  const secs = f.ms / 1000;
  const rps = f.records / secs;
  console.log(
    `${f.label.padEnd(40)} ${String(Math.round(rps)).padStart(8)} records/s ${(f.bytes / secs / 1024 / 1024).toFixed(1).padStart(6)} MB/s  (${f.records} records, ${(f.bytes / 1024 / 1024).toFixed(1)} MB source, ${f.ms.toFixed(0)} ms)`,
  );
  return rps;
}

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
    await admin.createTopics({ topics: [{ topic: SOURCE, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '-1' }] }, { topic: 'raw-copy', numPartitions: 1 }] });
    await admin.disconnect();

    // Seed: order records of SIZE bytes with a personal-data field.
    const producer = client.producer();
    await producer.connect();
    const pad = 'x'.repeat(Math.max(0, SIZE - 90));
    let sourceBytes = 0;
    for (let i = 0; i < TOTAL; i += 1000) {
      const messages = Array.from({ length: Math.min(1000, TOTAL - i) }, (_, j) => {
        const value = `{"orderId":"o-${i + j}","client":{"email":"c${i + j}@bank.example"},"pad":"${pad}"}`;
        sourceBytes += value.length + 10;
        return { key: `acct-${(i + j) % 5000}`, value };
      });
      await producer.send({ topic: SOURCE, acks: 1, messages });
    }

    // Baseline: the plain pipe.
    let t = performance.now();
    let piped = 0;
    await readSlice(client, {
      topic: SOURCE,
      partition: 0,
      partitions: 1,
      from: 0n,
      toExclusive: BigInt(TOTAL),
      onMessages: async (messages) => {
        for (let k = 0; k < messages.length; k += CHUNK) {
          await producer.send({ topic: 'raw-copy', acks: -1, messages: messages.slice(k, k + CHUNK).map((m) => ({ key: m.key, value: m.value, headers: m.headers ?? {} })) });
        }
        piped += messages.length;
      },
    });
    const raw = show({ label: 'raw kafkajs consume→produce pipe', records: piped, bytes: sourceBytes, ms: performance.now() - t });
    await producer.disconnect();

    // Evidence replay of the same records.
    const secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
    let beats = 0;
    const replay = new EvidenceReplay(
      {
        incidentId: 'bench',
        stepKey: 'bench/preserve-evidence',
        sourceTopic: SOURCE,
        partition: 0,
        ranges: [{ from: '0', to: String(TOTAL - 1), records: String(TOTAL), bytes: String(sourceBytes), firstTs: null, lastTs: null }],
        evidenceTopic: 'breachline.evidence.bench',
        chunkSize: CHUNK,
        transitKey: 'breachline-evidence',
      },
      { kafka: client, secrets, logger: silentLogger, now: () => new Date(), writer: `User:${kafka.connection.username}`, heartbeat: () => void beats++ },
    );
    t = performance.now();
    const result = await replay.run(undefined);
    const evidence = show({ label: 'evidence replay (encrypt + hash chain)', records: Number(result.produced), bytes: sourceBytes, ms: performance.now() - t });
    console.log(`evidence / raw throughput ratio: ${(evidence / raw).toFixed(2)}  (${beats} heartbeats, chunk ${CHUNK})`);
    if (result.produced !== String(TOTAL)) throw new Error(`evidence copied ${result.produced} of ${TOTAL}`);
  } finally {
    await Promise.all([kafka.close(), vault.close()]);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
