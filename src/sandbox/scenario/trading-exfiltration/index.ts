import { createKafka, withCredentials, type KafkaConnection } from '../../../kafka/client';
import { silentLogger, type Logger } from '../../../log/logger';
import type { SecretsPort } from '../../../vault/port';
import { runCompromisedConsumer } from './attacker';
import { seedAccounts, seedAcls, seedVaultCredentials, type CompromisedVaultState, type SeededAccount } from './principals';
import { ORDERS_SCHEMA, publishSchema, type TopicSchema } from './schema';
import { planPartitions, TrafficWriter, windowGroundTruth, type GroundTruthPartition, type TrafficShape } from './traffic';

export type { GroundTruthPartition } from './traffic';

export { ORDERS_SCHEMA, SCHEMA_TOPIC, schemaVaultPath, type PiiFieldTag, type TopicSchema } from './schema';
export { SCENARIO_ACCOUNTS, type CompromisedVaultState, type SeededAccount } from './principals';
export { recordBatchSize } from './batch-size';

/**
 * The trading-exfiltration scenario (the runbook's reference case): `report-exporter`, a
 * compromised service, read client orders from `orders` for most of a day. The seeder builds it on
 * any Kafka and Vault through the real clients — topics, accounts, ACLs, Vault credentials, a day of
 * order traffic with explicit timestamps, and the compromised consumer's reading — and returns the
 * ground truth a forensic investigation must reproduce exactly.
 *
 * Ground truth is what the broker SERVED to the compromised principal. The attacker starts on a
 * produce-batch boundary and reads to the log end as it was, and the traffic produced afterwards
 * starts a new batch, so served and read coincide. `bytes` are record-batch bytes as served
 * (v2 batches, the 12-byte offset/length prefix included), computed from the wire layout of the
 * batches the seeder produced — the same definition the broker's fetch access records use.
 */

/** Data volume: `test` ≈ 12 × 200 records, `bench` 48 × 5,000, or explicit. */
export type ScenarioVolume = 'test' | 'bench' | { partitions: number; recordsPerPartition: number };

/** Options of {@link seedTradingExfiltration}. */
export interface SeedOptions {
  /** Admin connection (a super user, or a principal allowed to create topics, ACLs and users). */
  kafka: KafkaConnection;
  secrets: SecretsPort;
  /** @default 'test' */
  volume?: ScenarioVolume;
  /** @default 'committing' */
  attacker?: 'committing' | 'non-committing';
  /** End of the scenario's 24 hours of traffic. @default now */
  scenarioEnd?: Date;
  /** Vault address and an admin token, to create the compromised service's AppRole (the secrets port cannot). */
  vault?: { address: string; token: string };
  /** How long before `scenarioEnd` the exfiltration started. @default 20 h */
  exfiltrationMs?: number;
  /** Traffic in this last stretch is produced after the attacker stopped. @default 1 h */
  tailMs?: number;
  /** `retention.ms` of `orders`; unset leaves the cluster default. */
  retentionMs?: number;
  /** Seed of the synthetic data. @default 20261122 */
  seed?: number;
  logger?: Logger;
}

