import { randomBytes } from 'node:crypto';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, type Admin } from 'kafkajs';
import nodeVault from 'node-vault';
import { ScramAdmin } from '../../../kafka/scram-admin';
import type { KafkaConnection } from '../../../kafka/client';
import type { SecretsPort } from '../../../vault/port';
import { DEFAULT_SERVICE_ACCOUNT_PATH, serviceAccountPath } from '../../../vault/service-accounts';

/**
 * The scenario's service accounts: SCRAM users on the brokers, their passwords in Vault KV, the
 * ACLs each service runs with, and the compromised service's Vault tokens and AppRole.
 */

/** One ACL grant: ALLOW `operation` on a literal resource for the account (`*`: every resource of the type). */
export interface Grant {
  resource: 'topic' | 'group';
  name: string;
  operation: 'READ' | 'WRITE' | 'DESCRIBE';
}

/** Who runs in the scenario and with which rights. */
export const SCENARIO_ACCOUNTS: Readonly<Record<string, readonly Grant[]>> = {
  'order-service': [{ resource: 'topic', name: 'orders', operation: 'WRITE' }],
  'analytics-consumer': [
    { resource: 'topic', name: 'orders', operation: 'READ' },
    { resource: 'group', name: 'analytics-consumer', operation: 'READ' },
  ],
  'risk-consumer': [
    { resource: 'topic', name: 'orders', operation: 'READ' },
    { resource: 'group', name: 'risk-consumer', operation: 'READ' },
  ],
  'data-lake-sink': [
    { resource: 'topic', name: 'orders', operation: 'READ' },
    { resource: 'group', name: 'data-lake-sink', operation: 'READ' },
  ],
  'report-exporter': [
    { resource: 'topic', name: 'orders', operation: 'READ' },
    { resource: 'group', name: 'report-exporter', operation: 'READ' },
  ],
  // The blast radius: services that shared hosts or secrets with report-exporter.
  'report-scheduler': [
    { resource: 'topic', name: 'report-jobs', operation: 'WRITE' },
    { resource: 'topic', name: 'orders', operation: 'DESCRIBE' },
  ],
  'invoice-renderer': [
    { resource: 'topic', name: 'invoices', operation: 'READ' },
    { resource: 'group', name: 'invoice-renderer', operation: 'READ' },
  ],
  'export-gateway': [
    { resource: 'topic', name: 'report-exports', operation: 'READ' },
    { resource: 'topic', name: 'report-exports', operation: 'WRITE' },
    { resource: 'group', name: 'export-gateway', operation: 'READ' },
  ],
};

/** A seeded account as tests and drills use it. The password is a credential. */
export interface SeededAccount {
  principal: string;
  password: string;
  vaultPath: string;
}

/** Vault state of the compromised service. */
export interface CompromisedVaultState {
  /** Accessors of the tokens issued to the service (`meta.service`). */
  tokenAccessors: string[];
  /** The AppRole named after the service, when a Vault admin connection was given. */
  approle?: { roleName: string; roleId: string; secretIdAccessors: string[] };
}

const OPERATION = { READ: AclOperationTypes.READ, WRITE: AclOperationTypes.WRITE, DESCRIBE: AclOperationTypes.DESCRIBE } as const;

/** Creates the SCRAM users (SHA-512 and SHA-256) and stores each password in Vault KV. */
export async function seedAccounts(
  kafka: KafkaConnection,
  secrets: SecretsPort,
  mechanism: 'SCRAM-SHA-512' = 'SCRAM-SHA-512',
  accountGrants: Readonly<Record<string, readonly Grant[]>> = SCENARIO_ACCOUNTS,
): Promise<Record<string, SeededAccount>> {
  const accounts: Record<string, SeededAccount> = {};
  const scram = new ScramAdmin({
    brokers: [...kafka.brokers],
    ssl: kafka.ssl,
    sasl: { mechanism: kafka.saslMechanism, username: kafka.username, password: kafka.password },
    clientId: 'breachline-scenario',
  });
  try {
    for (const account of Object.keys(accountGrants)) {
      const password = randomBytes(18).toString('base64url');
      const results = await scram.upsert([
        { user: account, mechanism: 'SCRAM-SHA-512', password, iterations: 4096 },
        { user: account, mechanism: 'SCRAM-SHA-256', password, iterations: 4096 },
      ]);
      const failed = results.find((r) => r.errorCode !== 0);
      if (failed !== undefined) throw new Error(`could not create SCRAM user ${account}: error ${failed.errorCode}`);
      const vaultPath = serviceAccountPath(account, DEFAULT_SERVICE_ACCOUNT_PATH);
      await secrets.writeSecret(vaultPath, { username: account, password, mechanism });
      accounts[account] = { principal: `User:${account}`, password, vaultPath };
    }
  } finally {
    await scram.close();
  }
  return accounts;
}

/** Creates every account's ALLOW ACLs (literal resources, any host). */
export async function seedAcls(admin: Admin, accountGrants: Readonly<Record<string, readonly Grant[]>> = SCENARIO_ACCOUNTS): Promise<void> {
  const acl = Object.entries(accountGrants).flatMap(([account, grants]) =>
    grants.map((g) => ({
      resourceType: g.resource === 'topic' ? AclResourceTypes.TOPIC : AclResourceTypes.GROUP,
      resourceName: g.name,
      resourcePatternType: ResourcePatternTypes.LITERAL,
      principal: `User:${account}`,
      host: '*',
      operation: OPERATION[g.operation],
      permissionType: AclPermissionTypes.ALLOW,
    })),
  );
  await admin.createAcls({ acl });
}

/**
 * Issues the compromised service's Vault credentials: two tokens tagged `meta.service`, and — with
 * a Vault admin connection, since the secrets port does not manage auth methods — an AppRole named
 * after the service with two secret ids.
 */
export async function seedVaultCredentials(
  secrets: SecretsPort,
  service: string,
  vault?: { address: string; token: string },
): Promise<CompromisedVaultState> {
  const tokenAccessors: string[] = [];
  for (const purpose of ['batch', 'api']) {
    const created = await secrets.createToken({ policies: ['default'], displayName: `${service}-${purpose}`, meta: { service, purpose }, ttl: '768h' });
    tokenAccessors.push(created.accessor);
  }
  if (vault === undefined) return { tokenAccessors };
  const client = nodeVault({ endpoint: vault.address, apiVersion: 'v1', token: vault.token });
  await client.addApproleRole({ role_name: service, policies: 'default', token_ttl: 3600 });
  const roleId = String((await client.getApproleRoleId({ role_name: service })).data.role_id);
  const secretIdAccessors: string[] = [];
  for (let i = 0; i < 2; i++) {
    const answer = await client.getApproleRoleSecret({ role_name: service });
    secretIdAccessors.push(String(answer.data.secret_id_accessor));
  }
  return { tokenAccessors, approle: { roleName: service, roleId, secretIdAccessors } };
}
