import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActivities, type PlaybookDeps } from '../../activities';
import type { KafkaConnection } from '../kafka/client';
import { silentLogger, type Logger } from '../log/logger';
import { startDrillCluster, startDrillSlack, type RunningKafkaSandbox, type RunningSlackSandbox, type RunningVaultSandbox } from '../app/sandbox-door';
import { createWebConversationPort, type ConversationPort } from '../slack';
import { createVaultSecrets } from '../vault';
import { drillScenario, type DrillScenario, type ScenarioTruth } from './scenario-registry';

/** The playbook's activities, by name, as `createActivities` builds them. */
export type PlaybookActivities = ReturnType<typeof createActivities>;

/** Options of {@link DrillRange}. */
export interface DrillRangeOptions {
  logger?: Logger;
  /** Channel drills post to. @default '#incidents' (the only channel the sandbox bot is in) */
  channel?: string;
  auditTopic?: string;
}

/**
 * The drill range: embedded sandboxes a drill acts on, never a configured production system
 * (design §4). Each drill gets a fresh Kafka and Vault, because the scenario seeder needs a cluster
 * without its topics and a previous drill leaves DENY ACLs and rotated credentials behind; the Slack
 * sandbox lives as long as the range so the drill channel keeps its history.
 *
 * The playbook activities are built anew for each fresh cluster (some clients are created when
 * the activities are). {@link activities} stays the same object for the worker: each entry
 * delegates to the current set. Drills on one range therefore run one at a time; the drill
 * schedule uses overlap policy SKIP for that reason.
 */
export class DrillRange {
  private kafka?: RunningKafkaSandbox;
  private vault?: RunningVaultSandbox;
  /** Private directory of the current drill's Vault audit log; removed with the cluster. */
  private vaultDir?: string;
  private current?: PlaybookActivities;
  private seededTruth?: ScenarioTruth;
  private readonly logger: Logger;

  private constructor(
    readonly slack: RunningSlackSandbox,
    readonly conversation: ConversationPort,
    private readonly options: DrillRangeOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
  }

  /** Starts the range's Slack sandbox; Kafka and Vault start with each drill. */
  static async start(options: DrillRangeOptions = {}): Promise<DrillRange> {
    const slack = await startDrillSlack();
    const conversation = createWebConversationPort({ apiUrl: slack.apiUrl, botToken: slack.botToken, logger: options.logger ?? silentLogger, retryConfig: { retries: 1 } });
    return new DrillRange(slack, conversation, options);
  }

  /** Drill channel. */
  get channel(): string {
    return this.options.channel ?? '#incidents';
  }

  /** Admin connection of the current drill cluster (for tests and scoring). */
  get kafkaConnection(): KafkaConnection | undefined {
    return this.kafka ? { ...this.kafka.connection, brokers: [...this.kafka.connection.brokers] } : undefined;
  }

  /** The current drill Vault's audit log file (JSON lines), for tests and scenarios. */
  get vaultAuditLogFile(): string | undefined {
    return this.vaultDir !== undefined ? join(this.vaultDir, 'audit.log') : undefined;
  }

  /** The worker's activity set: every playbook activity, delegating to the current drill cluster. */
  readonly activities: PlaybookActivities = new Proxy({} as PlaybookActivities, {
    get: (_target, name: string) => {
      return (input: never) => {
        const set = this.current;
        if (set === undefined) throw new Error('no drill is prepared on this range: DrillWorkflow seeds one first');
        const fn = (set as Record<string, ((i: never) => Promise<unknown>) | undefined>)[name];
        if (fn === undefined) throw new Error(`no playbook activity ${name}`);
        return fn(input);
      };
    },
    ownKeys: () => Reflect.ownKeys(this.template()),
    getOwnPropertyDescriptor: (_target, name) => ({ configurable: true, enumerable: true, writable: false, value: this.activities[name as keyof PlaybookActivities] }),
  });

  /** A set built on placeholder deps: only its keys are used, to list the activity names. */
  private template(): PlaybookActivities {
    return createActivities(this.deps({ brokers: ['127.0.0.1:1'], saslMechanism: 'scram-sha-512', username: 'x', password: 'x', ssl: false }, 'http://127.0.0.1:1'));
  }

  private deps(kafka: KafkaConnection, vaultAddress: string, vaultToken = 'none'): PlaybookDeps {
    return {
      kafka,
      secrets: createVaultSecrets({ address: vaultAddress, token: vaultToken, logger: this.logger }),
      conversation: this.conversation,
      logger: this.logger,
      auditTopic: this.options.auditTopic ?? 'breachline.audit',
      channel: this.channel,
    };
  }

  /**
   * Replaces the drill cluster by fresh Kafka and Vault sandboxes and seeds the scenario on them
   * (through the scenario registry); the scenario's extra deps are merged into this drill's
   * playbook deps. Returns the scenario's ground truth. A scenario object (not a name) is for
   * tests of scenarios outside the registry.
   */
  async prepare(name: string | DrillScenario, scenarioEnd: Date): Promise<ScenarioTruth> {
    const scenario = typeof name === 'string' ? drillScenario(name) : name;
    await this.closeCluster();
    // The drill Vault's audit device writes here, so a scenario's runbook can read it as a file.
    this.vaultDir = await mkdtemp(join(tmpdir(), 'breachline-drill-vault-'));
    const auditLogFile = join(this.vaultDir, 'audit.log');
    const cluster = await startDrillCluster({ vaultAuditFile: auditLogFile });
    this.kafka = cluster.kafka;
    this.vault = cluster.vault;
    const kafka = this.kafkaConnection as KafkaConnection;
    const deps = this.deps(kafka, this.vault.address, this.vault.rootToken);
    const seeded = await scenario.seed({
      kafka,
      secrets: deps.secrets,
      vault: { address: this.vault.address, token: this.vault.rootToken, auditLogFile },
      scenarioEnd,
      logger: this.logger,
    });
    this.current = createActivities({ ...deps, ...seeded.deps });
    this.seededTruth = seeded.truth;
    return seeded.truth;
  }

  /** Ground truth of the scenario seeded last (its alert may name what the seeder created, e.g. a token accessor). */
  get truth(): ScenarioTruth | undefined {
    return this.seededTruth;
  }

  private async closeCluster(): Promise<void> {
    this.current = undefined;
    this.seededTruth = undefined;
    await this.kafka?.close().catch(() => undefined);
    await this.vault?.close().catch(() => undefined);
    this.kafka = undefined;
    this.vault = undefined;
    if (this.vaultDir !== undefined) await rm(this.vaultDir, { recursive: true, force: true }).catch(() => undefined);
    this.vaultDir = undefined;
  }

  /** Stops every sandbox of the range. */
  async close(): Promise<void> {
    await this.closeCluster();
    await this.slack.close();
  }
}
