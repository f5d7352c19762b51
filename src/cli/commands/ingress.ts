import cluster from 'node:cluster';
import type { Command } from 'commander';
import { ConfigError, ingressDurable, loadConfig, type Config } from '../../config/config';
import type { KafkaConnection } from '../../kafka/client';
import { createLogger } from '../../log/logger';
import { collectSecretValues } from '../../log/redact';
import type { DataConverter } from '@temporalio/common';
import { runCorrelatorProcess } from '../../ingress/correlator-process';
import { runIngressProcess } from '../../ingress/process';
import { temporalSecurity } from '../../app/secured-connections';
import type { Logger } from '../../log/logger';
import { configuredDataConverter } from './temporal-client';

const count = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`--ingress-workers: expected 1 to 64, got ${v}`);
  return n;
};
const port = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`not a port: ${v}`);
  return n;
};

/** The configured Kafka connection, or undefined when no brokers are configured. */
function kafkaOf(config: Config): KafkaConnection | undefined {
  const k = config.kafka;
  if (k.brokers === undefined || k.username === undefined || k.password === undefined) return undefined;
  return { brokers: k.brokers, saslMechanism: k.saslMechanism, username: k.username, password: k.password, ssl: k.ssl };
}

/**
 * Registers `breachline ingress` (issue 15, item 3): the SIEM ingress alone, against a configured
 * Temporal, durable first whenever a Kafka is configured (`BREACHLINE_INGRESS_DURABLE=false`:
 * direct), as one process or `--ingress-workers N` behind one port.
 * Prints `ingress listening on <url>` once every process listens; SIGINT/SIGTERM stop it cleanly. Logs
 * are JSON lines on stderr.
 */
export function registerIngressCommand(program: Command): void {
  program
    .command('ingress')
    .description('run the SIEM ingress alone against a configured Temporal; durable first (alerts topic, then Temporal) whenever a Kafka is configured; optionally as several processes behind one port')
    .option('--ingress-workers <n>', 'processes sharing the port (node:cluster; default: config ingress.workers, 1)', count)
    .option('--port <port>', 'listening port (default: config ingress.port, 8080)', port)
    .option('--host <host>', 'listening address', '127.0.0.1')
    .option('--no-correlator', 'durable mode: only append to the alerts topic; `breachline correlator` processes hand the alerts to Temporal')
    .action(async (opts: { ingressWorkers?: number; port?: number; host: string; correlator: boolean }) => {
      const config = loadConfig();
      const address = config.temporal.address;
      if (address === undefined) throw new ConfigError(['BREACHLINE_TEMPORAL_ADDRESS: `breachline ingress` needs a Temporal to hand alerts to']);
      if (Object.keys(config.ingress.sources).length === 0) throw new ConfigError(['BREACHLINE_INGRESS_SOURCES: no SIEM source has credentials; the ingress would refuse every alert']);
      const kafka = kafkaOf(config);
      if (config.ingress.durable === true && kafka === undefined) throw new ConfigError(['BREACHLINE_INGRESS_DURABLE needs BREACHLINE_KAFKA_BROKERS, BREACHLINE_KAFKA_USERNAME and BREACHLINE_KAFKA_PASSWORD']);
      // Durable first wherever there is a Kafka (the 202 then means durably accepted); direct only when told.
      const durable = ingressDurable(config, kafka !== undefined);
      if (!durable && !opts.correlator) throw new ConfigError(['--no-correlator: the ingress is in direct mode (no Kafka, or BREACHLINE_INGRESS_DURABLE=false), there is nothing to correlate']);
      // JSON lines on stderr, as a server process behind a supervisor logs.
      const logger = createLogger({ name: 'breachline-ingress', level: config.logLevel, destination: process.stderr, secretValues: [...collectSecretValues(config)] });
      const dataConverter = ingressDataConverter(config, logger);
      const running = await runIngressProcess({
        config: { ...config, ingress: { ...config.ingress, durable } },
        logger,
        temporal: { address, namespace: config.temporal.namespace, ...temporalSecurity(config.temporal) },
        ...(kafka ? { kafka } : {}),
        port: opts.port ?? config.ingress.port,
        host: opts.host,
        workers: opts.ingressWorkers ?? config.ingress.workers,
        dataConverter,
        correlate: opts.correlator,
      });
      if (cluster.isPrimary) process.stdout.write(`ingress listening on ${running.address.url} (${running.pids.length} process${running.pids.length === 1 ? '' : 'es'})\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      // A process that cannot finish closing within 15 s (a broker gone) still leaves.
      setTimeout(() => process.exit(1), 15_000).unref();
      await running.close();
      // Cluster IPC and client sockets would keep the process up although nothing serves any more.
      process.exit(0);
    });
}

/**
 * Registers `breachline correlator` (issue 15): drains the alerts topic of durable mode into
 * Temporal in a process of its own, for ingress processes run with `--no-correlator`. Several may
 * run; they share the work by partition (consumer group `ingress.correlatorGroup`). Prints
 * `correlator running` once it has joined the group; SIGINT/SIGTERM hand what it coalesced to
 * Temporal and leave.
 */
export function registerCorrelatorCommand(program: Command): void {
  program
    .command('correlator')
    .description('drain the durable alerts topic into Temporal (incidents opened once, duplicates batched), for ingress processes run with --no-correlator')
    .action(async () => {
      const config = loadConfig();
      const address = config.temporal.address;
      if (address === undefined) throw new ConfigError(['BREACHLINE_TEMPORAL_ADDRESS: `breachline correlator` hands alerts to Temporal']);
      const kafka = kafkaOf(config);
      if (kafka === undefined) throw new ConfigError(['BREACHLINE_KAFKA_BROKERS, BREACHLINE_KAFKA_USERNAME and BREACHLINE_KAFKA_PASSWORD: `breachline correlator` reads the alerts topic']);
      const logger = createLogger({ name: 'breachline-correlator', level: config.logLevel, destination: process.stderr, secretValues: [...collectSecretValues(config)] });
      const running = await runCorrelatorProcess({
        config,
        logger,
        temporal: { address, namespace: config.temporal.namespace, ...temporalSecurity(config.temporal) },
        kafka,
        dataConverter: configuredDataConverter(config, logger, 'the correlator'),
      });
      process.stdout.write(`correlator running on ${config.ingress.alertsTopic} (group ${config.ingress.correlatorGroup})\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      setTimeout(() => process.exit(1), 15_000).unref();
      await running.stop();
      process.exit(0);
    });
}

/**
 * The alerts this process hands to Temporal carry principals and alert text: with payload
 * encryption on (the default) they are encrypted like every other client's, with data keys from
 * Vault transit, so a separately run ingress needs Vault too; it refuses to start rather than send
 * them in clear.
 */
function ingressDataConverter(config: Config, logger: Logger): DataConverter {
  return configuredDataConverter(config, logger, 'the ingress');
}
