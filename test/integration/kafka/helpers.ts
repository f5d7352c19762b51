import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { start, type KafkaSandboxOptions, type RunningKafkaSandbox } from '../../../src/sandbox/kafka';

/** Starts a sandbox broker on a free port with fast group settings for tests. */
export function startBroker(options: KafkaSandboxOptions = {}): Promise<RunningKafkaSandbox> {
  return start({ groups: { initialRebalanceDelayMs: 50, minSessionTimeoutMs: 1000 }, ...options });
}

/** A kafkajs client for the sandbox, authenticated as `username` (admin by default). */
export function client(sandbox: RunningKafkaSandbox, overrides: Partial<KafkaConfig> & { username?: string; password?: string; mechanism?: 'plain' | 'scram-sha-256' | 'scram-sha-512' } = {}): Kafka {
  const { username, password, mechanism, ...rest } = overrides;
  const user = username ?? sandbox.connection.username;
  const pass = password ?? sandbox.connection.password;
  const sasl = { mechanism: mechanism ?? 'scram-sha-512', username: user, password: pass } as SASLOptions;
  return new Kafka({
    clientId: 'test',
    brokers: [...sandbox.connection.brokers],
    sasl,
    logLevel: logLevel.NOTHING,
    retry: { retries: 2, initialRetryTime: 50 },
    ...rest,
  });
}

/** Resolves when `check` returns true, polling every 20 ms; rejects after `ms`. */
export async function waitFor(check: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
