import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type RunningVaultSandbox } from '../../../src/sandbox/vault/index';
import { createVaultSecrets, type SecretsPort } from '../../../src/vault/index';
import { client, failure } from './helpers';

let vault: RunningVaultSandbox;
let root: ReturnType<typeof client>;
let secrets: SecretsPort;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vault-seal-'));
  vault = await start({ unsealShares: 5, unsealThreshold: 3, dataDir: dir });
  root = client(vault.address, vault.rootToken);
  secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken, requestTimeoutMs: 300 });
});
afterAll(async () => {
  await vault.close();
  await rm(dir, { recursive: true, force: true });
});

describe('seal and unseal (Shamir 3-of-5)', () => {
  it('health and seal-status while unsealed', async () => {
    expect(vault.unsealKeys).toHaveLength(5);
    expect(await root.health()).toMatchObject({ initialized: true, sealed: false, standby: false });
    expect(await root.status()).toMatchObject({ type: 'shamir', sealed: false, t: 3, n: 5, progress: 0 });
  });

  it('sealed: 503 Vault is sealed everywhere but health/seal-status/unseal; unseal with 3 keys', async () => {
    await root.seal();
    const refused = await failure(root.read('secret/data/anything'));
    expect(refused.response.statusCode).toBe(503);
    expect(refused.response.body.errors).toEqual(['Vault is sealed']);
    // node-vault resolves health whatever the status; the status code itself is Vault's
    const health = await fetch(`${vault.address}/v1/sys/health`);
    expect(health.status).toBe(503);
    expect((await fetch(`${vault.address}/v1/sys/health?sealedcode=299`)).status).toBe(299);
    expect(((await health.json()) as { sealed: boolean }).sealed).toBe(true);

    await expect(secrets.readSecret('anything')).rejects.toMatchObject({ kind: 'sealed', retriable: true, status: 503 });

    const [k1, k2, k3] = vault.unsealKeys as [string, string, string];
    expect(await root.unseal({ key: k1 })).toMatchObject({ sealed: true, progress: 1, t: 3 });
    expect(await root.unseal({ key: k1 })).toMatchObject({ sealed: true, progress: 1 });
    expect(await root.unseal({ key: k2 })).toMatchObject({ sealed: true, progress: 2 });
    expect(await root.unseal({ key: k3 })).toMatchObject({ sealed: false, progress: 0 });
    await root.write('secret/data/after-unseal', { data: { ok: true } });
  });

  it('a wrong share fails the attempt and leaves the vault sealed', async () => {
    vault.seal();
    const [k1, k2] = vault.unsealKeys as [string, string];
    const forged = Buffer.from(k2, 'base64');
    forged[0] = (forged[0] ?? 0) ^ 0xff;
    await root.unseal({ key: k1 });
    await root.unseal({ key: k2 });
    const bad = await failure(root.unseal({ key: forged.toString('base64') }));
    expect(bad.response.statusCode).toBe(400);
    expect(vault.isSealed()).toBe(true);
    vault.unseal();
    expect(vault.isSealed()).toBe(false);
  });

  it('sys/seal needs sudo', async () => {
    const token = (await root.write('auth/token/create', { policies: ['default'] })).auth.client_token as string;
    expect((await failure(client(vault.address, token).seal())).response.statusCode).toBe(403);
    expect(vault.isSealed()).toBe(false);
  });
});

describe('audit device', () => {
  it('logs requests and responses with every secret HMAC-ed, in memory and in the data dir', async () => {
    vault.audit.clear();
    await root.write('secret/data/audited', { data: { password: 'hunter2-clear-text' } });
    await root.read('secret/data/audited');
    const created = await root.write('auth/token/create', { policies: ['default'] });
    const entries = vault.audit.entries();
    const text = JSON.stringify(entries);
    expect(text).not.toContain('hunter2-clear-text');
    expect(text).not.toContain(vault.rootToken);
    expect(text).not.toContain(created.auth.client_token);
    const write = entries.find((e) => e.type === 'request' && e.request.path === 'secret/data/audited' && e.request.operation === 'create');
    expect(write?.request.data).toEqual({ data: { password: vault.audit.hash('hunter2-clear-text') } });
    expect(write?.request.client_token).toBe(vault.audit.hash(vault.rootToken));
    const readBack = entries.find((e) => e.type === 'response' && e.request.path === 'secret/data/audited' && e.request.operation === 'read');
    expect(JSON.stringify(readBack?.response)).toContain(vault.audit.hash('hunter2-clear-text'));
    expect(vault.audit.hash('x')).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);

    const file = readFileSync(join(dir, 'audit.log'), 'utf8');
    expect(file).toContain(vault.audit.hash('hunter2-clear-text'));
    expect(file).not.toContain('hunter2-clear-text');
  });

  it('records refusals with their error', async () => {
    vault.audit.clear();
    await failure(client(vault.address).read('secret/data/audited'));
    const [entry] = vault.audit.entries();
    expect(entry).toMatchObject({ type: 'response', error: 'permission denied', request: { path: 'secret/data/audited', mount_type: 'kv' } });
    expect(entry?.response).not.toHaveProperty('status');
  });
});

describe('fault hooks', () => {
  it('fails the next N requests with a status; the adapter calls them unavailable and retriable', async () => {
    vault.faults.failNext(2, 502);
    await expect(secrets.readSecret('after-unseal')).rejects.toMatchObject({ kind: 'unavailable', retriable: true, status: 502 });
    expect((await failure(root.read('secret/data/after-unseal'))).response.statusCode).toBe(502);
    expect((await secrets.readSecret('after-unseal')).data).toEqual({ ok: true });
  });

  it('latency beyond the adapter timeout is unavailable (no response)', async () => {
    vault.faults.setLatency(1000);
    try {
      const err = await secrets.readSecret('after-unseal').catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: 'unavailable', retriable: true });
      expect(err).not.toHaveProperty('status');
    } finally {
      vault.faults.reset();
    }
    expect((await secrets.readSecret('after-unseal')).version).toBe(1);
  });

  it('dropping connections mid-request is unavailable; the next call reconnects', async () => {
    const patient = createVaultSecrets({ address: vault.address, token: vault.rootToken, requestTimeoutMs: 10_000 });
    vault.faults.setLatency(5_000);
    try {
      const pending = patient.readSecret('after-unseal').catch((e: unknown) => e);
      // Drop only once the request is inside the server, held by the latency hook.
      while (vault.faults.delayedRequests() === 0) await new Promise((r) => setTimeout(r, 10));
      vault.faults.dropConnections();
      expect(await pending).toMatchObject({ kind: 'unavailable', retriable: true });
    } finally {
      vault.faults.reset();
    }
    expect((await patient.readSecret('after-unseal')).data).toEqual({ ok: true });
  });

  it('an unreachable address is unavailable and retriable', async () => {
    const nowhere = createVaultSecrets({ address: 'http://127.0.0.1:1', token: 'x', requestTimeoutMs: 500 });
    await expect(nowhere.readSecret('a')).rejects.toMatchObject({ kind: 'unavailable', retriable: true });
  });
});
