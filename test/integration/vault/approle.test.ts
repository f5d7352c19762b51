import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type RunningVaultSandbox } from '../../../src/sandbox/vault/index';
import { createVaultSecrets, type SecretsPort } from '../../../src/vault/index';
import { client, failure } from './helpers';

let vault: RunningVaultSandbox;
let root: ReturnType<typeof client>;
let secrets: SecretsPort;

beforeAll(async () => {
  vault = await start();
  root = client(vault.address, vault.rootToken);
  secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
  await root.addPolicy({ name: 'orders-read', rules: 'path "secret/data/orders/*" { capabilities = ["read"] }' });
  await root.write('secret/data/orders/db', { data: { password: 'db-pass' } });
});
afterAll(async () => {
  await vault.close();
});

async function newSecretId(role: string): Promise<{ secret_id: string; secret_id_accessor: string }> {
  return (await root.getApproleRoleSecret({ role_name: role, metadata: JSON.stringify({ host: 'orders-1' }) })).data;
}

describe('AppRole through node-vault', () => {
  it('role CRUD and role-id', async () => {
    // node-vault's helper forwards only the fields in its schema: `policies` (not token_policies) and integer TTLs.
    await root.addApproleRole({ role_name: 'orders', policies: 'orders-read', token_ttl: 1200, secret_id_ttl: 86400 });
    const role = await root.getApproleRole({ role_name: 'orders' });
    expect(role.data).toMatchObject({ token_policies: ['orders-read'], token_ttl: 1200, secret_id_ttl: 86400, bind_secret_id: true });
    expect((await root.approleRoles()).data.keys).toEqual(['orders']);
    const roleId = (await root.getApproleRoleId({ role_name: 'orders' })).data.role_id as string;
    expect(roleId).toMatch(/^[0-9a-f-]{36}$/);
    await root.addApproleRole({ role_name: 'temp' });
    await root.deleteApproleRole({ role_name: 'temp' });
    expect((await failure(root.getApproleRole({ role_name: 'temp' }))).response.statusCode).toBe(404);
  });

  it('login returns a token with the role policies that can read what the policy allows', async () => {
    const roleId = (await root.getApproleRoleId({ role_name: 'orders' })).data.role_id as string;
    const sid = await newSecretId('orders');
    const app = client(vault.address);
    const login = await app.approleLogin({ role_id: roleId, secret_id: sid.secret_id });
    expect(login.auth).toMatchObject({ policies: ['default', 'orders-read'], metadata: { role_name: 'orders' }, lease_duration: 1200, renewable: true });
    expect(app.token).toBe(login.auth.client_token);
    expect((await app.read('secret/data/orders/db')).data.data).toEqual({ password: 'db-pass' });
    expect((await failure(app.write('secret/data/orders/db', { data: { password: 'x' } }))).response.statusCode).toBe(403);
    const wrong = await failure(client(vault.address).approleLogin({ role_id: roleId, secret_id: 'not-a-secret-id' }));
    expect(wrong.response.statusCode).toBe(400);
  });

  it('secret-id lookup, accessor list, destroy by accessor; login with it then fails', async () => {
    const roleId = (await root.getApproleRoleId({ role_name: 'orders' })).data.role_id as string;
    const sid = await newSecretId('orders');
    const listed = await root.approleSecretAccessors({ role_name: 'orders' });
    expect(listed.data.keys).toContain(sid.secret_id_accessor);
    const looked = await root.approleSecretLookup({ role_name: 'orders', secret_id: sid.secret_id });
    expect(looked.data).toMatchObject({ secret_id_accessor: sid.secret_id_accessor, metadata: { host: 'orders-1' } });
    const byAccessor = await root.approleSecretAccessorLookup({ role_name: 'orders', secret_id_accessor: sid.secret_id_accessor });
    expect(byAccessor.data.metadata).toEqual({ host: 'orders-1' });

    await root.approleSecretAccessorDestroy({ role_name: 'orders', secret_id_accessor: sid.secret_id_accessor });
    const refused = await failure(client(vault.address).approleLogin({ role_id: roleId, secret_id: sid.secret_id }));
    expect(refused.response.statusCode).toBe(400);
    expect(refused.response.body.errors).toEqual(['invalid role or secret ID']);
    const again = await failure(root.approleSecretAccessorDestroy({ role_name: 'orders', secret_id_accessor: sid.secret_id_accessor }));
    expect(again.response.statusCode).toBe(500);
    expect((await failure(root.approleSecretAccessorLookup({ role_name: 'orders', secret_id_accessor: sid.secret_id_accessor }))).response.statusCode).toBe(404);
  });

  it('secret-id destroy by value and num_uses', async () => {
    const roleId = (await root.getApproleRoleId({ role_name: 'orders' })).data.role_id as string;
    const once = (await root.write('auth/approle/role/orders/secret-id', { num_uses: 1 })).data.secret_id as string;
    await client(vault.address).approleLogin({ role_id: roleId, secret_id: once });
    expect((await failure(client(vault.address).approleLogin({ role_id: roleId, secret_id: once }))).response.statusCode).toBe(400);
    const sid = await newSecretId('orders');
    await root.approleSecretDestroy({ role_name: 'orders', secret_id: sid.secret_id });
    expect((await failure(client(vault.address).approleLogin({ role_id: roleId, secret_id: sid.secret_id }))).response.statusCode).toBe(400);
  });

  it('revoke-prefix on auth/approle/login revokes every AppRole login token', async () => {
    const roleId = (await root.getApproleRoleId({ role_name: 'orders' })).data.role_id as string;
    const app = client(vault.address);
    await app.approleLogin({ role_id: roleId, secret_id: (await newSecretId('orders')).secret_id });
    await root.write('sys/leases/revoke-prefix/auth/approle/login', {});
    expect((await failure(app.read('secret/data/orders/db'))).response.statusCode).toBe(403);
  });
});

