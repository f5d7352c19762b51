import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type RunningVaultSandbox } from '../../../src/sandbox/vault/index';
import { createVaultSecrets, VaultError, type SecretsPort } from '../../../src/vault/index';
import { client, failure } from './helpers';

let vault: RunningVaultSandbox;
let v: ReturnType<typeof client>;
let secrets: SecretsPort;

beforeAll(async () => {
  vault = await start();
  v = client(vault.address, vault.rootToken);
  secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
});
afterAll(async () => {
  await vault.close();
});

describe('KV v2 through node-vault', () => {
  it('keeps versions and reads a specific one with ?version=', async () => {
    const w1 = await v.write('secret/data/kafka/orders-svc', { data: { password: 'one' } });
    const w2 = await v.write('secret/data/kafka/orders-svc', { data: { password: 'two' } });
    expect(w1.data.version).toBe(1);
    expect(w2.data.version).toBe(2);
    expect((await v.read('secret/data/kafka/orders-svc')).data.data).toEqual({ password: 'two' });
    const old = await v.read('secret/data/kafka/orders-svc?version=1');
    expect(old.data).toMatchObject({ data: { password: 'one' }, metadata: { version: 1, destroyed: false, deletion_time: '' } });
  });

  it('check-and-set: cas=0 only creates, a stale cas is refused with Vault message', async () => {
    await v.write('secret/data/cas/a', { data: { k: 'v1' }, options: { cas: 0 } });
    const again = await failure(v.write('secret/data/cas/a', { data: { k: 'x' }, options: { cas: 0 } }));
    expect(again.response.statusCode).toBe(400);
    expect(again.response.body.errors).toEqual(['check-and-set parameter did not match the current version']);
    const ok = await v.write('secret/data/cas/a', { data: { k: 'v2' }, options: { cas: 1 } });
    expect(ok.data.version).toBe(2);
    const stale = await failure(v.write('secret/data/cas/a', { data: { k: 'v3' }, options: { cas: 1 } }));
    expect(stale.response.statusCode).toBe(400);
  });

  it('cas_required on a secret refuses writes without cas', async () => {
    await v.write('secret/metadata/cas/required', { cas_required: true, max_versions: 3 });
    const denied = await failure(v.write('secret/data/cas/required', { data: { k: 'v' } }));
    expect(denied.response.body.errors).toEqual(['check-and-set parameter required for this call']);
    await v.write('secret/data/cas/required', { data: { k: 'v' }, options: { cas: 0 } });
  });

  it('metadata: read, list children, delete everything', async () => {
    await v.write('secret/data/team/app/db', { data: { u: 'x' } });
    await v.write('secret/data/team/app/api', { data: { u: 'y' } });
    await v.write('secret/data/team/app/nested/deeper', { data: { u: 'z' } });
    const listed = await v.list('secret/metadata/team/app');
    expect(listed.data.keys).toEqual(['api', 'db', 'nested/']);
    const meta = await v.read('secret/metadata/team/app/db');
    expect(meta.data).toMatchObject({ current_version: 1, oldest_version: 1, max_versions: 0, cas_required: false });
    expect(Object.keys(meta.data.versions)).toEqual(['1']);
    await v.delete('secret/metadata/team/app/db');
    expect((await failure(v.read('secret/data/team/app/db'))).response.statusCode).toBe(404);
    expect((await failure(v.list('secret/metadata/nothing/here'))).response.statusCode).toBe(404);
  });

  it('soft delete, undelete and destroy versions', async () => {
    await v.write('secret/data/life', { data: { n: 1 } });
    await v.write('secret/data/life', { data: { n: 2 } });
    await v.delete('secret/data/life');
    const gone = await failure(v.read('secret/data/life'));
    expect(gone.response.statusCode).toBe(404);
    expect(gone.response.body).toMatchObject({ data: { data: null, metadata: { version: 2, destroyed: false } } });
    expect((await v.read('secret/data/life?version=1')).data.data).toEqual({ n: 1 });

    await v.write('secret/undelete/life', { versions: [2] });
    expect((await v.read('secret/data/life')).data.data).toEqual({ n: 2 });

    await v.destroySecretVersions({ path: 'life', versions: [1] });
    const destroyed = await failure(v.read('secret/data/life?version=1'));
    expect(destroyed.response.body).toMatchObject({ data: { metadata: { destroyed: true } } });
    await v.write('secret/undelete/life', { versions: [1] });
    expect((await failure(v.read('secret/data/life?version=1'))).response.statusCode).toBe(404);

    await v.write('secret/delete/life', { versions: [2] });
    const meta = await v.read('secret/metadata/life');
    expect(meta.data.versions['2'].deletion_time).not.toBe('');
    expect(meta.data.versions['1'].destroyed).toBe(true);
  });

  it('mount config max_versions trims old versions', async () => {
    await v.write('secret/config', { max_versions: 2 });
    for (let i = 1; i <= 4; i += 1) await v.write('secret/data/trim', { data: { i } });
    const meta = await v.read('secret/metadata/trim');
    expect(meta.data.oldest_version).toBe(3);
    expect(Object.keys(meta.data.versions).sort()).toEqual(['3', '4']);
    expect((await failure(v.read('secret/data/trim?version=1'))).response.statusCode).toBe(404);
    expect((await v.read('secret/config')).data).toMatchObject({ max_versions: 2, cas_required: false });
    await v.write('secret/config', { max_versions: 0 });
  });

  it('mounts a second KV v2 engine and removes it', async () => {
    await v.mount({ mount_point: 'creds', type: 'kv', options: { version: '2' } });
    const mounts = await v.mounts();
    expect(mounts.data['creds/']).toMatchObject({ type: 'kv', options: { version: '2' } });
    await v.write('creds/data/x', { data: { a: 'b' } });
    const inUse = await failure(v.mount({ mount_point: 'creds', type: 'kv', options: { version: '2' } }));
    expect(inUse.response.statusCode).toBe(400);
    await v.unmount({ mount_point: 'creds' });
    expect((await failure(v.read('creds/data/x'))).response.statusCode).toBe(404);
  });
});

