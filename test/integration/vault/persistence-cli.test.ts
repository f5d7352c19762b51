import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxes } from '../../../src/sandbox/up';
import { start } from '../../../src/sandbox/vault/index';
import { b64, client, failure } from './helpers';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vault-persist-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('data directory', () => {
  it('keeps secrets, policies, tokens, transit keys and the root token across a restart', async () => {
    const dataDir = join(dir, 'restart');
    const first = await start({ dataDir });
    const v1 = client(first.address, first.rootToken);
    await v1.write('secret/data/kept', { data: { password: 'survives' } });
    await v1.write('secret/data/kept', { data: { password: 'survives-v2' } });
    await v1.write('sys/policies/acl/kept', { policy: 'path "secret/data/kept" { capabilities = ["read"] }' });
    const token = (await v1.write('auth/token/create', { policies: ['kept'] })).auth.client_token as string;
    const ct = (await v1.write('transit/encrypt/kept', { plaintext: b64('pii') })).data.ciphertext as string;
    const rootToken = first.rootToken;
    await first.close();

    const second = await start({ dataDir });
    try {
      expect(second.rootToken).toBe(rootToken);
      const v2 = client(second.address, second.rootToken);
      expect((await v2.read('secret/data/kept')).data.data).toEqual({ password: 'survives-v2' });
      expect((await v2.read('secret/data/kept?version=1')).data.data).toEqual({ password: 'survives' });
      expect((await client(second.address, token).read('secret/data/kept')).data.data).toEqual({ password: 'survives-v2' });
      expect(Buffer.from((await v2.write('transit/decrypt/kept', { ciphertext: ct })).data.plaintext, 'base64').toString()).toBe('pii');
    } finally {
      await second.close();
    }
  });

  it('startSealed comes back sealed like a real restart, and the stored shares unseal it', async () => {
    const dataDir = join(dir, 'sealed');
    const first = await start({ dataDir, unsealShares: 3, unsealThreshold: 2 });
    await client(first.address, first.rootToken).write('secret/data/s', { data: { a: 1 } });
    const keys = first.unsealKeys;
    await first.close();
    const second = await start({ dataDir, startSealed: true });
    try {
      const v = client(second.address, second.rootToken);
      expect((await failure(v.read('secret/data/s'))).response.statusCode).toBe(503);
      expect(second.unsealKeys).toEqual(keys);
      await v.unseal({ key: keys[2] as string });
      await v.unseal({ key: keys[0] as string });
      expect((await v.read('secret/data/s')).data.data).toEqual({ a: 1 });
    } finally {
      await second.close();
    }
  });
});

describe('CLI-level start', () => {
  it('startSandboxes({ only: [vault] }) gives a connection node-vault can use', async () => {
    const set = await startSandboxes({ only: ['vault'], dataDir: join(dir, 'cli') });
    try {
      const vault = set.get('vault');
      expect(vault?.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const conn = vault?.connection as { address: string; rootToken: string };
      const v = client(conn.address, conn.rootToken);
      await v.write('secret/data/cli', { data: { ok: 'yes' } });
      expect((await v.read('secret/data/cli')).data.data).toEqual({ ok: 'yes' });
      expect(await v.health()).toMatchObject({ sealed: false });
    } finally {
      await set.close();
    }
  });

  it('`breachline sandbox up --only vault --json` prints the connection and serves until SIGTERM', async () => {
    const bin = resolve(__dirname, '../../../bin/breachline');
    const child = spawn(process.execPath, [bin, 'sandbox', 'up', '--only', 'vault', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolveLine, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const nl = out.indexOf('\n');
          if (nl >= 0) resolveLine(out.slice(0, nl));
        });
        child.on('exit', (code) => reject(new Error(`CLI exited early with ${String(code)}`)));
        setTimeout(() => reject(new Error('CLI printed nothing within 30 s')), 30_000);
      });
      const printed = JSON.parse(line) as { vault: { address: string; rootToken: string; unsealKeys: string[] } };
      expect(printed.vault.rootToken).toMatch(/^hvs\./);
      expect(printed.vault.unsealKeys).toHaveLength(1);
      const v = client(printed.vault.address, printed.vault.rootToken);
      expect((await v.tokenLookupSelf()).data.policies).toEqual(['root']);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
