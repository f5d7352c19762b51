import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';

/**
 * TLS to the brokers: PEM contents (read from the configured files at start), passed as they are
 * to Node's `tls.connect` by kafkajs and by the raw wire clients alike.
 */
export interface KafkaTls {
  /** CA bundle that signs the brokers' certificates. @default Node's trusted roots */
  ca?: string;
  /** Client certificate chain, for brokers that require mTLS (`ssl.client.auth=required`). */
  cert?: string;
  /** Private key of {@link cert}. A credential: never logged. */
  key?: string;
  /** Name checked against the broker certificate (and sent as SNI). @default the broker host */
  servername?: string;
  /** Refuse a certificate that does not verify. Only a test range may turn this off. @default true */
  rejectUnauthorized?: boolean;
}

/** SASL mechanisms breachline speaks to brokers, in kafkajs' spelling. */
export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'oauthbearer';

/**
 * The current OAUTHBEARER token (RFC 7628). Called for every SASL login; the source caches the
 * token and refreshes it before it expires (see `createOAuthTokenSource`).
 */
export type OAuthBearerSource = () => Promise<string>;

/** How to reach a Kafka cluster and as whom; the same shape for production and the sandbox. */
export interface KafkaConnection {
  brokers: readonly string[];
  saslMechanism: KafkaSaslMechanism;
  /** The principal; with OAUTHBEARER only a label (the token names the principal). */
  username: string;
  /** A credential: never logged. Unused with OAUTHBEARER. */
  password: string;
  /** `true` for TLS with Node's defaults, or {@link KafkaTls} options. */
  ssl: boolean | KafkaTls;
  /** Token source, required when `saslMechanism` is `oauthbearer`. */
  oauthBearer?: OAuthBearerSource;
}

/** Options for {@link createKafka}. */
export interface CreateKafkaOptions {
  clientId: string;
  logger?: Logger;
  /** Overrides for the kafkajs config (tests shorten retries). */
  overrides?: Partial<KafkaConfig>;
}

const levelName: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * Builds a kafkajs client for a connection, logging through pino. Used by every Kafka adapter, so
 * the SASL, TLS and retry settings exist once.
 */
export function createKafka(connection: KafkaConnection, options: CreateKafkaOptions): Kafka {
  const logger = options.logger ?? silentLogger;
  return new Kafka({
    clientId: options.clientId,
    brokers: [...connection.brokers],
    ssl: connection.ssl,
    sasl: saslOptions(connection),
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 5_000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        logger[levelName[level] ?? 'info']({ kafka: extra }, message);
      },
    ...options.overrides,
  });
}

/** kafkajs' SASL options for a connection; OAUTHBEARER asks the token source on every login. */
function saslOptions(connection: KafkaConnection): SASLOptions {
  if (connection.saslMechanism === 'oauthbearer') {
    const source = connection.oauthBearer;
    if (!source) throw new TypeError('kafka: saslMechanism oauthbearer needs a token source');
    return { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: await source() }) };
  }
  if (connection.saslMechanism === 'plain') return { mechanism: 'plain', username: connection.username, password: connection.password };
  return { mechanism: connection.saslMechanism, username: connection.username, password: connection.password };
}

/** The same connection, authenticated as another principal (e.g. to prove a revocation bites). */
export function withCredentials(connection: KafkaConnection, username: string, password: string, mechanism?: KafkaConnection['saslMechanism']): KafkaConnection {
  // A password never goes with the orchestrator's OAuth token: other principals log in with SCRAM.
  const { oauthBearer: _token, ...rest } = connection;
  const fallback = connection.saslMechanism === 'oauthbearer' ? 'scram-sha-512' : connection.saslMechanism;
  return { ...rest, username, password, saslMechanism: mechanism ?? fallback };
}
