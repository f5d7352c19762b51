import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type RunningVaultSandbox } from '../../../src/sandbox/vault/index';
import { createVaultSecrets } from '../../../src/vault/index';
import { client, failure } from './helpers';

let vault: RunningVaultSandbox;
let root: ReturnType<typeof client>;

// What the orchestrator's own token would hold: rotate one service's secrets, revoke by accessor.
const ORCHESTRATOR = `
# rotation of the orders service credentials
path "secret/data/orders/*" {
  capabilities = ["create", "read", "update"]
}
path "secret/metadata/orders/*" { capabilities = ["read", "list"] }
path "secret/data/orders/frozen" {
  capabilities = ["deny"]
}
path "auth/token/revoke-accessor" { capabilities = ["update"] }
path "auth/approle/role/+/secret-id-accessor/destroy" { capabilities = ["update"] }
/* transit for tokenising PII */
path "transit/encrypt/pii" { capabilities = ["update"] }
`;

async function tokenWith(policies: string[]): Promise<string> {
  return (await root.write('auth/token/create', { policies })).auth.client_token as string;
}

beforeAll(async () => {
  vault = await start();
  root = client(vault.address, vault.rootToken);
  await root.write('sys/policies/acl/orchestrator', { policy: ORCHESTRATOR });
  await root.write('secret/data/orders/db', { data: { password: 'p' } });
  await root.write('secret/data/orders/frozen', { data: { password: 'f' } });
  await root.write('secret/data/billing/db', { data: { password: 'b' } });
  await root.transitCreateKey({ name: 'pii' });
});
afterAll(async () => {
  await vault.close();
});

describe('ACL policies', () => {
  it('CRUD on sys/policies/acl, including LIST and the legacy sys/policy', async () => {
    expect((await root.list('sys/policies/acl')).data.keys).toEqual(['default', 'orchestrator', 'root']);
    expect((await root.read('sys/policies/acl?list=true')).data.keys).toContain('orchestrator');
    expect((await root.read('sys/policies/acl/orchestrator')).data).toEqual({ name: 'orchestrator', policy: ORCHESTRATOR });
    await root.addPolicy({ name: 'temp', rules: 'path "x/*" { policy = "read" }' });
    expect((await root.getPolicy({ name: 'temp' })).data.rules).toContain('x/*');
    await root.delete('sys/policies/acl/temp');
    expect((await failure(root.read('sys/policies/acl/temp'))).response.statusCode).toBe(404);
    expect((await failure(root.delete('sys/policies/acl/default'))).response.statusCode).toBe(400);
    expect((await failure(root.write('sys/policies/acl/root', { policy: 'path "*" {}' }))).response.statusCode).toBe(400);
  });

  it('rejects a policy that does not parse, with a 400', async () => {
    const bad = await failure(root.write('sys/policies/acl/broken', { policy: 'path "x" { capabilities = ["read" }' }));
    expect(bad.response.statusCode).toBe(400);
    expect(bad.response.body.errors?.[0]).toMatch(/^failed to parse policy/);
    const badCap = await failure(root.write('sys/policies/acl/broken', { policy: 'path "x" { capabilities = ["fly"] }' }));
    expect(badCap.response.statusCode).toBe(400);
  });

  it('a least-privilege token reads and writes only what its policy allows', async () => {
    const orch = client(vault.address, await tokenWith(['orchestrator']));
    expect((await orch.read('secret/data/orders/db')).data.data).toEqual({ password: 'p' });
    await orch.write('secret/data/orders/db', { data: { password: 'p2' } });
    for (const attempt of [orch.read('secret/data/billing/db'), orch.read('secret/data/orders/frozen'), orch.delete('secret/data/orders/db'), orch.list('secret/metadata/')]) {
      const denied = await failure(attempt);
      expect(denied.response.statusCode).toBe(403);
      expect(denied.response.body.errors).toEqual(['1 error occurred:\n\t* permission denied\n\n']);
    }
    // sudo-protected even though update would be granted by a wildcard
    expect((await failure(orch.tokenAccessors())).response.statusCode).toBe(403);
    expect((await failure(orch.write('sys/seal', {}))).response.statusCode).toBe(403);
  });

  it('create vs update: update alone cannot create a new secret', async () => {
    await root.write('sys/policies/acl/updater', { policy: 'path "secret/data/orders/*" { capabilities = ["update", "read"] }' });
    const updater = client(vault.address, await tokenWith(['updater']));
    await updater.write('secret/data/orders/db', { data: { password: 'p3' } });
    expect((await failure(updater.write('secret/data/orders/brand-new', { data: { a: 1 } }))).response.statusCode).toBe(403);
  });

  it('capabilities-self reports what the token may do, with + segments and deny', async () => {
    const token = await tokenWith(['orchestrator']);
    const res = await client(vault.address, token).write('sys/capabilities-self', {
      paths: ['secret/data/orders/db', 'secret/data/orders/frozen', 'auth/approle/role/orders/secret-id-accessor/destroy', 'sys/mounts'],
    });
    expect(res.data['secret/data/orders/db']).toEqual(['create', 'read', 'update']);
    expect(res.data['secret/data/orders/frozen']).toEqual(['deny']);
    expect(res.data['auth/approle/role/orders/secret-id-accessor/destroy']).toEqual(['update']);
    expect(res.data['sys/mounts']).toEqual(['deny']);
    expect((await root.write('sys/capabilities-self', { path: 'anything' })).data.capabilities).toEqual(['root']);
  });

  it('no token and a bogus token are refused with 403', async () => {
    expect((await failure(client(vault.address).read('secret/data/orders/db'))).response.statusCode).toBe(403);
    const bogus = await failure(client(vault.address, 'hvs.bogusbogusbogusbogusbogu').read('secret/data/orders/db'));
    expect(bogus.response.statusCode).toBe(403);
    expect(bogus.response.body.errors).toContain('permission denied');
  });
});

describe('policy denials through the secrets adapter', () => {
  it('is permission-denied, not retriable, with the path', async () => {
    const secrets = createVaultSecrets({ address: vault.address, token: await tokenWith(['orchestrator']) });
    await expect(secrets.readSecret('billing/db')).rejects.toMatchObject({ kind: 'permission-denied', retriable: false, status: 403, path: 'secret/data/billing/db' });
    await expect(secrets.listTokenAccessors()).rejects.toMatchObject({ kind: 'permission-denied' });
    await expect(secrets.hmac('pii', Buffer.from('x'))).rejects.toMatchObject({ kind: 'permission-denied' });
    expect(await secrets.encrypt('pii', Buffer.from('x'))).toMatch(/^vault:v1:/);
    // revoke-accessor is allowed by the policy
    const victim = await root.write('auth/token/create', { policies: ['default'] });
    await secrets.revokeTokenByAccessor(victim.auth.accessor as string);
    expect((await failure(root.tokenLookupAccessor({ accessor: victim.auth.accessor }))).response.statusCode).toBe(400);
  });
});