describe('AppRole through the secrets adapter', () => {
  it('lists secret-id accessors and destroys one; a second destroy is not-found', async () => {
    const roleId = (await root.getApproleRoleId({ role_name: 'orders' })).data.role_id as string;
    const sid = await newSecretId('orders');
    expect(await secrets.listSecretIdAccessors('orders')).toContain(sid.secret_id_accessor);
    await secrets.destroySecretIdByAccessor('orders', sid.secret_id_accessor);
    expect(await secrets.listSecretIdAccessors('orders')).not.toContain(sid.secret_id_accessor);
    expect((await failure(client(vault.address).approleLogin({ role_id: roleId, secret_id: sid.secret_id }))).response.statusCode).toBe(400);
    await expect(secrets.destroySecretIdByAccessor('orders', sid.secret_id_accessor)).rejects.toMatchObject({ kind: 'not-found', retriable: false, status: 500 });
  });

  it('an empty accessor list is an empty array, a strange role name is refused before any call', async () => {
    await root.addApproleRole({ role_name: 'empty' });
    expect(await secrets.listSecretIdAccessors('empty')).toEqual([]);
    await expect(secrets.listSecretIdAccessors('../sys')).rejects.toMatchObject({ kind: 'invalid-request' });
  });
});

describe('mounting auth methods and engines', () => {
  it('enables a second AppRole mount, logs in through it, and disabling it revokes its tokens', async () => {
    await root.enableAuth({ mount_point: 'approle-b', type: 'approle' });
    expect((await root.auths()).data['approle-b/']).toMatchObject({ type: 'approle' });
    await root.addApproleRole({ mount_point: 'approle-b', role_name: 'ci', policies: 'orders-read' });
    const roleId = (await root.getApproleRoleId({ mount_point: 'approle-b', role_name: 'ci' })).data.role_id as string;
    const sid = (await root.getApproleRoleSecret({ mount_point: 'approle-b', role_name: 'ci' })).data.secret_id as string;
    const app = client(vault.address);
    const login = await app.approleLogin({ mount_point: 'approle-b', role_id: roleId, secret_id: sid });
    expect(login.auth.policies).toEqual(['default', 'orders-read']);
    expect((await root.tokenLookup({ token: login.auth.client_token })).data.path).toBe('auth/approle-b/login');
    await root.disableAuth({ mount_point: 'approle-b' });
    expect((await failure(app.read('secret/data/orders/db'))).response.statusCode).toBe(403);
    expect((await failure(root.getApproleRoleId({ mount_point: 'approle-b', role_name: 'ci' }))).response.statusCode).toBe(404);
  });

  it('the adapter works on non-default KV and transit mounts', async () => {
    await root.mount({ mount_point: 'ops-kv', type: 'kv-v2' });
    await root.mount({ mount_point: 'ops-transit', type: 'transit' });
    const ops = createVaultSecrets({ address: vault.address, token: vault.rootToken, kvMount: 'ops-kv', transitMount: 'ops-transit' });
    await ops.writeSecret('svc/a', { k: 'v' }, { cas: 0 });
    expect((await root.read('ops-kv/data/svc/a')).data.data).toEqual({ k: 'v' });
    const ct = await ops.encrypt('k1', Buffer.from('hello'));
    expect((await root.list('ops-transit/keys')).data.keys).toEqual(['k1']);
    expect((await ops.decrypt('k1', ct)).toString()).toBe('hello');
    await root.unmount({ mount_point: 'ops-transit' });
    await expect(ops.decrypt('k1', ct)).rejects.toMatchObject({ kind: 'not-found', status: 404 });
  });
});

