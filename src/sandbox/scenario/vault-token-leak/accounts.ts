import { randomBytes } from 'node:crypto';
import { ScramAdmin } from '../../../kafka/scram-admin';
import type { KafkaConnection } from '../../../kafka/client';
import type { SecretsPort } from '../../../vault/port';
import type { Grant } from '../trading-exfiltration/principals';
import { DEFAULT_SERVICE_ACCOUNT_PATH, serviceAccountPath } from '../../../vault/service-accounts';


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
  const passwords: Record<string, string> = {};
  const scram = new ScramAdmin({ brokers: [...kafka.brokers], ssl: kafka.ssl, sasl: { mechanism: kafka.saslMechanism, username: kafka.username, password: kafka.password }, clientId: 'breachline-scenario' });
  try {
    for (const account of Object.keys(LEAK_ACCOUNTS)) {
      const password = randomBytes(18).toString('base64url');
      const results = await scram.upsert([
        { user: account, mechanism: 'SCRAM-SHA-512', password, iterations: 4096 },
        { user: account, mechanism: 'SCRAM-SHA-256', password, iterations: 4096 },
      ]);
      const failed = results.find((r) => r.errorCode !== 0);
      if (failed !== undefined) throw new Error(`could not create SCRAM user ${account}: error ${failed.errorCode}`);
      await secrets.writeSecret(serviceAccountPath(account, DEFAULT_SERVICE_ACCOUNT_PATH), { username: account, password, mechanism: 'SCRAM-SHA-512' });
      passwords[account] = password;
    }
  } finally {
    await scram.close();
  }
  return passwords;
}
