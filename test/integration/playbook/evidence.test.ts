import { MockActivityEnvironment } from '@temporalio/testing';
import { Kafka, logLevel, type KafkaMessage, type SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvidenceActivities, type PreserveEvidenceInput, type PreserveEvidenceResult } from '../../../activities/evidence';
import type { StepOutput } from '../../../src/domain/step-contract';
import {
  decodePayload,
  decryptPayload,
  encodePayload,
  parseEvidenceRecord,
  rangeDigest,
  readSlice,
  sha256Hex,
  topicBounds,
  verifyEvidenceRecords,
  type EvidenceRecord,
  type ReplayCheckpoint,
} from '../../../src/audit';
import type { OffsetRange } from '../../../src/domain/events';
import { createLogger, silentLogger } from '../../../src/log/logger';
import { ApiKey, ErrorCode, start as startKafka, type RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { start as startVault, type RunningVaultSandbox } from '../../../src/sandbox/vault';
import { createVaultSecrets, type SecretsPort } from '../../../src/vault';
import { sourcePayload } from '../../../src/audit/evidence-replay';
import { seedTradingExfiltration } from '../../../src/sandbox/scenario/trading-exfiltration';

/*
 * preserveEvidence against the Kafka and Vault sandboxes with kafkajs and node-vault over real
 * sockets, run under MockActivityEnvironment so heartbeats, cancellation and heartbeat details
 * behave as in a worker. Most tests seed a small source topic inline (ranges with holes, null
 * keys, binary headers); the last one replays the trading-exfiltration scenario's ground truth.
 */

const SOURCE = 'orders-inline';
const PARTITIONS = 2;
const PER_PARTITION = 240;
let kafka: RunningKafkaSandbox;
let vault: RunningVaultSandbox;
let secrets: SecretsPort;
let client: Kafka;

const email = (p: number, i: number): string => `client${p}x${i}@bank-example.org`;

beforeAll(async () => {
  [kafka, vault] = await Promise.all([startKafka({ port: 0, groups: { initialRebalanceDelayMs: 0, minSessionTimeoutMs: 1000 } }), startVault({ port: 0 })]);
  secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
  client = new Kafka({
    clientId: 'evidence-test',
    brokers: [...kafka.connection.brokers],
    sasl: { mechanism: 'scram-sha-512', username: kafka.connection.username, password: kafka.connection.password } as SASLOptions,
    logLevel: logLevel.NOTHING,
  });
  const admin = client.admin();
  await admin.connect();
  // Legal hold (as forensics applies it first): the seeded records are older than the default retention.
  await admin.createTopics({ topics: [{ topic: SOURCE, numPartitions: PARTITIONS, configEntries: [{ name: 'retention.ms', value: '-1' }] }] });
  await admin.disconnect();
  const producer = client.producer();
  await producer.connect();
  for (let p = 0; p < PARTITIONS; p++) {
    for (let start = 0; start < PER_PARTITION; start += 60) {
      await producer.send({
        topic: SOURCE,
        messages: Array.from({ length: 60 }, (_, j) => {
          const i = start + j;
          return {
            partition: p,
            key: i % 7 === 0 ? null : `acct-${p}-${i}`,
            value: JSON.stringify({ orderId: `o-${p}-${i}`, client: { email: email(p, i), accountId: `acct-${p}-${i}` }, qty: i }),
            headers: i % 5 === 0 ? { source: 'trading-gw', trace: Buffer.from([p, i & 0xff]) } : {},
            timestamp: String(1_767_225_600_000 + i * 1000),
          };
        }),
      });
    }
  }
  await producer.disconnect();
}, 60_000);

afterAll(async () => {
  await Promise.all([kafka?.close(), vault?.close()]);
});

function range(from: number, to: number): OffsetRange {
  return { from: String(from), to: String(to), records: String(to - from + 1), bytes: '0', firstTs: null, lastTs: null };
}

function input(stepKey: string, partition: number, ranges: OffsetRange[], evidenceTopic: string, chunkSize: number, mode: 'live' | 'dry-run' = 'live'): PreserveEvidenceInput {
  return {
    incidentId: stepKey.split('/')[0] as string,
    stepId: 'preserve-evidence',
    stepKey,
    mode,
    principal: 'User:report-exporter',
    params: { evidenceTopic, chunkSize, parallelism: 1, tokenisePii: true, transitKey: 'breachline-evidence' },
    sourceTopic: SOURCE,
    partition,
    ranges,
  };
}

/** Runs preserveEvidence in the mock activity context (typed: `env.run` loses the return type). */
function preserve(env: MockActivityEnvironment, step: PreserveEvidenceInput): Promise<StepOutput<PreserveEvidenceResult>> {
  return env.run(activities().preserveEvidence, step) as Promise<StepOutput<PreserveEvidenceResult>>;
}

const activities = () => createEvidenceActivities({ kafka: kafka.connection, secrets, logger: process.env.EVIDENCE_TEST_LOG ? createLogger({ name: 'evidence-test', level: process.env.EVIDENCE_TEST_LOG }) : silentLogger, maxBytesPerPartition: 16 * 1024 });

/** Every record of a topic, raw, in partition then offset order. */
async function readAll(topic: string): Promise<KafkaMessage[]> {
  const admin = client.admin();
  await admin.connect();
  const bounds = await topicBounds(admin, topic);
  await admin.disconnect();
  const out: KafkaMessage[] = [];
  for (const b of bounds) {
    await readSlice(client, { topic, partition: b.partition, partitions: bounds.length, from: b.low, toExclusive: b.high, onMessages: async (m) => void out.push(...m) });
  }
  return out;
}

async function evidenceOf(topic: string, stepKey: string): Promise<EvidenceRecord[]> {
  return (await readAll(topic)).map((m) => parseEvidenceRecord(m.value)).filter((r): r is EvidenceRecord => r !== undefined && r.stepKey === stepKey);
}

function offsetsOf(records: EvidenceRecord[]): number[] {
  return records.map((r) => Number(r.source.offset));
}

const span = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('preserveEvidence', () => {
  it('copies exactly the window, chained, encrypted through Vault, with no personal data in clear', async () => {
    const topic = 'breachline.evidence.clean';
    const ranges = [range(20, 119), range(150, 199)];
    const env = new MockActivityEnvironment();
    const beats: ReplayCheckpoint[] = [];
    env.on('heartbeat', (d: ReplayCheckpoint) => beats.push(d));
    const out = await preserve(env, input('inc-clean/preserve-evidence', 0, ranges, topic, 40));

    const evidence = await evidenceOf(topic, 'inc-clean/preserve-evidence');
    expect(evidence).toHaveLength(150);
    expect(offsetsOf(evidence)).toEqual([...span(20, 119), ...span(150, 199)]);
    expect(new Set(evidence.map((r) => `${r.source.topic}/${r.source.partition}/${r.source.offset}`)).size).toBe(150);
    expect(verifyEvidenceRecords(evidence)).toMatchObject({ ok: true, records: 150 });
    expect(beats.length).toBeGreaterThanOrEqual(4);

    // One EvidencePreserved per range, its digest recomputable from the copies.
    expect(out.events.map((e) => e.type)).toEqual(['EvidencePreserved', 'EvidencePreserved']);
    const first = out.events[0]?.data as { from: string; to: string; records: string; digest: string };
    expect(first).toMatchObject({ from: '20', to: '119', records: '100' });
    expect(first.digest).toBe(rangeDigest(evidence.slice(0, 100).map((r) => r.sha256)));
    expect(out.result?.records).toBe('150');

    // Decrypting through Vault returns the original bytes, coordinates included.
    const originals = new Map<string, KafkaMessage>();
    await readSlice(client, { topic: SOURCE, partition: 0, partitions: PARTITIONS, from: 0n, toExclusive: BigInt(PER_PARTITION), onMessages: async (ms) => ms.forEach((m) => originals.set(m.offset, m)) });
    const keys = new Map<string, Buffer>();
    for (const r of evidence) {
      let dataKey = keys.get(r.enc.wrappedKey);
      if (dataKey === undefined) {
        dataKey = await secrets.decrypt(r.enc.transitKey, r.enc.wrappedKey);
        keys.set(r.enc.wrappedKey, dataKey);
      }
      const plain = decryptPayload(dataKey, r);
      const original = originals.get(r.source.offset) as KafkaMessage;
      expect(plain.equals(encodePayload(sourcePayload(original)))).toBe(true);
      expect(sha256Hex(plain)).toBe(r.sha256);
      expect(r.source.timestamp).toBe(original.timestamp);
      expect(decodePayload(plain).value?.toString()).toContain(email(0, Number(r.source.offset)));
    }
    expect(keys.size).toBe(5); // one data key per chunk: 40+40+20, then 40+10

    // No personal data in clear anywhere on the evidence topic.
    const raw = (await readAll(topic)).map((m) => Buffer.concat([m.key ?? Buffer.alloc(0), m.value ?? Buffer.alloc(0)]).toString('latin1')).join('\n');
    expect(raw).not.toContain('bank-example.org');
    expect(raw).not.toContain('acct-0-');

    // The evidence topic is immutable: retention forever, deletes denied.
    const admin = client.admin();
    await admin.connect();
    const cfg = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: ['retention.ms', 'cleanup.policy'] }] });
    await admin.disconnect();
    expect(Object.fromEntries(cfg.resources[0]?.configEntries.map((e) => [e.configName, e.configValue]) ?? [])).toEqual({ 'retention.ms': '-1', 'cleanup.policy': 'delete' });
  });

  it('resumes after a failed produce from the last heartbeat with no gap and no duplicate', async () => {
    const topic = 'breachline.evidence.crash';
    const stepKey = 'inc-crash/preserve-evidence';
    const ranges = [range(0, PER_PARTITION - 1)];
    const beats: ReplayCheckpoint[] = [];
    const env = new MockActivityEnvironment();
    env.on('heartbeat', (d: ReplayCheckpoint) => {
      beats.push(d);
      if (beats.length === 3) kafka.broker.faults.failNext(ApiKey.Produce, 1, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    });
    await expect(preserve(env, input(stepKey, 1, ranges, topic, 30))).rejects.toMatchObject({ type: 'EvidenceReplayFailed' });
    const partial = await evidenceOf(topic, stepKey);
    expect(partial.length).toBe(90);

    const last = beats[beats.length - 1] as ReplayCheckpoint;
    expect(last.nextOffset).toBe('90');
    const env2 = new MockActivityEnvironment({ heartbeatDetails: last });
    const out = await preserve(env2, input(stepKey, 1, ranges, topic, 30));
    const evidence = await evidenceOf(topic, stepKey);
    expect(offsetsOf(evidence)).toEqual(span(0, PER_PARTITION - 1));
    expect(verifyEvidenceRecords(evidence).ok).toBe(true);
    expect(out.result).toMatchObject({ records: String(PER_PARTITION), adopted: 0 });
    expect((out.events[0]?.data as { digest: string }).digest).toBe(rangeDigest(evidence.map((r) => r.sha256)));
  });

  it('resumes after cancellation from a STALE heartbeat, or none, by reading the evidence tail', async () => {
    const topic = 'breachline.evidence.stale';
    const stepKey = 'inc-stale/preserve-evidence';
    const ranges = [range(10, 99), range(120, 229)];
    const beats: ReplayCheckpoint[] = [];
    const env = new MockActivityEnvironment();
    env.on('heartbeat', (d: ReplayCheckpoint) => {
      beats.push(d);
      if (beats.length === 7) env.cancel();
    });
    await expect(preserve(env, input(stepKey, 0, ranges, topic, 25))).rejects.toThrow();
    const written = (await evidenceOf(topic, stepKey)).length;
    expect(written).toBeGreaterThanOrEqual(100);

    // The first checkpoint lags the topic by several chunks (a crash after produce, before heartbeat).
    const stale = beats[0] as ReplayCheckpoint;
    expect(Number(stale.produced)).toBeLessThan(written);
    const env2 = new MockActivityEnvironment({ heartbeatDetails: stale });
    const out = await preserve(env2, input(stepKey, 0, ranges, topic, 25));
    const evidence = await evidenceOf(topic, stepKey);
    expect(offsetsOf(evidence)).toEqual([...span(10, 99), ...span(120, 229)]);
    expect(verifyEvidenceRecords(evidence).ok).toBe(true);
    expect(out.result?.adopted).toBe(written - Number(stale.produced));
    expect(out.events.map((e) => (e.data as { records: string }).records)).toEqual(['90', '110']);
    expect((out.events[1]?.data as { digest: string }).digest).toBe(rangeDigest(evidence.slice(90).map((r) => r.sha256)));

    // Running again with no details at all repeats nothing: everything is adopted.
    const again = await preserve(new MockActivityEnvironment(), input(stepKey, 0, ranges, topic, 25));
    expect(await evidenceOf(topic, stepKey)).toHaveLength(200);
    expect(again.result?.adopted).toBe(200);
    expect(again.events.map((e) => e.data)).toEqual(out.events.map((e) => e.data));
  });

  it('dry-run plans the copy and produces nothing', async () => {
    const topic = 'breachline.evidence.plan';
    const out = await preserve(new MockActivityEnvironment(), input('inc-plan/preserve-evidence', 1, [range(0, 49), range(60, 69)], topic, 25, 'dry-run'));
    expect(out.events).toHaveLength(1);
    expect(out.events[0]?.type).toBe('StepPlanned');
    const changes = (out.events[0]?.data as { changes: Array<{ kind: string }> }).changes;
    expect(changes.map((c) => c.kind)).toEqual(['topic.create', 'vault.transit.key', 'evidence.copy', 'evidence.copy']);
    expect(out.result?.records).toBe('60');
    const admin = client.admin();
    await admin.connect();
    expect(await admin.listTopics()).not.toContain(topic);
    await admin.disconnect();
  });
});

