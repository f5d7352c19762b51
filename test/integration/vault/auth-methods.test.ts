import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodeVault from 'node-vault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, start, type RunningVaultSandbox } from '../../../src/sandbox/vault/index';
import { createVaultSecrets, fileSecret, VaultError, type SecretsPort } from '../../../src/vault/index';
import { generateTestPki, hasOpenssl, type TestPki } from '../../support/pki';

/**
 * Vault over HTTPS (CA bundle from the test's own PKI) with the three auth methods through
 * node-vault: a fixed token, AppRole (secret_id from a file) and Kubernetes (service-account JWT
 * file); login tokens renewed with renew-self before their TTL ends and replaced by a new login
 * when the max TTL caps them or they are revoked. Time is the sandbox's manual clock, shared with
 * the session, so every TTL boundary is hit exactly.
 */

const SA_JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6YnJlYWNobGluZTpicmVhY2hsaW5lIn0.c2ln';

describe.skipIf(!hasOpenssl())('vault: TLS and auth methods', () => {
  let pki: TestPki;
  let vault: RunningVaultSandbox;
  let clock: ManualClock;
  let root: ReturnType<typeof nodeVault>;
  let dir: string;
  let roleId: string;

  const count = (path: string): number => vault.audit.entries().filter((e) => e.type === 'request' && e.request.path === path).length;

  beforeAll(async () => {
    pki = generateTestPki();
    clock = new ManualClock(Date.UTC(2026, 0, 1));
    vault = await start({
      clock,
      tls: { key: pki.server.key, cert: pki.server.cert },
      kubernetes: { roles: { breachline: { jwts: [SA_JWT], policies: ['orchestrator'], ttl: 60, maxTtl: 150, serviceAccount: 'breachline' } } },
    });
    root = nodeVault({ endpoint: vault.address, token: vault.rootToken, apiVersion: 'v1', requestOptions: { ca: pki.ca.cert } });
    await root.addPolicy({ name: 'orchestrator', rules: 'path "secret/data/*" { capabilities = ["create", "read", "update"] }' });
    await root.write('auth/approle/role/breachline', { token_policies: 'orchestrator', token_ttl: 60, token_max_ttl: 150 });
    roleId = ((await root.getApproleRoleId({ role_name: 'breachline' })) as { data: { role_id: string } }).data.role_id;
    dir = mkdtempSync(join(tmpdir(), 'vault-auth-'));
  });
  afterAll(async () => {
    await vault?.close();
    pki?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS verified against the CA bundle, and refuses a client trusting another CA', async () => {
    expect(vault.address).toMatch(/^https:\/\//);
    const good = createVaultSecrets({ address: vault.address, token: vault.rootToken, ca: pki.ca.cert });
    await good.writeSecret('tls/probe', { v: 1 });
    expect((await good.readSecret('tls/probe')).data).toEqual({ v: 1 });
    for (const ca of [pki.otherCa.cert, undefined]) {
      const bad = createVaultSecrets({ address: vault.address, token: vault.rootToken, ...(ca ? { ca } : {}) });
      const err = await bad.readSecret('tls/probe').then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(VaultError);
      expect(err).toMatchObject({ kind: 'invalid-request', retriable: false });
      expect((err as Error).message).toMatch(/TLS: the server certificate was refused \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/);
    }
  });

  it('AppRole: logs in with the secret_id file, renews before the TTL, logs in again when the max TTL caps renewal', async () => {
    const secretId = ((await root.getApproleRoleSecret({ role_name: 'breachline' })) as { data: { secret_id: string } }).data.secret_id;
    const file = join(dir, 'secret-id');
    writeFileSync(file, `${secretId}\n`, { mode: 0o600 });
    const secrets: SecretsPort = createVaultSecrets({
      address: vault.address,
      ca: pki.ca.cert,
      auth: { method: 'approle', roleId, secretId: fileSecret(file, 'AppRole secret_id') },
      session: { now: () => clock.now() },
    });
    const logins = (): number => count('auth/approle/login');
    const renewals = (): number => count('auth/token/renew-self');
    const before = { logins: logins(), renewals: renewals() };
    const step = async (advanceS: number): Promise<{ logins: number; renewals: number }> => {
      clock.advance(advanceS * 1000);
      await secrets.writeSecret('app/orders', { at: clock.now() });
      return { logins: logins() - before.logins, renewals: renewals() - before.renewals };
    };
    expect(await step(0)).toEqual({ logins: 1, renewals: 0 });
    expect(await step(30)).toEqual({ logins: 1, renewals: 0 }); // t=30: before 2/3 of 60 s
    expect(await step(15)).toEqual({ logins: 1, renewals: 1 }); // t=45: renewed to t=105
    expect(await step(45)).toEqual({ logins: 1, renewals: 2 }); // t=90: renewed to t=150 (max TTL)
    expect(await step(41)).toEqual({ logins: 1, renewals: 3 }); // t=131: renewal capped at 19 s
    expect(await step(14)).toEqual({ logins: 2, renewals: 3 }); // t=145: a capped token is replaced by a login
    // Idle past expiry: the token is gone, a fresh login serves the call.
    expect(await step(600)).toEqual({ logins: 3, renewals: 3 });
    // Revoked out of band (an operator revoking every AppRole login): one 403, one login, the call succeeds.
    await root.write('sys/leases/revoke-prefix/auth/approle/login', {});
    expect(await step(0)).toEqual({ logins: 4, renewals: 3 });
  });

  it('AppRole: a wrong secret_id is a clear, non-retriable error that does not echo the secret', async () => {
    const file = join(dir, 'wrong-secret-id');
    writeFileSync(file, 'not-the-secret-id-123');
    const secrets = createVaultSecrets({ address: vault.address, ca: pki.ca.cert, auth: { method: 'approle', roleId, secretId: fileSecret(file, 'AppRole secret_id') } });
    const err = await secrets.readSecret('app/orders').then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ kind: 'invalid-request', operation: 'login', path: 'auth/approle/login', status: 400 });
    expect((err as Error).message).not.toContain('not-the-secret-id');
    const missing = createVaultSecrets({ address: vault.address, ca: pki.ca.cert, auth: { method: 'approle', roleId, secretId: fileSecret(join(dir, 'absent'), 'AppRole secret_id') } });
    await expect(missing.readSecret('app/orders')).rejects.toThrow(/cannot read the AppRole secret_id file: ENOENT/);
  });

  it('Kubernetes: logs in with the service-account JWT and renews; a foreign JWT is refused', async () => {
    const file = join(dir, 'sa-token');
    writeFileSync(file, SA_JWT);
    const secrets = createVaultSecrets({
      address: vault.address,
      ca: pki.ca.cert,
      auth: { method: 'kubernetes', role: 'breachline', jwt: fileSecret(file, 'service-account token') },
      session: { now: () => clock.now() },
    });
    const logins = (): number => count('auth/kubernetes/login');
    const before = logins();
    await secrets.writeSecret('app/k8s', { ok: true });
    expect(logins() - before).toBe(1);
    const renewalsBefore = count('auth/token/renew-self');
    clock.advance(45_000);
    expect((await secrets.readSecret('app/k8s')).data).toEqual({ ok: true });
    expect(count('auth/token/renew-self') - renewalsBefore).toBe(1);
    expect(logins() - before).toBe(1);

    writeFileSync(join(dir, 'other-sa'), 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5In0.');
    const foreign = createVaultSecrets({ address: vault.address, ca: pki.ca.cert, auth: { method: 'kubernetes', role: 'breachline', jwt: fileSecret(join(dir, 'other-sa'), 'service-account token') } });
    await expect(foreign.readSecret('app/k8s')).rejects.toMatchObject({ kind: 'permission-denied', operation: 'login', path: 'auth/kubernetes/login' });
  });
});
