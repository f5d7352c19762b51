import { createKafka, withCredentials, type KafkaConnection } from '../../../kafka/client';
import { silentLogger, type Logger } from '../../../log/logger';
import type { SecretsPort } from '../../../vault/port';
import { runCompromisedConsumer } from '../trading-exfiltration/attacker';
import { seedAccounts, seedAcls, type Grant, type SeededAccount } from '../trading-exfiltration/principals';
import { forgedRanges, planSends, produceSends, type ForgedRange, type PoisonShape, type Sender } from './traffic';

export { forgedRanges, planSends, type ForgedRange, type ProducedBatch } from './traffic';

/**
 * The poisoned-orders scenario (runbook `poisoned-topic`): `qa-loadtest`, a load-test account that
 * a too-broad ACL (ALLOW WRITE on every topic) let through, writes forged trades into `orders`
 * with an idempotent kafkajs producer, interleaved with the legitimate producers' traffic
 * (`order-service`, no idempotence, and `order-gateway`, idempotent: a second producer id that
 * must not be mistaken for the rogue's). Downstream, the risk engine (`risk-engine`, principal
 * `risk-consumer`) and settlement (`settlement`, principal `settlement-service`) have consumed
 * everything, forged records included, committed, and stopped — their groups are Empty, which is
 * what a rewind needs (Kafka refuses to reset the offsets of a group with live members).
 *
 * Ground truth, from the producers' own answers: the forged ranges per partition (adjacent
 * batches merged), the first forged offset per partition (where each group must be rewound), the
 * forged record count and bytes.
 */

/** The rogue principal. */
export const ROGUE_ACCOUNT = 'qa-loadtest';
/** Downstream consumer groups and the principals their members run as. */
export const DOWNSTREAM_GROUPS: Readonly<Record<string, string>> = { 'risk-engine': 'risk-consumer', settlement: 'settlement-service' };

/** Accounts of the scenario and their ALLOW grants. */
export const POISON_ACCOUNTS: Readonly<Record<string, readonly Grant[]>> = {
  'order-service': [{ resource: 'topic', name: 'orders', operation: 'WRITE' }],
  'order-gateway': [
    { resource: 'topic', name: 'orders', operation: 'WRITE' },
    { resource: 'topic', name: 'orders', operation: 'DESCRIBE' },
  ],
  'risk-consumer': [
    { resource: 'topic', name: 'orders', operation: 'READ' },
    { resource: 'group', name: 'risk-engine', operation: 'READ' },
  ],
  'settlement-service': [
    { resource: 'topic', name: 'orders', operation: 'READ' },
    { resource: 'group', name: 'settlement', operation: 'READ' },
  ],
  // The breach: a load-test account granted WRITE on every topic instead of its own test topic.
  [ROGUE_ACCOUNT]: [{ resource: 'topic', name: '*', operation: 'WRITE' }],
};

/** Options of {@link seedPoisonedOrders}. */
export interface PoisonSeedOptions {
  /** Admin connection (a super user). */
  kafka: KafkaConnection;
  secrets: SecretsPort;
  /** End of the scenario's traffic. @default now */
  scenarioEnd?: Date;
  /** @default 6 */
  partitions?: number;
  /** @default 8 */
  rounds?: number;
  /** @default 20261205 */
  seed?: number;
  logger?: Logger;
}

/** Ground truth of the seeded scenario (JSON). */
export interface PoisonTruth {
  topic: 'orders';
  rogue: string;
  /** Per partition with forged records, the ranges (`to` inclusive). */
  forged: Record<string, ForgedRange[]>;
  /** Partition → first forged offset: where every downstream group must be rewound. */
  firstForgedOffsets: Record<string, string>;
  /** Group → the offsets it must be rewound to (the first forged offsets). */
  expectedRewinds: Record<string, Record<string, string>>;
  forgedRecords: string;
  forgedBytes: string;
  /** Records of the legitimate producers, for the tests that check they are left out. */
  legitimateRecords: string;
}

/** The seeded scenario. Passwords in `accounts` are credentials. */
export interface PoisonedOrdersScenario {
  accounts: Record<string, SeededAccount>;
  truth: PoisonTruth;
  /** Epoch ms of the first forged record. */
  firstForgedAt: number;
}

