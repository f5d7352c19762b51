import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, start, type RunningVaultSandbox } from '../../../src/sandbox/vault/index';
import { createVaultSecrets, type SecretsPort } from '../../../src/vault/index';
import { client, failure } from './helpers';

let vault: RunningVaultSandbox;
let root: ReturnType<typeof client>;
let secrets: SecretsPort;
const clock = new ManualClock();

beforeAll(async () => {
  vault = await start({ clock });
  root = client(vault.address, vault.rootToken);
  // Non-root tokens need an ACL grant to create children, exactly as in Vault.
  await root.addPolicy({ name: 'minter', rules: 'path "auth/token/create" { capabilities = ["create", "update"] }' });
  secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
});
afterAll(async () => {
  await vault.close();
});

/** Creates a token without letting node-vault's tokenCreate switch the client's own token. */
async function createToken(parentToken: string, body: Record<string, unknown>): Promise<{ client_token: string; accessor: string; lease_duration: number; policies: string[] }> {
  const res = await client(vault.address, parentToken).write('auth/token/create', body);
  return res.auth;
}

describe('token auth method', () => {
  it('creates tokens with policies, ttl, display name and meta, shaped like Vault (hvs.)', async () => {
    const t = await createToken(vault.rootToken, { policies: ['reader'], ttl: '1h', display_name: 'Orders Svc', meta: { team: 'payments' } });
    expect(t.client_token).toMatch(/^hvs\.[A-Za-z0-9]{24}$/);
    expect(t.accessor).toHaveLength(24);
    expect(t.policies).toEqual(['default', 'reader']);
    expect(t.lease_duration).toBe(3600);
    const looked = await root.tokenLookup({ token: t.client_token });
    expect(looked.data).toMatchObject({ id: t.client_token, display_name: 'token-orders-svc', meta: { team: 'payments' }, ttl: 3600, renewable: true, orphan: false, path: 'auth/token/create' });
    const byAccessor = await root.tokenLookupAccessor({ accessor: t.accessor });
    expect(byAccessor.data).toMatchObject({ id: '', accessor: t.accessor, policies: ['default', 'reader'] });
    const self = await client(vault.address, t.client_token).tokenLookupSelf();
    expect(self.data.accessor).toBe(t.accessor);
  });

  it('tokenCreate helper switches the node-vault client to the new token (the quirk the adapter avoids)', async () => {
    const c = client(vault.address, vault.rootToken);
    const res = await c.tokenCreate({ policies: ['reader'] });
    expect(c.token).toBe(res.auth.client_token);
  });

  it('lists accessors (sudo) and revokes by accessor, idempotently', async () => {
    const t = await createToken(vault.rootToken, { policies: ['reader'] });
    expect((await root.tokenAccessors()).data.keys).toContain(t.accessor);
    await root.tokenRevokeAccessor({ accessor: t.accessor });
    await root.tokenRevokeAccessor({ accessor: t.accessor });
    expect((await root.tokenAccessors()).data.keys).not.toContain(t.accessor);
    const dead = await failure(client(vault.address, t.client_token).tokenLookupSelf());
    expect(dead.response.statusCode).toBe(403);
    expect((await failure(root.tokenLookupAccessor({ accessor: t.accessor }))).response.body.errors).toEqual(['invalid accessor']);
  });

  it('revoking a parent revokes its children but not orphans', async () => {
    const parent = await createToken(vault.rootToken, { policies: ['minter'] });
    const child = await createToken(parent.client_token, { policies: ['minter'] });
    const grandchild = await createToken(child.client_token, {});
    const orphan = await createToken(vault.rootToken, { policies: ['reader'], no_parent: true });
    expect((await root.tokenLookup({ token: orphan.client_token })).data.orphan).toBe(true);
    await root.tokenRevoke({ token: parent.client_token });
    for (const t of [parent, child, grandchild]) {
      expect((await failure(root.tokenLookup({ token: t.client_token }))).response.statusCode).toBe(403);
    }
    expect((await root.tokenLookup({ token: orphan.client_token })).data.accessor).toBe(orphan.accessor);
  });

  it('a non-root parent cannot grant policies it does not hold, nor create orphans', async () => {
    const parent = await createToken(vault.rootToken, { policies: ['minter'] });
    const escalate = await failure(client(vault.address, parent.client_token).write('auth/token/create', { policies: ['admin'] }));
    expect(escalate.response.statusCode).toBe(400);
    const orphan = await failure(client(vault.address, parent.client_token).write('auth/token/create', { no_parent: true }));
    expect(orphan.response.statusCode).toBe(400);
  });

  it('renews against the injected clock and expires when the TTL runs out', async () => {
    const t = await createToken(vault.rootToken, { policies: ['reader'], ttl: '10m', explicit_max_ttl: '30m' });
    clock.advance(9 * 60_000);
    // Not root.tokenRenew(): node-vault marks it as a token source and would switch `root` to `t`.
    const renewed = await root.write('auth/token/renew', { token: t.client_token, increment: '20m' });
    expect(renewed.auth.lease_duration).toBe(20 * 60);
    const self = client(vault.address, t.client_token);
    const selfRenew = await self.write('auth/token/renew-self', { increment: 3600 });
    // capped by explicit_max_ttl: 30m from creation, 9m already gone
    expect(selfRenew.auth.lease_duration).toBe(21 * 60);
    clock.advance(21 * 60_000);
    expect((await failure(self.tokenLookupSelf())).response.statusCode).toBe(403);
    expect((await root.tokenAccessors()).data.keys).not.toContain(t.accessor);
  });

  it('num_uses: the token works that many times, then is gone', async () => {
    const t = await createToken(vault.rootToken, { policies: ['reader'], num_uses: 2 });
    const self = client(vault.address, t.client_token);
    expect((await self.tokenLookupSelf()).data.num_uses).toBe(1);
    await self.tokenLookupSelf();
    expect((await failure(self.tokenLookupSelf())).response.statusCode).toBe(403);
  });

  it('revoke-self and non-renewable tokens', async () => {
    const t = await createToken(vault.rootToken, { policies: ['reader'], renewable: false });
    const self = client(vault.address, t.client_token);
    expect((await failure(self.write('auth/token/renew-self', {}))).response.statusCode).toBe(400);
    await self.tokenRevokeSelf();
    expect((await failure(self.tokenLookupSelf())).response.statusCode).toBe(403);
  });
});

