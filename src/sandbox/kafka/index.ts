import type { RunningSandbox, SandboxStartOptions } from '../types';
import { KafkaBroker, type KafkaBrokerOptions } from './broker';

export { KafkaBroker, type KafkaBrokerOptions } from './broker';
export { ManualClock, systemClock, type BrokerClock } from './clock';
export { FaultInjector } from './faults';
export { ApiKey } from './protocol/api-keys';
export { ErrorCode, KAFKA_ERRORS } from './protocol/errors';
export { encodeBatch } from './log/record-batch';

/** Options of the kafka sandbox: the common sandbox options plus the broker's own. */
export type KafkaSandboxOptions = SandboxStartOptions & Omit<KafkaBrokerOptions, keyof SandboxStartOptions>;

/** The running kafka sandbox, with the broker object for tests (clock, access log, faults, stores). */
export interface RunningKafkaSandbox extends RunningSandbox {
  readonly broker: KafkaBroker;
  readonly connection: Readonly<{
    brokers: readonly string[];
    saslMechanism: 'scram-sha-512';
    username: string;
    password: string;
    ssl: boolean;
  }>;
}

/**
 * Starts the Kafka-protocol sandbox broker (SASL_PLAINTEXT, or SASL_SSL with `tls`). A bootstrap
 * super user (`admin` unless named) exists from the start, with the given or a random password.
 */
export async function start(options: KafkaSandboxOptions = {}): Promise<RunningKafkaSandbox> {
  const broker = new KafkaBroker(options);
  await broker.start();
  return {
    name: 'kafka',
    address: broker.address,
    broker,
    connection: {
      brokers: [broker.address],
      saslMechanism: 'scram-sha-512',
      username: broker.adminUser,
      password: broker.adminPassword,
      ssl: broker.tlsEnabled,
    },
    close: () => broker.close(),
  };
}