describe('KV v2 through the secrets adapter', () => {
  it('writes with check-and-set and reads versions and metadata', async () => {
    const first = await secrets.writeSecret('rotate/payments', { password: 'p1' }, { cas: 0 });
    const second = await secrets.writeSecret('rotate/payments', { password: 'p2' }, { cas: first.version });
    expect(second.version).toBe(2);
    expect((await secrets.readSecret('rotate/payments')).data).toEqual({ password: 'p2' });
    expect((await secrets.readSecret('rotate/payments', { version: 1 })).data).toEqual({ password: 'p1' });
    const meta = await secrets.readSecretMetadata('rotate/payments');
    expect(meta.currentVersion).toBe(2);
    expect(meta.versions[1]?.destroyed).toBe(false);
  });

  it('a stale cas is a cas-mismatch that is not retriable and does not echo the secret', async () => {
    await secrets.writeSecret('rotate/stale', { password: 'first' }, { cas: 0 });
    const err = await secrets.writeSecret('rotate/stale', { password: 'top-secret-value' }, { cas: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultError);
    expect(err).toMatchObject({ kind: 'cas-mismatch', retriable: false, status: 400, path: 'secret/data/rotate/stale' });
    expect(String((err as Error).message)).not.toContain('top-secret-value');
    expect(JSON.stringify(err)).not.toContain('top-secret-value');
  });

  it('a missing secret is not-found', async () => {
    await expect(secrets.readSecret('nope/never')).rejects.toMatchObject({ kind: 'not-found', retriable: false, status: 404 });
    await expect(secrets.readSecretMetadata('nope/never')).rejects.toMatchObject({ kind: 'not-found' });
  });
});
