import { createKafka, withCredentials, type KafkaConnection } from '../../../kafka/client';
import { silentLogger, type Logger } from '../../../log/logger';
import type { SecretsPort } from '../../../vault/port';
import { runCompromisedConsumer } from '../trading-exfiltration/attacker';
import { seedAcls } from '../trading-exfiltration/principals';
import { planPartitions, TrafficWriter, windowGroundTruth, type GroundTruthPartition, type TrafficShape } from '../trading-exfiltration/traffic';
import { LEAK_ACCOUNTS, seedLeakAccounts } from './accounts';
import { seedVaultLeak } from './vault';

export { LEAK_ACCOUNTS } from './accounts';
export { ATTACKER_READS, OTHER_SECRETS } from './vault';

/*
 * The vault-token-leak scenario (issue 17, item 4): the CI deployer's Vault token leaked. The
 * attacker read secrets through it and through a child token it minted — among them the SCRAM
 * credentials of two Kafka service accounts — and then consumed `payments` (client PII) as one of
 * them, `payments-reconciler`, a batch job that was idle at the time. Seeded on a fresh Kafka and
 * Vault through the real clients, reusing the trading scenario's traffic writer and compromised
 * consumer: its ground truth is read the same way (what the broker served to the principal).
 */

/** Options of {@link seedVaultTokenLeak}. */
export interface VaultTokenLeakOptions {
  kafka: KafkaConnection;
  secrets: SecretsPort;
  /** Admin token; `auditLogFile` is the file of the Vault's `file` audit device when it has one. */
  vault: { address: string; token: string; auditLogFile?: string };
  /** End of the day of payments traffic. @default now */
  scenarioEnd?: Date;
  logger?: Logger;
}

/** Ground truth of one partition: what the broker served to the stolen principal. */
export type LeakPartitionTruth = GroundTruthPartition;

/** The seeded scenario. JSON only, no credential. */
export interface VaultTokenLeakScenario {
  /** Vault audit device and file the playbook reads. */
  audit: { device: string; file: string };
  /** The leaked token's accessor and its child's. */
  tokenAccessors: { leaked: string; child: string };
  /** KV paths the attacker read, and their versions before the incident. */
  pathsRead: string[];
  versionsBefore: Record<string, number>;
  /** Kafka principals whose credentials were read, and the one the attacker used. */
  exposedPrincipals: string[];
  usedPrincipal: string;
  topic: 'payments';
  partitions: LeakPartitionTruth[];
  totals: { records: string; bytes: string };
  dataSubjects: number;
}

const HOUR = 60 * 60 * 1000;

/** Seeds the scenario on a fresh cluster and Vault and returns its ground truth. */
export async function seedVaultTokenLeak(options: VaultTokenLeakOptions): Promise<VaultTokenLeakScenario> {
  const logger = options.logger ?? silentLogger;
  const end = (options.scenarioEnd ?? new Date()).getTime();
  const shape: TrafficShape = { partitions: 6, recordsPerPartition: 120, batchSize: 20, start: end - 24 * HOUR, end, exfiltrationStart: end - 6 * HOUR, tailStart: end - HOUR, clients: 150, seed: 20261205 };
  const admin = createKafka(options.kafka, { clientId: 'breachline-scenario', logger }).admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'payments', numPartitions: shape.partitions }, { topic: 'ledger', numPartitions: 1 }] });
    if (!created) throw new Error('the cluster already has the scenario topics: seed a fresh cluster');
    const passwords = await seedLeakAccounts(options.kafka, options.secrets);
    await seedAcls(admin, LEAK_ACCOUNTS);
    const leak = await seedVaultLeak(options.secrets, options.vault);

    const plans = planPartitions(shape);
    const writer = new TrafficWriter(shape, plans, 'payments');
    const producer = createKafka(withCredentials(options.kafka, 'payments-api', passwords['payments-api'] as string, 'scram-sha-512'), { clientId: 'payments-api', logger }).producer();
    await producer.connect();
    try {
      await writer.produce(producer, 'main');
      const ranges = plans.map((p) => {
        const base = (writer.produced[p.partition] as { baseOffset: bigint }).baseOffset;
        return { partition: p.partition, from: base + BigInt(p.windowFrom), to: base + BigInt(p.tailFrom) };
      });
      // The attacker logs in with the password it read from Vault through the leaked token.
      await runCompromisedConsumer({
        connection: withCredentials(options.kafka, 'payments-reconciler', leak.stolenPassword, 'scram-sha-512'),
        topic: 'payments',
        groupId: 'payments-reconciler',
        ranges,
        commit: true,
      });
      await writer.produce(producer, 'tail');
    } finally {
      await producer.disconnect();
    }
    logger.info({ paths: leak.pathsRead.length }, 'vault-token-leak scenario seeded');

    const window = windowGroundTruth(shape, plans, writer);
    return {
      audit: leak.audit,
      tokenAccessors: { leaked: leak.accessor, child: leak.childAccessor },
      pathsRead: leak.pathsRead,
      versionsBefore: leak.versionsBefore,
      exposedPrincipals: ['User:ledger-writer', 'User:payments-reconciler'],
      usedPrincipal: 'User:payments-reconciler',
      topic: 'payments',
      ...window,
    };
  } finally {
    await admin.disconnect();
  }
}
