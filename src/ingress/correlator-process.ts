import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config/config';
import { createKafka, type KafkaConnection } from '../kafka/client';
import type { Logger } from '../log/logger';
import { ensureTopic } from './alert-log';
import { startCorrelator } from './correlator';
import { createMetrics, type BreachlineMetrics } from './metrics';
import { RunbookCatalog } from './runbooks';
import { loadIngressRunbooks, temporalPath } from './server';

/**
 * The correlator as a process of its own (`breachline correlator`, issue 15): it drains the alerts
 * topic into Temporal while the ingress processes (`breachline ingress --no-correlator`) only
 * validate, authenticate, dedupe and append. Split so a storm's Temporal work (starts, batch
 * signals, their payload encryption) never takes CPU from the requests waiting for their 202, and
 * so each side scales on its own: ingress processes by request rate, correlators by partitions.
 */

/** Where the correlator finds Kafka and Temporal. */
export interface CorrelatorProcessOptions {
  config: Config;
  logger: Logger;
  temporal: { address: string; namespace: string } & Omit<ConnectionOptions, 'address'>;
  kafka: KafkaConnection;
  /** The payload encryption of every breachline client: alerts reach history encrypted. */
  dataConverter?: DataConverter;
  /** @default a registry of its own */
  metrics?: BreachlineMetrics;
}

/** A running correlator process. */
export interface RunningCorrelator {
  readonly metrics: BreachlineMetrics;
  /** Hands what it coalesced to Temporal, leaves the consumer group, closes its connections. */
  stop(): Promise<void>;
}

/**
 * Connects to Temporal and Kafka, makes sure the alerts topic exists (the correlator may start
 * before any ingress), and joins the correlator group.
 */
export async function runCorrelatorProcess(options: CorrelatorProcessOptions): Promise<RunningCorrelator> {
  const { config, logger } = options;
  const { address, namespace, ...security } = options.temporal;
  const metrics = options.metrics ?? createMetrics();
  const connection = await Connection.connect({ address, ...security });
  const client = new Client({ connection, namespace, ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}) });
  const catalog = new RunbookCatalog(await loadIngressRunbooks(config));
  const kafka = createKafka(options.kafka, { clientId: `breachline-correlator-${process.pid}`, logger });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopic(admin, config.ingress.alertsTopic, config.ingress.alertsTopicPartitions);
  } finally {
    await admin.disconnect();
  }
  const { temporal, coalescer } = temporalPath({ config, temporalClient: client }, metrics);
  const correlator = await startCorrelator({
    kafka,
    topic: config.ingress.alertsTopic,
    groupId: config.ingress.correlatorGroup,
    gateway: temporal,
    catalog,
    logger: logger.child({ component: 'correlator', pid: process.pid }),
    metrics,
  });
  logger.info({ topic: config.ingress.alertsTopic, group: config.ingress.correlatorGroup }, 'correlator running');
  return {
    metrics,
    async stop() {
      await correlator.stop();
      await coalescer?.drain();
      await connection.close();
    },
  };
}
