import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodeVault from 'node-vault';
import type { SecretsPort } from '../../../vault/port';

/*
 * The Vault half of the leak: a file audit device, the CI deployer's token (the one that leaked)
 * and the child token the attacker minted with it, the attacker's reads through both, and a
 * colleague's ordinary read that is not part of the leak.
 */

/** Secrets the CI deployer's policy can read, besides the Kafka service accounts. */
export const OTHER_SECRETS: Readonly<Record<string, Record<string, string>>> = {
  'payments/db': { password: 'seeded-db-password' },
  'ci/deploy-key': { private_key: 'seeded-deploy-key', passphrase: 'seeded-passphrase' },
  'payments/psp-api': { api_key: 'seeded-psp-key' },
};

/** What the attacker read, by the token that read it. */
export const ATTACKER_READS = {
  parent: ['kafka/service-accounts/payments-reconciler', 'payments/db'],
  child: ['kafka/service-accounts/ledger-writer', 'ci/deploy-key'],
} as const;

/** The audit device the playbook reads, and the tokens of the leak. */
export interface SeededLeak {
  audit: { device: string; file: string };
  /** The leaked token's accessor (what the alert names). */
  accessor: string;
  childAccessor: string;
  /** KV paths the attacker read, sorted. */
  pathsRead: string[];
  /** Each path's KV version before the incident: a rotation writes a newer one. */
  versionsBefore: Record<string, number>;
  /** The password the attacker took for `payments-reconciler` (a credential: seeding only). */
  stolenPassword: string;
}

type VaultClient = ReturnType<typeof nodeVault>;

const CI_POLICY = `
path "secret/data/*" { capabilities = ["read"] }
path "auth/token/create" { capabilities = ["create", "update"] }
`;

/** The file device: the drill range's own audit file (device `file`), else a file device enabled here. */
async function auditDevice(root: VaultClient, auditLogFile: string | undefined): Promise<{ device: string; file: string }> {
  if (auditLogFile !== undefined) return { device: 'file', file: auditLogFile };
  const file = join(mkdtempSync(join(tmpdir(), 'vault-token-leak-')), 'audit.log');
  await root.enableAudit({ name: 'leak-audit', type: 'file', description: 'vault-token-leak scenario', options: { file_path: file } });
  return { device: 'leak-audit', file };
}

/** Seeds the leak on a Vault whose Kafka service accounts are already stored. */
export async function seedVaultLeak(secrets: SecretsPort, vault: { address: string; token: string; auditLogFile?: string }): Promise<SeededLeak> {
  const root = nodeVault({ endpoint: vault.address, apiVersion: 'v1', token: vault.token });
  const audit = await auditDevice(root, vault.auditLogFile);
  for (const [path, data] of Object.entries(OTHER_SECRETS)) await secrets.writeSecret(path, data);
  await root.addPolicy({ name: 'ci-deployer', rules: CI_POLICY });

  const leaked = (await root.write('auth/token/create', { policies: ['ci-deployer'], display_name: 'ci-deployer', meta: { pipeline: 'payments-deploy' }, ttl: '768h' })).auth as { client_token: string; accessor: string };
  const asLeaked = nodeVault({ endpoint: vault.address, apiVersion: 'v1', token: leaked.client_token });
  const pathsRead = [...ATTACKER_READS.parent, ...ATTACKER_READS.child].sort();
  const versionsBefore: Record<string, number> = {};
  for (const path of pathsRead) versionsBefore[path] = (await secrets.readSecretMetadata(path)).currentVersion;

  // The attacker reads with the leaked token, mints a child to spread its traces, reads on with it.
  let stolenPassword = '';
  for (const path of ATTACKER_READS.parent) {
    const answer = (await asLeaked.read(`secret/data/${path}`)) as { data: { data: Record<string, unknown> } };
    if (path.endsWith('/payments-reconciler')) stolenPassword = String(answer.data.data.password);
  }
  const child = (await asLeaked.write('auth/token/create', { policies: ['ci-deployer'], ttl: '24h' })).auth as { client_token: string; accessor: string };
  const asChild = nodeVault({ endpoint: vault.address, apiVersion: 'v1', token: child.client_token });
  for (const path of ATTACKER_READS.child) await asChild.read(`secret/data/${path}`);
  // Probing outside the policy is refused and discloses nothing.
  await asChild.read('sys/policies/acl').catch(() => undefined);

  // A colleague's pipeline reads another account's credentials with its own token: not the leak.
  const colleague = (await root.write('auth/token/create', { policies: ['ci-deployer'], display_name: 'ci-fraud' })).auth as { client_token: string };
  await nodeVault({ endpoint: vault.address, apiVersion: 'v1', token: colleague.client_token }).read('secret/data/kafka/service-accounts/fraud-scorer');

  if (stolenPassword === '') throw new Error('the attacker did not get the payments-reconciler password');
  return { audit, accessor: leaked.accessor, childAccessor: child.accessor, pathsRead, versionsBefore, stolenPassword };
}