describe('preserveEvidence on the trading-exfiltration scenario', () => {
  it('preserves exactly the ground-truth window of every partition, with no personal data in clear', async () => {
    const scenario = await seedTradingExfiltration({ kafka: kafka.connection, secrets, volume: 'test', retentionMs: -1 });
    const topic = 'breachline.evidence.orders';
    let total = 0n;
    const names = new Set<string>();
    // As the workflow fans out: every partition at once, all racing to create the evidence topic.
    const outs = await Promise.all(
      scenario.groundTruth.partitions.map((gt) =>
        preserve(new MockActivityEnvironment(), { ...input('inc-trading/preserve-evidence', gt.partition, [{ ...gt }], topic, 50), sourceTopic: scenario.topic }),
      ),
    );
    for (const [i, gt] of scenario.groundTruth.partitions.entries()) {
      const out = outs[i];
      expect(out?.events).toHaveLength(1);
      expect(out?.events[0]?.data).toMatchObject({ partition: gt.partition, from: gt.from, to: gt.to, records: gt.records });
      total += BigInt(out?.result?.records ?? '0');
      // Collect the personal data actually in the window, to look for it on the evidence topic.
      await readSlice(client, {
        topic: scenario.topic,
        partition: gt.partition,
        partitions: scenario.partitions,
        from: BigInt(gt.from),
        toExclusive: BigInt(gt.to) + 1n,
        onMessages: async (ms) => {
          for (const m of ms) {
            const order = JSON.parse(m.value?.toString() ?? '{}') as { client?: { email?: string; name?: string } };
            if (order.client?.email) names.add(order.client.email);
            if (order.client?.name) names.add(order.client.name);
          }
        },
      });
    }
    expect(total.toString()).toBe(scenario.groundTruth.totals.records);
    const evidence = await evidenceOf(topic, 'inc-trading/preserve-evidence');
    expect(String(evidence.length)).toBe(scenario.groundTruth.totals.records);
    expect(verifyEvidenceRecords(evidence).ok).toBe(true);
    expect(names.size).toBeGreaterThan(10);
    const raw = (await readAll(topic)).map((m) => `${m.key?.toString('latin1') ?? ''}${m.value?.toString('latin1') ?? ''}`).join('\n');
    for (const pii of names) expect(raw.includes(pii), pii).toBe(false);
  });
});
