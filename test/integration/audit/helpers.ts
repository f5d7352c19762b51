import { MockActivityEnvironment } from '@temporalio/testing';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { createAuditActivities } from '../../../activities/audit';
import type { AppendResult } from '../../../src/audit';
import { buildProgram } from '../../../src/cli/program';
import type { DomainEvent } from '../../../src/domain/events';
import { silentLogger } from '../../../src/log/logger';
import type { RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import type { RunningVaultSandbox } from '../../../src/sandbox/vault/index';
import { createVaultSecrets } from '../../../src/vault/index';

/** A kafkajs client for a sandbox user (the attacker's own client, not our adapter). */
export function kafkaAs(kafka: RunningKafkaSandbox, username: string, password: string): Kafka {
  return new Kafka({
    clientId: 'audit-attack',
    brokers: [...kafka.connection.brokers],
    sasl: { mechanism: 'scram-sha-512', username, password } as SASLOptions,
    logLevel: logLevel.NOTHING,
    retry: { retries: 1, initialRetryTime: 50 },
  });
}

/** A fresh worker's audit activities (new writer, empty tail cache), signing through Vault. */
export function auditWorker(kafka: RunningKafkaSandbox, vault: RunningVaultSandbox, topic: string) {
  const acts = createAuditActivities({
    kafka: kafka.connection,
    auditTopic: topic,
    logger: silentLogger,
    secrets: createVaultSecrets({ address: vault.address, token: vault.rootToken }),
  });
  const env = new MockActivityEnvironment();
  return {
    ensure: () => env.run(acts.ensureAuditTopic) as Promise<void>,
    append: (events: DomainEvent[]) => env.run(acts.appendAudit, { events }) as Promise<AppendResult>,
  };
}

/** Produces raw values as the given client (an admin, or a principal granted WRITE by mistake). */
export async function produceRaw(client: Kafka, topic: string, records: Array<{ key: string | null; value: string }>): Promise<void> {
  const producer = client.producer();
  await producer.connect();
  await producer.send({ topic, messages: records });
  await producer.disconnect();
}

/** What a CLI run printed and its exit code. */
export interface CliRun {
  code: number;
  stdout: string;
}

/**
 * Runs the CLI in-process through `buildProgram()`, with Kafka and Vault from the environment as
 * an operator would configure them; stdout is captured, the exit code is `process.exitCode`.
 */
export async function runCli(args: string[], kafka: RunningKafkaSandbox, vault: RunningVaultSandbox | undefined): Promise<CliRun> {
  const env: Record<string, string | undefined> = {
    BREACHLINE_CONFIG_FILE: '',
    BREACHLINE_KAFKA_BROKERS: kafka.connection.brokers.join(','),
    BREACHLINE_KAFKA_USERNAME: kafka.connection.username,
    BREACHLINE_KAFKA_PASSWORD: kafka.connection.password,
    BREACHLINE_KAFKA_SASL_MECHANISM: 'scram-sha-512',
    BREACHLINE_VAULT_ADDRESS: vault?.address,
    BREACHLINE_VAULT_TOKEN: vault?.rootToken,
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const setEnv = (values: Record<string, string | undefined>): void => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  setEnv(env);
  let stdout = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  process.exitCode = undefined;
  let code: number;
  try {
    await buildProgram().parseAsync(['node', 'breachline', ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (err) {
    stdout += `breachline: ${(err as Error).message}\n`;
    code = 1;
  } finally {
    process.stdout.write = write;
    process.exitCode = undefined;
    setEnv(saved);
  }
  return { code, stdout };
}
