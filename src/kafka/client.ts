import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';

/** How to reach a Kafka cluster and as whom; the same shape for production and the sandbox. */
export interface KafkaConnection {
  brokers: readonly string[];
  saslMechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  /** A credential: never logged. */
  password: string;
  ssl: boolean;
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
  const sasl = { mechanism: connection.saslMechanism, username: connection.username, password: connection.password } as SASLOptions;
  return new Kafka({
    clientId: options.clientId,
    brokers: [...connection.brokers],
    ssl: connection.ssl,
    sasl,
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

/** The same connection, authenticated as another principal (e.g. to prove a revocation bites). */
export function withCredentials(connection: KafkaConnection, username: string, password: string, mechanism?: KafkaConnection['saslMechanism']): KafkaConnection {
  return { ...connection, username, password, saslMechanism: mechanism ?? connection.saslMechanism };
}
