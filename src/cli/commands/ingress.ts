import cluster from 'node:cluster';
import type { Command } from 'commander';
import { ConfigError, loadConfig, type Config } from '../../config/config';
import type { KafkaConnection } from '../../kafka/client';
import { createLogger } from '../../log/logger';
import { collectSecretValues } from '../../log/redact';
import type { DataConverter } from '@temporalio/common';
import { vaultSecurity } from '../../app/secured-connections';
import { runIngressProcess } from '../../ingress/process';
import type { Logger } from '../../log/logger';
import { breachlineDataConverter, payloadEncryption, type CodecVault } from '../../temporal/data-converter';

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
 * Temporal (and Kafka in durable mode), as one process or `--ingress-workers N` behind one port.
 * Prints `ingress listening on <url>` once every process listens; SIGINT/SIGTERM stop it cleanly. Logs
 * are JSON lines on stderr.
 */
export function registerIngressCommand(program: Command): void {
  program
    .command('ingress')
    .description('run the SIEM ingress alone against a configured Temporal (and Kafka with BREACHLINE_INGRESS_DURABLE), optionally as several processes behind one port')
    .option('--ingress-workers <n>', 'processes sharing the port (node:cluster; default: config ingress.workers, 1)', count)
    .option('--port <port>', 'listening port (default: config ingress.port, 8080)', port)
    .option('--host <host>', 'listening address', '127.0.0.1')
    .action(async (opts: { ingressWorkers?: number; port?: number; host: string }) => {
      const config = loadConfig();
      const address = config.temporal.address;
      if (address === undefined) throw new ConfigError(['BREACHLINE_TEMPORAL_ADDRESS: `breachline ingress` needs a Temporal to hand alerts to']);
      if (Object.keys(config.ingress.sources).length === 0) throw new ConfigError(['BREACHLINE_INGRESS_SOURCES: no SIEM source has credentials; the ingress would refuse every alert']);
      const kafka = kafkaOf(config);
      if (config.ingress.durable && kafka === undefined) throw new ConfigError(['BREACHLINE_INGRESS_DURABLE needs BREACHLINE_KAFKA_BROKERS, BREACHLINE_KAFKA_USERNAME and BREACHLINE_KAFKA_PASSWORD']);
      // JSON lines on stderr, as a server process behind a supervisor logs.
      const logger = createLogger({ name: 'breachline-ingress', level: config.logLevel, destination: process.stderr, secretValues: [...collectSecretValues(config)] });
      const dataConverter = ingressDataConverter(config, logger);
      const running = await runIngressProcess({
        config,
        logger,
        temporal: { address, namespace: config.temporal.namespace },
        ...(kafka ? { kafka } : {}),
        port: opts.port ?? config.ingress.port,
        host: opts.host,
        workers: opts.ingressWorkers ?? config.ingress.workers,
        dataConverter,
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
 * The alerts this process hands to Temporal carry principals and alert text: with payload
 * encryption on (the default) they are encrypted like every other client's, with data keys from
 * Vault transit, so a separately run ingress needs Vault too; it refuses to start rather than send
 * them in clear. `BREACHLINE_TEMPORAL_CODEC=false` is the explicit way to run without.
 */
function ingressDataConverter(config: Config, logger: Logger): DataConverter {
  if (!config.temporal.codec.enabled) return breachlineDataConverter();
  if (config.vault.address === undefined) {
    throw new ConfigError(['BREACHLINE_VAULT_ADDRESS: Temporal payloads are encrypted (BREACHLINE_TEMPORAL_CODEC, on by default) with data keys from Vault transit; set the Vault address and credentials, or BREACHLINE_TEMPORAL_CODEC=false to hand alerts over unencrypted']);
  }
  if (config.vault.authMethod === 'token' && config.vault.token === undefined) {
    throw new ConfigError(['BREACHLINE_VAULT_TOKEN: the ingress reads payload data keys from Vault transit and has no Vault token (or set BREACHLINE_VAULT_AUTH_METHOD to log in)']);
  }
  const vault: CodecVault = {
    address: config.vault.address,
    ...vaultSecurity(config.vault),
    ...(config.vault.authMethod === 'token' && config.vault.token !== undefined ? { token: config.vault.token } : {}),
    transitMount: config.vault.transitMount,
  };
  return payloadEncryption(config, vault, logger).dataConverter;
}
