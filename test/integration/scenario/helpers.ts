import { start as startKafka, type RunningKafkaSandbox, type KafkaSandboxOptions } from '../../../src/sandbox/kafka';
import { start as startVault, type RunningVaultSandbox } from '../../../src/sandbox/vault';
import { createVaultSecrets, type SecretsPort } from '../../../src/vault';
import type { KafkaConnection } from '../../../src/kafka/client';

/** A Kafka and a Vault sandbox with the admin connection and secrets port the seeder takes. */
export interface ScenarioSandboxes {
  kafka: RunningKafkaSandbox;
  vault: RunningVaultSandbox;
  connection: KafkaConnection;
  secrets: SecretsPort;
  close(): Promise<void>;
}

/** Starts both sandboxes on free ports (fast group settings for tests). */
export async function startSandboxes(options: KafkaSandboxOptions = {}): Promise<ScenarioSandboxes> {
  const [kafka, vault] = await Promise.all([
    startKafka({ port: 0, groups: { initialRebalanceDelayMs: 50, minSessionTimeoutMs: 1000 }, ...options }),
    startVault({ port: 0 }),
  ]);
  return {
    kafka,
    vault,
    connection: { ...kafka.connection },
    secrets: createVaultSecrets({ address: vault.address, token: vault.rootToken }),
    close: async () => {
      await Promise.all([kafka.close(), vault.close()]);
    },
  };
}

/** Per partition, what the broker's fetch access records say it served to `principal` from `topic`. */
export function servedByBroker(kafka: RunningKafkaSandbox, principal: string, topic: string): Map<number, { from: bigint; to: bigint; records: number; bytes: number; fetches: number; overlaps: number }> {
  const out = new Map<number, { from: bigint; to: bigint; records: number; bytes: number; fetches: number; overlaps: number }>();
  const fetches = kafka.broker.accessLog.query({ principal, kind: 'fetch', resourceName: topic });
  for (const f of fetches) {
    if (f.partition === undefined || f.fromOffset === undefined || f.toOffset === undefined) continue;
    const from = BigInt(f.fromOffset);
    const to = BigInt(f.toOffset) - 1n;
    const p = out.get(f.partition);
    if (p === undefined) {
      out.set(f.partition, { from, to, records: f.records ?? 0, bytes: f.bytes ?? 0, fetches: 1, overlaps: 0 });
      continue;
    }
    if (from <= p.to) p.overlaps++;
    if (from < p.from) p.from = from;
    if (to > p.to) p.to = to;
    p.records += f.records ?? 0;
    p.bytes += f.bytes ?? 0;
    p.fetches++;
  }
  return out;
}
