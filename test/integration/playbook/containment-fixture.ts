import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { createContainmentActivities, type ContainmentCheckpoint } from '../../../activities/containment';
import type { AclBinding } from '../../../src/domain/events';
import { normaliseBindings } from '../../../src/kafka/acl-codes';
import { createAclAdmin } from '../../../src/kafka/acls';
import { silentLogger } from '../../../src/log/logger';
import { start as startKafka, type RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { seedTradingExfiltration, type TradingScenario } from '../../../src/sandbox/scenario/trading-exfiltration';
import { waitFor } from '../kafka/helpers';
import { start as startVault, type RunningVaultSandbox } from '../../../src/sandbox/vault';
import { createVaultSecrets, type SecretsPort } from '../../../src/vault';

/**
 * Shared set-up of the containment and circuit-breaker tests: a Kafka and a Vault sandbox with
 * the trading-exfiltration scenario seeded (accounts, ACLs, passwords in Vault, traffic).
 */
export interface ContainmentWorld {
  kafka: RunningKafkaSandbox;
  vault: RunningVaultSandbox;
  secrets: SecretsPort;
  scenario: TradingScenario;
  activities: ReturnType<typeof createContainmentActivities>;
  close(): Promise<void>;
}

/** Starts both sandboxes and seeds the scenario. */
export async function startWorld(): Promise<ContainmentWorld> {
  const [kafka, vault] = await Promise.all([startKafka({ port: 0, groups: { initialRebalanceDelayMs: 0, minSessionTimeoutMs: 1000 } }), startVault({ port: 0 })]);
  const secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
  const scenario = await seedTradingExfiltration({ kafka: kafka.connection, secrets });
  const activities = createContainmentActivities({ kafka: kafka.connection, secrets, logger: silentLogger, probeTimeoutMs: 2000 });
  return {
    kafka,
    vault,
    secrets,
    scenario,
    activities,
    close: async () => {
      await Promise.all([kafka.close(), vault.close()]);
    },
  };
}

/** Every ACL binding on the cluster, in a stable order. */
export async function aclSnapshot(world: ContainmentWorld): Promise<AclBinding[]> {
  const acls = createAclAdmin(world.kafka.connection);
  try {
    return normaliseBindings(await acls.allBindings());
  } finally {
    await acls.close();
  }
}

/** A kafkajs client as a scenario account (or admin), with no retries so refusals surface at once. */
export function clientAs(world: ContainmentWorld, account?: string): Kafka {
  const username = account ?? world.kafka.connection.username;
  const password = account ? (world.scenario.accounts[account]?.password ?? 'missing') : world.kafka.connection.password;
  return new Kafka({
    clientId: `test-${account ?? 'admin'}`,
    brokers: [...world.kafka.connection.brokers],
    sasl: { mechanism: 'scram-sha-512', username, password } as SASLOptions,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
}

/** Tries one produce as the account: `ok` or the kafkajs error type / name. */
export async function tryProduce(world: ContainmentWorld, account: string, topic: string): Promise<string> {
  const producer = clientAs(world, account).producer({ allowAutoTopicCreation: false });
  try {
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'probe' }], acks: 1 });
    return 'ok';
  } catch (err) {
    return errorType(err);
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

/** The most specific name kafkajs gives a failure (`TOPIC_AUTHORIZATION_FAILED`, …). */
export function errorType(err: unknown): string {
  let e: unknown = err;
  // kafkajs wraps protocol errors (retriable or not) in a chain of `cause`s / `originalError`s.
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    const o = e as { type?: unknown; originalError?: unknown; cause?: unknown; name?: unknown };
    if (typeof o.type === 'string' && o.type !== 'UNKNOWN') return o.type;
    e = o.originalError ?? o.cause;
  }
  return err instanceof Error ? err.name : String(err);
}

const ignore = (): void => undefined;
const quietTemporalLogger = { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };

/** Runs an activity in a mock activity context, collecting its heartbeats. */
export async function runActivity<I, O>(
  fn: (input: I) => Promise<O>,
  input: I,
  heartbeatDetails?: ContainmentCheckpoint,
): Promise<{ out?: O; err?: ApplicationFailure; heartbeats: ContainmentCheckpoint[] }> {
  const env = new MockActivityEnvironment(heartbeatDetails === undefined ? {} : { heartbeatDetails }, { logger: quietTemporalLogger });
  const heartbeats: ContainmentCheckpoint[] = [];
  env.on('heartbeat', (d: ContainmentCheckpoint) => heartbeats.push(d));
  try {
    return { out: (await env.run(fn, input)) as O, heartbeats };
  } catch (err) {
    if (!(err instanceof ApplicationFailure)) throw err;
    return { err, heartbeats };
  }
}

export { waitFor };

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Consumes with kafkajs as the account in its own group: `ok` once a record arrives, the error
 * type when the consumer crashes, `timeout` otherwise.
 */
export async function tryConsume(world: ContainmentWorld, account: string, topic: string, groupId = account, ms = 8000): Promise<string> {
  const consumer = clientAs(world, account).consumer({ groupId, retry: { retries: 0 }, maxWaitTimeInMs: 200, sessionTimeout: 6000, heartbeatInterval: 500 });
  let outcome: string | undefined;
  consumer.on(consumer.events.CRASH, (e) => {
    outcome ??= errorType(e.payload.error);
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async () => {
        outcome ??= 'ok';
      },
    });
    await waitFor(() => outcome !== undefined, ms, 'a record or a crash').catch(() => undefined);
    return outcome ?? 'timeout';
  } catch (err) {
    return outcome ?? errorType(err);
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}