const HOUR_MS = 60 * 60 * 1000;

function producerOf(kafka: KafkaConnection, account: SeededAccount, name: string, idempotent: boolean, logger: Logger) {
  const client = createKafka(withCredentials(kafka, name, account.password, 'scram-sha-512'), { clientId: name, logger });
  return client.producer(idempotent ? { idempotent: true, maxInFlightRequests: 1 } : {});
}

/** Seeds the scenario on a fresh cluster and returns its ground truth. */
export async function seedPoisonedOrders(options: PoisonSeedOptions): Promise<PoisonedOrdersScenario> {
  const logger = options.logger ?? silentLogger;
  const end = (options.scenarioEnd ?? new Date()).getTime();
  const shape: PoisonShape = { partitions: options.partitions ?? 6, rounds: options.rounds ?? 8, forgeFrom: 3, start: end - 2 * HOUR_MS, seed: options.seed ?? 20261205 };
  const admin = createKafka(options.kafka, { clientId: 'breachline-scenario', logger }).admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'orders', numPartitions: shape.partitions }] });
    if (!created) throw new Error('the cluster already has the scenario topics: seed a fresh cluster');
    const accounts = await seedAccounts(options.kafka, options.secrets, 'SCRAM-SHA-512', POISON_ACCOUNTS);
    await seedAcls(admin, POISON_ACCOUNTS);

    const account = (name: string): SeededAccount => accounts[name] as SeededAccount;
    const producers: Record<Sender, ReturnType<typeof producerOf>> = {
      'order-service': producerOf(options.kafka, account('order-service'), 'order-service', false, logger),
      'order-gateway': producerOf(options.kafka, account('order-gateway'), 'order-gateway', true, logger),
      rogue: producerOf(options.kafka, account(ROGUE_ACCOUNT), ROGUE_ACCOUNT, true, logger),
    };
    const sends = planSends(shape);
    let batches;
    await Promise.all(Object.values(producers).map((p) => p.connect()));
    try {
      batches = await produceSends(shape, sends, producers, 'orders');
    } finally {
      await Promise.all(Object.values(producers).map((p) => p.disconnect()));
    }
    logger.info({ batches: batches.length }, 'poisoned-orders traffic produced');

    // Downstream: each group reads every partition to the end, commits and stops.
    const ends = await admin.fetchTopicOffsets('orders');
    const ranges = ends.map((o) => ({ partition: o.partition, from: BigInt(o.low), to: BigInt(o.high) }));
    for (const [group, principal] of Object.entries(DOWNSTREAM_GROUPS)) {
      await runCompromisedConsumer({ connection: withCredentials(options.kafka, principal, account(principal).password, 'scram-sha-512'), topic: 'orders', groupId: group, ranges, commit: true });
    }

    const forged = forgedRanges(batches);
    const firstForgedOffsets: Record<string, string> = {};
    for (const [p, list] of [...forged].sort((a, b) => a[0] - b[0])) if (list[0] !== undefined) firstForgedOffsets[String(p)] = list[0].from;
    const rogue = batches.filter((b) => b.sender === 'rogue');
    const firstRogue = sends.findIndex((s) => s.sender === 'rogue');
    const recordsBefore = sends.slice(0, firstRogue).reduce((n, s) => n + s.records, 0);
    return {
      accounts,
      firstForgedAt: shape.start + recordsBefore * 1_000,
      truth: {
        topic: 'orders',
        rogue: `User:${ROGUE_ACCOUNT}`,
        forged: Object.fromEntries([...forged].map(([p, list]) => [String(p), list])),
        firstForgedOffsets,
        expectedRewinds: Object.fromEntries(Object.keys(DOWNSTREAM_GROUPS).map((g) => [g, firstForgedOffsets])),
        forgedRecords: String(rogue.reduce((n, b) => n + b.records, 0)),
        forgedBytes: String(rogue.reduce((n, b) => n + b.bytes, 0)),
        legitimateRecords: String(batches.filter((b) => b.sender !== 'rogue').reduce((n, b) => n + b.records, 0)),
      },
    };
  } finally {
    await admin.disconnect();
  }
}