/** The seeded scenario and its ground truth. Passwords in `accounts` are credentials. */
export interface TradingScenario {
  topic: 'orders';
  partitions: number;
  accounts: Record<string, SeededAccount>;
  compromised: 'report-exporter';
  downstream: { analytics: string; risk: string; dataLake: string };
  groundTruth: {
    partitions: GroundTruthPartition[];
    totals: { records: string; bytes: string };
    dataSubjects: number;
    attacker: 'committing' | 'non-committing';
  };
  /** Consumer group the attacker used. */
  attackerGroup: string;
  /** Epoch ms: start of the exfiltration (the attacker's first record is the first at or after it). */
  exfiltrationStart: number;
  scenarioEnd: number;
  schema: TopicSchema;
  vault: CompromisedVaultState;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function shapeOf(volume: ScenarioVolume): { partitions: number; recordsPerPartition: number; batchSize: number } {
  if (volume === 'test') return { partitions: 12, recordsPerPartition: 200, batchSize: 20 };
  if (volume === 'bench') return { partitions: 48, recordsPerPartition: 5_000, batchSize: 500 };
  if (!Number.isInteger(volume.partitions) || volume.partitions < 1 || !Number.isInteger(volume.recordsPerPartition) || volume.recordsPerPartition < 1) {
    throw new RangeError('volume needs positive integer partitions and recordsPerPartition');
  }
  return { ...volume, batchSize: Math.max(1, Math.min(500, Math.ceil(volume.recordsPerPartition / 10))) };
}

/** Seeds the scenario and returns it with its ground truth. Expects a cluster without `orders`. */
export async function seedTradingExfiltration(options: SeedOptions): Promise<TradingScenario> {
  const logger = options.logger ?? silentLogger;
  const attacker = options.attacker ?? 'committing';
  const end = (options.scenarioEnd ?? new Date()).getTime();
  const volume = shapeOf(options.volume ?? 'test');
  const exfiltrationStart = end - (options.exfiltrationMs ?? 20 * 60 * 60 * 1000);
  const shape: TrafficShape = {
    ...volume,
    start: end - DAY_MS,
    end,
    exfiltrationStart,
    tailStart: end - (options.tailMs ?? 60 * 60 * 1000),
    clients: Math.max(50, Math.floor((volume.partitions * volume.recordsPerPartition) / 4)),
    seed: options.seed ?? 20261122,
  };
  if (!(shape.start < shape.exfiltrationStart && shape.exfiltrationStart < shape.tailStart && shape.tailStart <= end)) {
    throw new RangeError('the exfiltration must start within the day and before the tail');
  }

  const admin = createKafka(options.kafka, { clientId: 'breachline-scenario', logger }).admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: 'orders',
          numPartitions: volume.partitions,
          configEntries: options.retentionMs === undefined ? [] : [{ name: 'retention.ms', value: String(options.retentionMs) }],
        },
        ...['report-jobs', 'invoices', 'report-exports'].map((topic) => ({ topic, numPartitions: 1 })),
      ],
    });
    if (!created) throw new Error('the cluster already has the scenario topics: seed a fresh cluster');

    const accounts = await seedAccounts(options.kafka, options.secrets);
    await seedAcls(admin);
    const vault = await seedVaultCredentials(options.secrets, 'report-exporter', options.vault);
    const adminProducer = createKafka(options.kafka, { clientId: 'breachline-scenario', logger }).producer();
    await adminProducer.connect();
    try {
      await publishSchema(admin, adminProducer, options.secrets, ORDERS_SCHEMA);
    } finally {
      await adminProducer.disconnect();
    }

    const plans = planPartitions(shape);
    const writer = new TrafficWriter(shape, plans, 'orders');
    const orderService = accounts['order-service'] as SeededAccount;
    const producer = createKafka(withCredentials(options.kafka, 'order-service', orderService.password, 'scram-sha-512'), { clientId: 'order-service', logger }).producer();
    await producer.connect();
    try {
      await writer.produce(producer, 'main');
      logger.info({ partitions: volume.partitions }, 'scenario traffic before the attack produced');

      const ranges = plans.map((p) => {
        const base = (writer.produced[p.partition] as { baseOffset: bigint }).baseOffset;
        return { partition: p.partition, from: base + BigInt(p.windowFrom), to: base + BigInt(p.tailFrom) };
      });
      const exporter = accounts['report-exporter'] as SeededAccount;
      const read = await runCompromisedConsumer({
        connection: withCredentials(options.kafka, 'report-exporter', exporter.password, 'scram-sha-512'),
        topic: 'orders',
        groupId: 'report-exporter',
        ranges,
        commit: attacker === 'committing',
      });
      for (const r of ranges) {
        const got = read.partitions.find((p) => p.partition === r.partition);
        const expected = r.to > r.from ? { first: r.from, last: r.to - 1n, records: Number(r.to - r.from) } : { first: null, last: null, records: 0 };
        if (got === undefined || got.first !== expected.first || got.last !== expected.last || got.records !== expected.records) {
          throw new Error(`the compromised consumer read orders-${r.partition} other than planned`);
        }
      }
      logger.info({ attacker }, 'compromised consumer finished');

      await writer.produce(producer, 'tail');
    } finally {
      await producer.disconnect();
    }

    const truth = windowGroundTruth(shape, plans, writer);

    return {
      topic: 'orders',
      partitions: volume.partitions,
      accounts,
      compromised: 'report-exporter',
      downstream: { analytics: 'User:analytics-consumer', risk: 'User:risk-consumer', dataLake: 'User:data-lake-sink' },
      groundTruth: {
        ...truth,
        attacker,
      },
      attackerGroup: 'report-exporter',
      exfiltrationStart,
      scenarioEnd: end,
      schema: ORDERS_SCHEMA,
      vault,
    };
  } finally {
    await admin.disconnect();
  }
}
