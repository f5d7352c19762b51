/**
 * The cost of `audit verify` per 10k records, with and without signatures.
 *
 *   npx tsx bench/audit-verify.ts [records] [batch]      (defaults 10000, 10)
 *
 * Builds `records` sealed events over 50 interleaved incidents, appended in batches of `batch`
 * events per incident. The unsigned topic is the events alone and is verified for chains only
 * (the in-run baseline: what verify cost before signing). The signed topic adds one checkpoint
 * per batch, signed in Vault's `vault:v1:` ed25519 format with a local key (verify never calls
 * Vault: it checks signatures offline with the public key), and is verified for chains,
 * signatures, checkpoint targets and coverage. Both verdicts must be ok. A third figure runs the
 * signed topic end to end: produced to the Kafka sandbox, read back by `inspectAuditTopic`, verified.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { inspectAuditTopic, verifyAuditTopic, type AuditTopicFacts } from '../src/audit/audit-verify';
import type { AuditRecord } from '../src/audit/audit-reader';
import { checkpointBody, checkpointSigningInput, type PublicKeyRing } from '../src/domain/audit-checkpoint';
import { GENESIS_HASH, sealEvent } from '../src/domain/audit-chain';
import { makeEvent } from '../src/domain/events';
import { start as startKafka } from '../src/sandbox/kafka';

const INCIDENTS = 50;

function build(total: number, batch: number, signed: boolean): { records: AuditRecord[]; keys: PublicKeyRing } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const heads = new Map<string, { seq: number; hash: string; offset: number }>();
  const records: AuditRecord[] = [];
  let events = 0;
  const push = (key: string, value: unknown): number => {
    const offset = records.length;
    records.push({ partition: 0, offset: String(offset), key, value });
    return offset;
  };
  for (let round = 0; events < total; round++) {
    for (let i = 0; i < INCIDENTS && events < total; i++) {
      const id = `incident-${i.toString(16).padStart(8, '0')}`;
      const head = heads.get(id) ?? { seq: 0, hash: GENESIS_HASH, offset: -1 };
      for (let b = 0; b < batch && events < total; b++, events++) {
        const seq = head.seq + 1;
        const at = new Date(Date.UTC(2026, 10, 20) + (round * batch + b) * 1000).toISOString();
        const event = makeEvent('AlertCorrelated', { incidentId: id, seq, at, actor: { kind: 'system', id: 'bench' } } as never, { source: 'splunk', alertId: `a-${seq}`, rule: 'exfil', fingerprint: 'f'.repeat(16), receivedAt: at });
        const sealed = sealEvent(event, head.hash);
        head.offset = push(id, sealed);
        head.seq = seq;
        head.hash = sealed.hash;
      }
      heads.set(id, head);
      if (signed) {
        const body = checkpointBody(id, head.seq, head.hash, BigInt(head.offset));
        push(id, { ...body, signature: `vault:v1:${sign(null, checkpointSigningInput(body), privateKey).toString('base64')}` });
      }
    }
  }
  return { records, keys: new Map([[1, publicKey]]) };
}

function facts(records: AuditRecord[]): AuditTopicFacts {
  return { topic: 'bench', low: 0n, high: BigInt(records.length), partitions: 1, configs: { 'retention.ms': '-1' }, records };
}

function time(label: string, runs: number, fn: () => { ok: boolean }): number {
  fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const verdict = fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (!verdict.ok) throw new Error(`${label}: verdict not ok`);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

async function endToEnd(records: AuditRecord[], keys: PublicKeyRing): Promise<number> {
  const kafka = await startKafka({ port: 0, groups: { initialRebalanceDelayMs: 0, minSessionTimeoutMs: 1000 } });
  try {
    const client = new Kafka({ clientId: 'bench', brokers: [...kafka.connection.brokers], sasl: { mechanism: 'scram-sha-512', username: kafka.connection.username, password: kafka.connection.password } as SASLOptions, logLevel: logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'bench.audit', numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '-1' }] }] });
    await admin.disconnect();
    const producer = client.producer();
    await producer.connect();
    for (let i = 0; i < records.length; i += 1000) {
      await producer.send({ topic: 'bench.audit', messages: records.slice(i, i + 1000).map((r) => ({ key: r.key, value: JSON.stringify(r.value) })) });
    }
    await producer.disconnect();
    const t0 = process.hrtime.bigint();
    const verdict = verifyAuditTopic(await inspectAuditTopic(client, 'bench.audit'), { keys });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (!verdict.ok) throw new Error(`end to end: ${verdict.failures[0]?.message ?? 'not ok'}`);
    return ms;
  } finally {
    await kafka.close();
  }
}

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 10_000);
  const batch = Number(process.argv[3] ?? 10);
  const per10k = (ms: number): string => `${((ms * 10_000) / total).toFixed(1)} ms per 10k events`;
  const unsigned = build(total, batch, false);
  const signed = build(total, batch, true);
  const checkpoints = signed.records.length - total;
  const base = time('unsigned', 7, () => verifyAuditTopic(facts(unsigned.records)));
  const full = time('signed', 7, () => verifyAuditTopic(facts(signed.records), { keys: signed.keys }));
  console.log(`audit verify, ${total} events over ${INCIDENTS} incidents, batches of ${batch}`);
  console.log(`  baseline, chains only (unsigned topic):          ${base.toFixed(1)} ms  (${per10k(base)})`);
  console.log(`  signed: chains + ${checkpoints} signatures + coverage: ${full.toFixed(1)} ms  (${per10k(full)}; ${(full / base).toFixed(2)}× baseline, ${(((full - base) * 1000) / checkpoints).toFixed(1)} µs per checkpoint)`);
  const e2e = await endToEnd(signed.records, signed.keys);
  console.log(`  signed, end to end from the Kafka sandbox (read + verify): ${e2e.toFixed(0)} ms  (${per10k(e2e)})`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
