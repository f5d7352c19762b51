import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVaultActionActivities } from '../../../activities/actions/vault';
import { createVaultTraceActivities, type TraceResult } from '../../../activities/actions/vault-trace';
import type { GenericActionInput, GenericActionResult } from '../../../src/actions/contract';
import { start, type RunningVaultSandbox } from '../../../src/sandbox/vault/index';
import { createVaultSecrets, type SecretsPort } from '../../../src/vault/index';
import { client } from '../vault/helpers';

let vault: RunningVaultSandbox;
let secrets: SecretsPort;
let dir: string;
let file: string;

const context = { incidentId: 'inc-1', runbookId: 'vault-token-leak', severity: 'critical', title: 'Leaked Vault token' };
const input = <P>(stepId: string, params: P): GenericActionInput<P> => ({ incidentId: 'inc-1', stepId, stepKey: `inc-1/${stepId}/1`, params, context });
const mint = async (token: string, body: Record<string, unknown>, path = 'auth/token/create'): Promise<{ client_token: string; accessor: string }> =>
  (await client(vault.address, token).write(path, body)).auth as { client_token: string; accessor: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vault-trace-'));
  file = join(dir, 'audit.log');
  vault = await start({});
  secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
  const root = client(vault.address, vault.rootToken);
  await root.enableAudit({ name: 'file', type: 'file', options: { file_path: file } });
  await root.addPolicy({ name: 'deployer', rules: 'path "auth/token/create*" { capabilities = ["create", "update", "sudo"] }\npath "secret/data/*" { capabilities = ["read"] }' });
  for (const account of ['payments-reconciler', 'ledger-writer', 'untouched']) await secrets.writeSecret(`kafka/service-accounts/${account}`, { username: account, password: `pw-${account}`, mechanism: 'SCRAM-SHA-512' });
  await secrets.writeSecret('payments/db', { password: 'db-pw' });
  await secrets.writeSecret('ci/deploy-key', { private_key: 'k', passphrase: 'p' });
});
afterAll(async () => {
  await vault.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('vault.trace-token against the Vault sandbox', () => {
  it('finds the children (an orphan included), every secret they read, the Kafka accounts among them and the live accessors to revoke', async () => {
    const leaked = await mint(vault.rootToken, { policies: ['deployer'], display_name: 'ci-deployer' });
    const read = (token: string, path: string): Promise<unknown> => client(vault.address, token).read(`secret/data/${path}`);
    await read(leaked.client_token, 'kafka/service-accounts/payments-reconciler');
    const child = await mint(leaked.client_token, { policies: ['deployer'] });
    await read(child.client_token, 'kafka/service-accounts/ledger-writer');
    const orphan = await mint(child.client_token, { policies: ['deployer'] }, 'auth/token/create-orphan');
    await read(orphan.client_token, 'payments/db');
    await read(orphan.client_token, 'payments/db');
    await client(vault.address, child.client_token).read('secret/data/missing').catch(() => undefined);
    // Someone else's read is not the leak's.
    const other = await mint(vault.rootToken, { policies: ['deployer'] });
    await read(other.client_token, 'ci/deploy-key');

    const acts = createVaultTraceActivities({ secrets, audit: { device: 'file', file } });
    const res = await acts.actionVaultTraceToken(input('trace', { accessor: leaked.accessor }));
    expect(res.outputs.paths).toEqual(['kafka/service-accounts/payments-reconciler', 'kafka/service-accounts/ledger-writer', 'payments/db']);
    expect(res.outputs.kafkaAccounts).toEqual(['payments-reconciler', 'ledger-writer']);
    expect(res.outputs.kafkaPrincipals).toEqual(['User:payments-reconciler', 'User:ledger-writer']);
    expect(res.outputs.tokenAccessors?.[0]).toBe(leaked.accessor);
    expect([...(res.outputs.tokenAccessors ?? [])].sort()).toEqual([leaked.accessor, child.accessor, orphan.accessor].sort());
    expect(res.details).toMatchObject({ tokens: 3, children: 2, orphans: 1, reads: 4, secrets: 3 });
    expect(res.summary).toContain('Kafka account(s) payments-reconciler, ledger-writer');
    // Nothing secret in what goes into history.
    const recorded = JSON.stringify(res);
    for (const secret of [leaked.client_token, child.client_token, orphan.client_token, 'pw-payments-reconciler', 'db-pw']) expect(recorded).not.toContain(secret);

    // `since` after the reads: the children are still found, no read is reported.
    const later = await acts.actionVaultTraceToken(input('trace', { accessor: leaked.accessor, since: new Date(Date.now() + 60_000).toISOString() }));
    expect(later.outputs.paths).toEqual([]);
    expect(later.details).toMatchObject({ children: 2 });
  });

  it('a token the log never saw reads nothing; without a configured log the action is refused with the setting named', async () => {
    const quiet = await mint(vault.rootToken, { policies: ['default'] });
    const acts = createVaultTraceActivities({ secrets, audit: { device: 'file', file } });
    const res: TraceResult = await acts.actionVaultTraceToken(input('trace', { accessor: quiet.accessor }));
    expect(res.outputs).toEqual({ paths: [], kafkaAccounts: [], kafkaPrincipals: [], tokenAccessors: [quiet.accessor] });
    const none = createVaultTraceActivities({ secrets });
    const err = await none.actionVaultTraceToken(input('trace', { accessor: quiet.accessor })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'VaultAuditLogNotConfigured', nonRetryable: true });
    const missing = createVaultTraceActivities({ secrets, audit: { device: 'file', file: join(dir, 'absent.log') } });
    expect(await missing.actionVaultTraceToken(input('trace', { accessor: quiet.accessor })).catch((e: unknown) => e)).toMatchObject({ type: 'VaultAuditLogUnavailable' });
  });
});

describe('vault.rotate-kv with paths', () => {
  it('rotates every key of each secret, leaves Kafka accounts to rotate-credentials, keeps the old versions, and a retry does not rotate twice', async () => {
    const acts = createVaultActionActivities({ secrets });
    const paths = ['kafka/service-accounts/untouched', 'payments/db', 'ci/deploy-key'];
    const before = await Promise.all(paths.map(async (p) => (await secrets.readSecretMetadata(p)).currentVersion));
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const params = { paths, exceptPathTemplate: 'kafka/service-accounts/{account}' };
    const res = (await env.run(acts.actionVaultRotateKv, input('rotate-secrets', params))) as GenericActionResult;
    expect(res.details).toMatchObject({ rotated: 2, skipped: 1, 'kafka/service-accounts/untouched': 'skipped (exceptPathTemplate)' });
    expect((await secrets.readSecretMetadata('kafka/service-accounts/untouched')).currentVersion).toBe(before[0]);
    const key = await secrets.readSecret('ci/deploy-key');
    expect(key.version).toBe((before[2] ?? 0) + 1);
    expect(key.data.private_key).not.toBe('k');
    expect(key.data.passphrase).not.toBe('p');
    expect(key.data.private_key).not.toBe(key.data.passphrase);

    const retry = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: beats.at(-1) });
    const again = (await retry.run(acts.actionVaultRotateKv, input('rotate-secrets', params))) as GenericActionResult;
    expect(again.details).toMatchObject({ rotated: 2 });
    expect((await secrets.readSecretMetadata('ci/deploy-key')).currentVersion).toBe((before[2] ?? 0) + 1);
    expect((await secrets.readSecretMetadata('payments/db')).currentVersion).toBe((before[1] ?? 0) + 1);

    const empty = await acts.actionVaultRotateKv(input('rotate-none', { paths: [] }));
    expect(empty.summary).toBe('rotated 0 secret(s) (old versions kept)');
  });
});
