import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type RunningVaultSandbox } from '../../../src/sandbox/vault/index';
import { createVaultSecrets } from '../../../src/vault/index';
import { traceToken } from '../../../src/vault/audit-trace';
import { client, failure } from './helpers';

/*
 * Fidelity of the Vault sandbox for the leaked-token playbook, checked against Vault's documents:
 * revoke-accessor takes the children with the token and revoke-orphan does not; `sys/audit` lists
 * and enables file devices; `sys/audit-hash/<device>` gives the HMAC the device's log shows; and
 * the log has Vault's file-device shape, so the same tracer reads it and a real Vault's log.
 */

let vault: RunningVaultSandbox;
let dir: string;
let root: ReturnType<typeof client>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vault-audit-'));
  vault = await start({});
  root = client(vault.address, vault.rootToken);
  await root.addPolicy({ name: 'minter', rules: 'path "auth/token/create*" { capabilities = ["create", "update", "sudo"] }\npath "secret/data/*" { capabilities = ["read"] }' });
});
afterAll(async () => {
  await vault.close();
  rmSync(dir, { recursive: true, force: true });
});

const mint = async (token: string, body: Record<string, unknown>, path = 'auth/token/create'): Promise<{ client_token: string; accessor: string }> =>
  (await client(vault.address, token).write(path, body)).auth as { client_token: string; accessor: string };
const alive = async (accessor: string): Promise<boolean> =>
  root.write('auth/token/lookup-accessor', { accessor }).then(() => true, () => false);

describe('token revocation', () => {
  it('revoke-accessor revokes the token and its children; an orphan it created survives', async () => {
    const parent = await mint(vault.rootToken, { policies: ['minter'] });
    const child = await mint(parent.client_token, { policies: ['minter'] });
    const grandchild = await mint(child.client_token, { policies: ['minter'] });
    const orphan = await mint(parent.client_token, { policies: ['minter'] }, 'auth/token/create-orphan');
    await root.write('auth/token/revoke-accessor', { accessor: parent.accessor });
    expect(await alive(parent.accessor)).toBe(false);
    expect(await alive(child.accessor)).toBe(false);
    expect(await alive(grandchild.accessor)).toBe(false);
    expect(await alive(orphan.accessor)).toBe(true);
  });

  it('revoke-orphan revokes the token only: its children become orphans and live on', async () => {
    const parent = await mint(vault.rootToken, { policies: ['minter'] });
    const child = await mint(parent.client_token, { policies: ['minter'] });
    await root.write('auth/token/revoke-orphan', { token: parent.client_token });
    expect(await alive(parent.accessor)).toBe(false);
    expect(await alive(child.accessor)).toBe(true);
    expect((await root.write('auth/token/lookup-accessor', { accessor: child.accessor })).data.orphan).toBe(true);
  });
});

describe('sys/audit and sys/audit-hash', () => {
  it('enables a file device (sudo), lists it, and its hash is what its log shows for the accessor', async () => {
    const file = join(dir, 'audit.log');
    const weak = await mint(vault.rootToken, { policies: ['minter'] });
    expect((await failure(client(vault.address, weak.client_token).enableAudit({ name: 'file', type: 'file', options: { file_path: file } }))).response.statusCode).toBe(403);
    await root.enableAudit({ name: 'file', type: 'file', description: 'leaked-token drills', options: { file_path: file } });
    const listed = (await root.audits()) as Record<string, unknown> & { data: Record<string, { type: string; options: Record<string, string> }> };
    expect(listed.data['file/']).toMatchObject({ type: 'file', options: { file_path: file } });
    expect(listed['file/']).toEqual(listed.data['file/']);

    const token = await mint(vault.rootToken, { policies: ['minter'], display_name: 'ci-deployer' });
    await root.write('secret/data/payments/db', { data: { password: 'pw-in-clear' } });
    await client(vault.address, token.client_token).read('secret/data/payments/db');
    const secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
    const hash = await secrets.auditHash('file', token.accessor);
    expect(hash).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    // Each device has its own salt, as in Vault: the built-in log's HMAC differs.
    expect(hash).not.toBe(vault.audit.hash(token.accessor));

    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(token.accessor);
    expect(text).not.toContain(token.client_token);
    expect(text).not.toContain('pw-in-clear');
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const read = lines.find((l) => l.type === 'response' && (l.request as { path: string }).path === 'secret/data/payments/db' && (l.auth as { accessor?: string } | undefined)?.accessor === hash);
    expect(read).toMatchObject({
      type: 'response',
      auth: { accessor: hash, display_name: 'token-ci-deployer', token_policies: ['default', 'minter'], token_type: 'service' },
      request: { operation: 'read', mount_point: 'secret/', mount_type: 'kv', mount_class: 'secret', client_token_accessor: hash, namespace: { id: 'root' } },
      response: { mount_type: 'kv', data: { data: { password: expect.stringMatching(/^hmac-sha256:/) }, metadata: { version: 1 } } },
    });
    expect(read).not.toHaveProperty('error');
    expect(traceToken(lines, hash).reads.map((r) => r.path)).toEqual(['payments/db']);

    await expect(secrets.auditHash('nope', 'x')).rejects.toMatchObject({ kind: 'invalid-request' });
    expect((await failure(root.write('sys/audit-hash/file', {}))).response.statusCode).toBe(400);
    await root.disableAudit({ name: 'file' });
    expect(((await root.audits()) as { data: Record<string, unknown> }).data).toEqual({});
  });

  it('a child token is traced through the create response, and hmac_accessor=false logs accessors in clear', async () => {
    const file = join(dir, 'clear.log');
    await root.enableAudit({ name: 'clear', type: 'file', options: { file_path: file, hmac_accessor: 'false' } });
    const parent = await mint(vault.rootToken, { policies: ['minter'] });
    const child = await mint(parent.client_token, { policies: ['minter'] });
    await client(vault.address, child.client_token).read('secret/data/payments/db');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.join('\n')).toContain(child.accessor);
    expect(lines.join('\n')).not.toContain(child.client_token);
    const trace = traceToken(lines, parent.accessor);
    expect(trace.tokens).toEqual([parent.accessor, child.accessor]);
    expect(trace.reads).toMatchObject([{ path: 'payments/db', accessorHash: child.accessor }]);
    await root.disableAudit({ name: 'clear' });
  });

  it('refuses devices it does not serve and a file device without a path', async () => {
    expect((await failure(root.enableAudit({ name: 'sock', type: 'socket', options: { address: '127.0.0.1:9' } }))).response.statusCode).toBe(400);
    expect((await failure(root.enableAudit({ name: 'nopath', type: 'file', options: {} }))).response.body.errors).toEqual(['file_path is required']);
  });
});
