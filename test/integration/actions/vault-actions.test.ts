import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVaultActionActivities } from '../../../activities/actions/vault';
import type { GenericActionInput, GenericActionResult } from '../../../src/actions/contract';
import { start, type RunningVaultSandbox } from '../../../src/sandbox/vault/index';
import { createVaultSecrets, type SecretsPort } from '../../../src/vault/index';
import { client } from '../vault/helpers';

let vault: RunningVaultSandbox;
let secrets: SecretsPort;
let acts: ReturnType<typeof createVaultActionActivities>;

const context = { incidentId: 'inc-1', runbookId: 'leaked-token', severity: 'high', title: 'Leaked Vault token' };
const input = <P>(stepId: string, params: P): GenericActionInput<P> => ({ incidentId: 'inc-1', stepId, stepKey: `inc-1/${stepId}/1`, params, context });

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err: unknown = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

async function mintToken(body: Record<string, unknown>): Promise<{ client_token: string; accessor: string }> {
  const res = await client(vault.address, vault.rootToken).write('auth/token/create', body);
  return res.auth;
}

beforeAll(async () => {
  vault = await start({});
  secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
  acts = createVaultActionActivities({ secrets });
});
afterAll(async () => {
  await vault.close();
});

describe('vault.revoke-token-accessor', () => {
  it('revokes the token and its children, and a re-run finds them gone', async () => {
    await client(vault.address, vault.rootToken).addPolicy({ name: 'minter', rules: 'path "auth/token/create" { capabilities = ["create", "update"] }' });
    const parent = await mintToken({ policies: ['reader', 'minter'], display_name: 'orders' });
    const child = (await client(vault.address, parent.client_token).write('auth/token/create', { policies: ['reader'] })).auth as { accessor: string };
    const first = await acts.actionVaultRevokeTokenAccessor(input('revoke', { accessors: [parent.accessor] }));
    expect(first.details).toMatchObject({ revoked: 1, [parent.accessor]: expect.stringContaining('revoked (token-orders') });
    await expect(secrets.lookupTokenByAccessor(child.accessor)).rejects.toMatchObject({ kind: 'not-found' });
    const again = await acts.actionVaultRevokeTokenAccessor(input('revoke', { accessors: [parent.accessor] }));
    expect(again.summary).toBe('revoked 0 Vault token(s) by accessor, 1 already gone');
    expect(JSON.stringify(again)).not.toContain(parent.client_token);
  });

  it('a sealed Vault is a retryable failure, a denied token a final one', async () => {
    const t = await mintToken({ policies: ['reader'] });
    vault.seal();
    try {
      const f = await failureOf(acts.actionVaultRevokeTokenAccessor(input('revoke', { accessors: [t.accessor] })));
      expect(f).toMatchObject({ type: 'VaultSealed', nonRetryable: false });
    } finally {
      vault.unseal();
    }
    const weak = createVaultActionActivities({ secrets: createVaultSecrets({ address: vault.address, token: t.client_token }) });
    const f = await failureOf(weak.actionVaultRevokeTokenAccessor(input('revoke', { accessors: [t.accessor] })));
    expect(f).toMatchObject({ type: 'VaultPermissionDenied', nonRetryable: true });
    expect(f.message).toContain('lookup-accessor');
  });
});

describe('vault.revoke-lease-prefix', () => {
  it('revokes every lease under the prefix and leaves the others', async () => {
    await client(vault.address, vault.rootToken).write('sys/auth/approle', { type: 'approle' }).catch(() => undefined);
    const byCreate = await mintToken({ policies: ['reader'] });
    const res = await acts.actionVaultRevokeLeasePrefix(input('leases', { prefix: 'auth/token/create' }));
    expect(res.summary).toBe('revoked every Vault lease under auth/token/create');
    await expect(secrets.lookupTokenByAccessor(byCreate.accessor)).rejects.toMatchObject({ kind: 'not-found' });
    // The orchestrator's root token has no lease and survives; a re-run is a no-op.
    await expect(acts.actionVaultRevokeLeasePrefix(input('leases', { prefix: 'auth/token/create' }))).resolves.toBeDefined();
  });

  it('needs sudo: a token without it gets a final, precise failure', async () => {
    await client(vault.address, vault.rootToken).addPolicy({ name: 'leases-no-sudo', rules: 'path "sys/leases/revoke-prefix/*" { capabilities = ["update"] }' });
    const t = await mintToken({ policies: ['leases-no-sudo'] });
    const weak = createVaultActionActivities({ secrets: createVaultSecrets({ address: vault.address, token: t.client_token }) });
    const f = await failureOf(weak.actionVaultRevokeLeasePrefix(input('leases', { prefix: 'auth/token/create' })));
    expect(f).toMatchObject({ type: 'VaultPermissionDenied', nonRetryable: true });
    expect(f.message).toContain('sys/leases/revoke-prefix/auth/token/create');
  });
});

describe('vault.rotate-kv', () => {
  it('writes a new version with fresh values for the named keys, keeps the others and the old version', async () => {
    await secrets.writeSecret('payments/db', { username: 'orders', password: 'leaked-1', api_key: 'leaked-2' });
    const res = await acts.actionVaultRotateKv(input('rotate', { path: 'payments/db', keys: ['password', 'api_key'] }));
    expect(res.details).toMatchObject({ previousVersion: 1, version: 2 });
    const now = await secrets.readSecret('payments/db');
    expect(now.data.username).toBe('orders');
    expect(now.data.password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(now.data.password).not.toBe(now.data.api_key);
    expect((await secrets.readSecret('payments/db', { version: 1 })).data.password).toBe('leaked-1');
    expect(JSON.stringify(res)).not.toContain(String(now.data.password));
  });

  it('a retry after the write (checkpoint from the crashed attempt) does not rotate twice', async () => {
    await secrets.writeSecret('payments/retry', { password: 'old' });
    const stepKey = 'inc-1/rotate-retry/1';
    const first = new MockActivityEnvironment();
    const heartbeats: unknown[] = [];
    first.on('heartbeat', (d: unknown) => heartbeats.push(d));
    await first.run(acts.actionVaultRotateKv, { ...input('rotate-retry', { path: 'payments/retry', keys: ['password'] }), stepKey });
    expect(heartbeats).toEqual([{ stepKey, fromVersion: 1 }]);
    // The worker died before reporting: the retry gets the last heartbeat.
    const retry = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: heartbeats.at(-1) });
    const res = (await retry.run(acts.actionVaultRotateKv, { ...input('rotate-retry', { path: 'payments/retry', keys: ['password'] }), stepKey })) as GenericActionResult;
    expect(res.details).toMatchObject({ previousVersion: 1, version: 2, resumed: true });
    expect((await secrets.readSecretMetadata('payments/retry')).currentVersion).toBe(2);
  });

  it('refuses a missing secret or a missing key precisely, as a final failure', async () => {
    const missing = await failureOf(acts.actionVaultRotateKv(input('rotate', { path: 'payments/none', keys: ['password'] })));
    expect(missing).toMatchObject({ type: 'SecretNotFound', nonRetryable: true, message: 'vault.rotate-kv: path: no KV v2 secret at payments/none to rotate' });
    await secrets.writeSecret('payments/k', { password: 'x' });
    const key = await failureOf(acts.actionVaultRotateKv(input('rotate', { path: 'payments/k', keys: ['token'] })));
    expect(key.nonRetryable).toBe(true);
    expect(key.message).toBe('vault.rotate-kv: keys: payments/k has no key token (rotation replaces existing keys only)');
  });
});