describe('sys/leases on token leases', () => {
  it('looks up, renews and revokes a lease', async () => {
    const t = await createToken(vault.rootToken, { policies: ['reader'], ttl: '1h' });
    // A token's lease id is its creation path plus a hash of the token, never the token itself.
    const key = `h${createHash('sha256').update(t.client_token).digest('hex')}`;
    const keys = await root.list('sys/leases/lookup/auth/token/create');
    expect(keys.data.keys).toContain(key);
    const id = `auth/token/create/${key}`;
    const info = await root.write('sys/leases/lookup', { lease_id: id });
    expect(info.data).toMatchObject({ id, ttl: 3600, renewable: true });
    const renewed = await root.renew({ lease_id: id, increment: 7200 });
    expect(renewed).toMatchObject({ lease_id: id, renewable: true, lease_duration: 7200 });
    expect((await root.tokenLookup({ token: t.client_token })).data.ttl).toBe(7200);
    await root.revoke({ lease_id: id });
    expect((await failure(root.write('sys/leases/lookup', { lease_id: id }))).response.body.errors).toEqual(['invalid lease']);
    expect((await failure(root.tokenLookup({ token: t.client_token }))).response.statusCode).toBe(403);
  });

  it('revoke-prefix revokes every token issued under the prefix', async () => {
    const a = await createToken(vault.rootToken, { policies: ['reader'] });
    const b = await createToken(vault.rootToken, { policies: ['reader'] });
    await root.write('sys/leases/revoke-prefix/auth/token/create', {});
    for (const t of [a, b]) expect((await failure(root.tokenLookup({ token: t.client_token }))).response.statusCode).toBe(403);
    // the root token has no lease and survives
    expect((await root.tokenLookupSelf()).data.policies).toEqual(['root']);
  });
});

describe('tokens through the secrets adapter', () => {
  it('creates a least-privilege token, looks it up and revokes it by accessor', async () => {
    const created = await secrets.createToken({ policies: ['rotate-orders'], ttl: '15m', displayName: 'drill', meta: { incident: 'inc-1' } });
    expect(created.policies).toEqual(['default', 'rotate-orders']);
    expect(created.ttlSeconds).toBe(900);
    expect(await secrets.listTokenAccessors()).toContain(created.accessor);
    const info = await secrets.lookupTokenByAccessor(created.accessor);
    expect(info).toMatchObject({ accessor: created.accessor, displayName: 'token-drill', meta: { incident: 'inc-1' }, ttlSeconds: 900, orphan: false });
    await secrets.revokeTokenByAccessor(created.accessor);
    await secrets.revokeTokenByAccessor(created.accessor);
    await expect(secrets.lookupTokenByAccessor(created.accessor)).rejects.toMatchObject({ kind: 'not-found', retriable: false });
  });
});
