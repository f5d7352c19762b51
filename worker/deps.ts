import type { PlaybookDeps } from '../activities';
import type { Config } from '../src/config/config';
import type { KafkaConnection } from '../src/kafka/client';
import type { Logger } from '../src/log/logger';
import { startSandboxes, type SandboxSet } from '../src/sandbox/up';
import type { SandboxName } from '../src/sandbox/types';
import { createWebConversationPort } from '../src/slack';
import { createVaultSecrets } from '../src/vault';

/** Where the worker's external systems are, whether configured or embedded sandboxes. */
export interface Endpoints {
  temporal: { address: string; namespace: string };
  kafka: KafkaConnection;
  vault: { address: string; token: string; kvMount: string; transitMount: string };
  /** Absent: no Slack configured and none embedded (messages are logged). */
  slack?: { apiUrl: string; botToken: string; signingSecret: string };
}

/** The endpoints and, when some address was missing, the sandboxes started in its place. */
export interface ResolvedEndpoints {
  endpoints: Endpoints;
  sandboxes?: SandboxSet;
}

const str = (v: unknown, what: string): string => {
  if (typeof v !== 'string' || v === '') throw new Error(`sandbox connection has no ${what}`);
  return v;
};

/**
 * Resolves every endpoint from the config; each system without an address is replaced by its
 * embedded sandbox (design §5), started here and returned so the caller closes it on shutdown.
 */
export async function resolveEndpoints(config: Config, logger: Logger): Promise<ResolvedEndpoints> {
  const missing: SandboxName[] = [];
  if (config.temporal.address === undefined) missing.push('temporal');
  if (config.kafka.brokers === undefined) missing.push('kafka');
  if (config.vault.address === undefined) missing.push('vault');
  if (config.slack.apiUrl === undefined) missing.push('slack');
  const sandboxes = missing.length > 0 ? await startSandboxes({ only: missing, logger, ...(config.dataDir ? { dataDir: config.dataDir } : {}) }) : undefined;
  const conn = (name: SandboxName): Readonly<Record<string, unknown>> => sandboxes?.get(name)?.connection ?? {};

  const temporal = config.temporal.address !== undefined
    ? { address: config.temporal.address, namespace: config.temporal.namespace }
    : { address: str(conn('temporal').address, 'temporal address'), namespace: config.temporal.namespace };
  const kafka: KafkaConnection = config.kafka.brokers !== undefined
    ? { brokers: config.kafka.brokers, saslMechanism: config.kafka.saslMechanism, username: str(config.kafka.username, 'kafka username'), password: str(config.kafka.password, 'kafka password'), ssl: config.kafka.ssl }
    : {
        brokers: conn('kafka').brokers as string[],
        saslMechanism: 'scram-sha-512',
        username: str(conn('kafka').username, 'kafka username'),
        password: str(conn('kafka').password, 'kafka password'),
        ssl: conn('kafka').ssl === true,
      };
  const vault = config.vault.address !== undefined
    ? { address: config.vault.address, token: str(config.vault.token, 'vault token'), kvMount: config.vault.kvMount, transitMount: config.vault.transitMount }
    : { address: str(conn('vault').address, 'vault address'), token: str(conn('vault').rootToken, 'vault root token'), kvMount: config.vault.kvMount, transitMount: config.vault.transitMount };
  const slack = config.slack.apiUrl !== undefined
    ? { apiUrl: config.slack.apiUrl, botToken: str(config.slack.botToken, 'slack bot token'), signingSecret: str(config.slack.signingSecret, 'slack signing secret') }
    : { apiUrl: str(conn('slack').apiUrl, 'slack api url'), botToken: str(conn('slack').botToken, 'slack bot token'), signingSecret: str(conn('slack').signingSecret, 'slack signing secret') };
  return { endpoints: { temporal, kafka, vault, slack }, ...(sandboxes ? { sandboxes } : {}) };
}

/** Builds the activities' dependencies from resolved endpoints: ports and connections only. */
export function buildDeps(config: Config, endpoints: Endpoints, logger: Logger): PlaybookDeps {
  const secrets = createVaultSecrets({
    address: endpoints.vault.address,
    token: endpoints.vault.token,
    kvMount: endpoints.vault.kvMount,
    transitMount: endpoints.vault.transitMount,
    logger: logger.child({ adapter: 'vault' }),
  });
  const conversation = endpoints.slack
    ? createWebConversationPort({
        apiUrl: endpoints.slack.apiUrl,
        botToken: endpoints.slack.botToken,
        secrets: [endpoints.slack.signingSecret],
        logger: logger.child({ adapter: 'slack' }),
      })
    : undefined;
  return {
    kafka: endpoints.kafka,
    secrets,
    ...(conversation ? { conversation } : {}),
    logger,
    auditTopic: config.kafka.auditTopic,
    channel: config.slack.incidentChannel,
  };
}
