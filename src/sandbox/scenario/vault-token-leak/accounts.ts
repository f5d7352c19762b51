import type { KafkaConnection } from '../../../kafka/client';
import type { SecretsPort } from '../../../vault/port';
import { seedAccounts, type Grant } from '../trading-exfiltration/principals';

/**
 * The payment platform's Kafka service accounts. The leaked CI token read the credentials of
 * `payments-reconciler` (a nightly batch job with READ on `payments`, idle during the attack) and
 * `ledger-writer`; the attacker used the first. `fraud-scorer`'s credentials stay unread.
 */
export const LEAK_ACCOUNTS: Readonly<Record<string, readonly Grant[]>> = {
  'payments-api': [{ resource: 'topic', name: 'payments', operation: 'WRITE' }],
  'payments-reconciler': [
    { resource: 'topic', name: 'payments', operation: 'READ' },
    { resource: 'group', name: 'payments-reconciler', operation: 'READ' },
  ],
  'ledger-writer': [{ resource: 'topic', name: 'ledger', operation: 'WRITE' }],
  'fraud-scorer': [
    { resource: 'topic', name: 'payments', operation: 'READ' },
    { resource: 'group', name: 'fraud-scorer', operation: 'READ' },
  ],
};

/** Creates each account's SCRAM users and stores its credentials in Vault KV as services read them. Returns the passwords (credentials). */
export async function seedLeakAccounts(kafka: KafkaConnection, secrets: SecretsPort): Promise<Record<string, string>> {
  const seeded = await seedAccounts(kafka, secrets, 'SCRAM-SHA-512', LEAK_ACCOUNTS);
  return Object.fromEntries(Object.entries(seeded).map(([account, a]) => [account, a.password]));
}
