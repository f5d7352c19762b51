import type { PlaybookDeps } from '../activities';
import type { Config } from '../src/config/config';
import { MissingSystemsError, SYSTEMS, type SystemName } from '../src/config/systems';
import { parseSourceSpec } from '../src/forensics/sources/spec';
import type { KafkaConnection } from '../src/kafka/client';
import type { Logger } from '../src/log/logger';
import { createWebConversationPort } from '../src/slack';
import { kafkaSecurity, temporalSecurity, vaultSecurity, type TemporalConnectOptions } from '../src/app/secured-connections';
import { createVaultSecrets, type VaultAuth } from '../src/vault';

/** Where the worker's external systems are: configured, or sandboxes the caller started on request. */
export interface Endpoints {
  /** Address, namespace, and (configured frontends) TLS and API key. */
  temporal: TemporalConnectOptions & { namespace: string };
  kafka: KafkaConnection;
  /** `token` is set for a fixed token (and every sandbox); `auth` says how to log in. */
  vault: { address: string; token?: string; auth: VaultAuth; ca?: string; kvMount: string; transitMount: string };
  /** Absent: no Slack configured and none embedded (messages are logged). */
  slack?: { apiUrl: string; botToken: string; signingSecret: string; appToken?: string };
}

/** Started sandboxes by name, as `startStandIns` (src/app/sandbox-door.ts) returns them. */
export interface StandInConnections {
  get(name: SystemName): { readonly connection: Readonly<Record<string, unknown>> } | undefined;
}

const str = (v: unknown, what: string): string => {
  if (typeof v !== 'string' || v === '') throw new Error(`sandbox connection has no ${what}`);
  return v;
};

/**
 * Resolves every endpoint from the config, and a system without an address from the stand-in the
 * caller started for it. Nothing is started here: a system with neither is a
 * {@link MissingSystemsError} listing each one (the worker passes no stand-ins at all, so it runs
 * on configured systems only and never on a silent sandbox).
 */
export function resolveEndpoints(config: Config, standIns?: StandInConnections): Endpoints {
  const conn = (name: SystemName): Readonly<Record<string, unknown>> => standIns?.get(name)?.connection ?? {};
  const has: Record<SystemName, boolean> = {
    temporal: config.temporal.address !== undefined,
    kafka: config.kafka.brokers !== undefined,
    vault: config.vault.address !== undefined,
    slack: config.slack.apiUrl !== undefined,
  };
  const missing = SYSTEMS.filter((s) => !has[s] && standIns?.get(s) === undefined);
  if (missing.length > 0) throw new MissingSystemsError(missing, 'the worker never starts a sandbox; for the sandbox demo run `breachline start` with no address configured');

  const temporal = config.temporal.address !== undefined
    ? { address: config.temporal.address, namespace: config.temporal.namespace, ...temporalSecurity(config.temporal) }
    : { address: str(conn('temporal').address, 'temporal address'), namespace: config.temporal.namespace };
  const kafka: KafkaConnection = config.kafka.brokers !== undefined
    ? configuredKafka(config)
    : {
        brokers: [...(conn('kafka').brokers as readonly string[])],
        saslMechanism: 'scram-sha-512',
        username: str(conn('kafka').username, 'kafka username'),
        password: str(conn('kafka').password, 'kafka password'),
        ssl: conn('kafka').ssl === true,
      };
  const vault = config.vault.address !== undefined
    ? { address: config.vault.address, ...vaultSecurity(config.vault), ...(config.vault.authMethod === 'token' ? { token: str(config.vault.token, 'vault token') } : {}), kvMount: config.vault.kvMount, transitMount: config.vault.transitMount }
    : sandboxVault(str(conn('vault').address, 'vault address'), str(conn('vault').rootToken, 'vault root token'), config);
  const slack = config.slack.apiUrl !== undefined
    ? configuredSlack(config.slack, config.slack.apiUrl)
    : {
        apiUrl: str(conn('slack').apiUrl, 'slack api url'),
        botToken: str(conn('slack').botToken, 'slack bot token'),
        signingSecret: str(conn('slack').signingSecret, 'slack signing secret'),
        // Issue 15: Socket Mode against the embedded sandbox, with its app-level token.
        ...(config.slack.socketMode ? { appToken: str(conn('slack').appToken, 'slack app token') } : {}),
      };
  return { temporal, kafka, vault, slack };
}

