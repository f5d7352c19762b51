import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, start, type RunningVaultSandbox } from '../../../src/sandbox/vault/index';
import { createVaultSecrets } from '../../../src/vault/index';
import { client, failure } from './helpers';

// Everything here is driven by the injected clock: no test waits for real time to pass.
const clock = new ManualClock();
let vault: RunningVaultSandbox;
let root: ReturnType<typeof client>;

beforeAll(async () => {
  vault = await start({ clock });
  root = client(vault.address, vault.rootToken);
});
afterAll(async () => {
  await vault.close();
});

describe('time-driven behaviour on the injected clock', () => {
  it('KV delete_version_after soft-deletes versions when their time comes', async () => {
    await root.write('secret/metadata/short-lived', { delete_version_after: '1h' });
    await root.write('secret/data/short-lived', { data: { v: 1 } });
    clock.advance(59 * 60_000);
    expect((await root.read('secret/data/short-lived')).data.data).toEqual({ v: 1 });
    clock.advance(60_000);
    const gone = await failure(root.read('secret/data/short-lived'));
    expect(gone.response.statusCode).toBe(404);
    await root.write('secret/undelete/short-lived', { versions: [1] });
    expect((await root.read('secret/data/short-lived')).data.data).toEqual({ v: 1 });
  });

  it('AppRole secret ids expire after secret_id_ttl', async () => {
    await root.write('auth/approle/role/batch', { token_policies: 'default', secret_id_ttl: '10m' });
    const roleId = (await root.read('auth/approle/role/batch/role-id')).data.role_id as string;
    const sid = (await root.write('auth/approle/role/batch/secret-id', {})).data;
    clock.advance(9 * 60_000);
    const lookup = await root.write('auth/approle/role/batch/secret-id-accessor/lookup', { secret_id_accessor: sid.secret_id_accessor });
    expect(lookup.data.secret_id_ttl).toBe(60);
    clock.advance(60_000);
    expect((await failure(client(vault.address).approleLogin({ role_id: roleId, secret_id: sid.secret_id }))).response.statusCode).toBe(400);
    const secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
    expect(await secrets.listSecretIdAccessors('batch')).toEqual([]);
  });

  it('AppRole login tokens get token_ttl and die with it; children of an expired parent die too', async () => {
    await root.write('auth/approle/role/short', { token_policies: 'default', token_ttl: '5m', token_max_ttl: '10m' });
    const roleId = (await root.read('auth/approle/role/short/role-id')).data.role_id as string;
    const sid = (await root.write('auth/approle/role/short/secret-id', {})).data.secret_id as string;
    const login = await client(vault.address).approleLogin({ role_id: roleId, secret_id: sid });
    expect(login.auth.lease_duration).toBe(300);
    await root.write('sys/policies/acl/minter', { policy: 'path "auth/token/create" { capabilities = ["update"] }' });
    const parent = (await root.write('auth/token/create', { policies: ['minter'], ttl: '5m' })).auth.client_token as string;
    const child = (await client(vault.address, parent).write('auth/token/create', { ttl: '1h' })).auth.client_token as string;
    clock.advance(5 * 60_000);
    for (const t of [login.auth.client_token as string, parent, child]) {
      expect((await failure(client(vault.address, t).tokenLookupSelf())).response.statusCode).toBe(403);
    }
  });
});