/** The configured brokers with their credentials, TLS material and (OAUTHBEARER) token source. */
function configuredKafka(config: Config): KafkaConnection {
  const k = config.kafka;
  const brokers = k.brokers ?? [];
  const security = kafkaSecurity(k);
  if (k.saslMechanism === 'oauthbearer') return { brokers, saslMechanism: 'oauthbearer', username: k.oauthClientId ?? 'oauth', password: '', ...security };
  return { brokers, saslMechanism: k.saslMechanism, username: str(k.username, 'kafka username'), password: str(k.password, 'kafka password'), ...security };
}

/** The configured Slack app; in Socket Mode the app-level token stands in for the signing secret. */
function configuredSlack(s: Config['slack'], apiUrl: string): NonNullable<Endpoints['slack']> {
  const botToken = str(s.botToken, 'slack bot token');
  if (s.socketMode) return { apiUrl, botToken, signingSecret: s.signingSecret ?? '', appToken: str(s.appToken, 'slack app token') };
  return { apiUrl, botToken, signingSecret: str(s.signingSecret, 'slack signing secret') };
}

function sandboxVault(address: string, token: string, config: Config): Endpoints['vault'] {
  return { address, token, auth: { method: 'token', token }, kvMount: config.vault.kvMount, transitMount: config.vault.transitMount };
}

/** Builds the activities' dependencies from resolved endpoints: ports and connections only. */
export function buildDeps(config: Config, endpoints: Endpoints, logger: Logger): PlaybookDeps {
  const secrets = createVaultSecrets({
    address: endpoints.vault.address,
    auth: endpoints.vault.auth,
    ...(endpoints.vault.ca !== undefined ? { ca: endpoints.vault.ca } : {}),
    kvMount: endpoints.vault.kvMount,
    transitMount: endpoints.vault.transitMount,
    logger: logger.child({ adapter: 'vault' }),
  });
  const conversation = endpoints.slack
    ? createWebConversationPort({
        apiUrl: endpoints.slack.apiUrl,
        botToken: endpoints.slack.botToken,
        secrets: [endpoints.slack.signingSecret, endpoints.slack.appToken].filter((s): s is string => s !== undefined && s !== ''),
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
    ...(config.kafka.forensicsSources !== undefined ? { accessSources: config.kafka.forensicsSources.map(parseSourceSpec) } : {}),
    // Leaked-token playbook: the Vault audit log `vault.trace-token` reads.
    ...vaultAuditOf(config),
    // Outside services of the generic actions (issue 17): configured addresses, else their defaults.
    ...actionEndpointsOf(config),
  };
}

/** `PlaybookDeps.actionEndpoints` from `config.actions`; nothing configured: the actions' defaults. */
export function actionEndpointsOf(config: Pick<Config, 'actions'>): Pick<PlaybookDeps, 'actionEndpoints'> {
  const a = config.actions;
  const endpoints = {
    ...(a.pagerdutyUrl !== undefined ? { pagerduty: a.pagerdutyUrl } : {}),
    ...(a.opsgenieUrl !== undefined ? { opsgenie: a.opsgenieUrl } : {}),
    ...(a.jiraUrl !== undefined ? { jira: a.jiraUrl } : {}),
  };
  return Object.keys(endpoints).length > 0 ? { actionEndpoints: endpoints } : {};
}

/** `PlaybookDeps.vaultAudit` from `config.vault`: the audit file or topic (config refuses both); neither: none. */
export function vaultAuditOf(config: Pick<Config, 'vault'>): Pick<PlaybookDeps, 'vaultAudit'> {
  const v = config.vault;
  if (v.auditFile !== undefined) return { vaultAudit: { device: v.auditDevice, file: v.auditFile } };
  if (v.auditTopic !== undefined) return { vaultAudit: { device: v.auditDevice, topic: v.auditTopic } };
  return {};
}
