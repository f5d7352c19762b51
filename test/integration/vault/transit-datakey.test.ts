import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type RunningVaultSandbox } from '../../../src/sandbox/vault/index';
import { createVaultSecrets } from '../../../src/vault/index';
import { client, failure } from './helpers';

/*
 * Transit `datakey` (issue 13: one data key per evidence chunk) with node-vault over HTTP, in the
 * shape Vault documents (and hvac's `generate_data_key` reads): `plaintext` only for the
 * `plaintext` type, `ciphertext` always, unwrapped by `decrypt` on the same key.
 */

let vault: RunningVaultSandbox;
let root: ReturnType<typeof client>;

beforeAll(async () => {
  vault = await start();
  root = client(vault.address, vault.rootToken);
});

afterAll(async () => {
  await vault?.close();
});

describe('transit datakey', () => {
  it('returns a fresh 256-bit key and its wrapped form, which decrypt unwraps; wrapped returns no plaintext', async () => {
    await root.write('transit/keys/chunks', { type: 'aes256-gcm96' });
    const a = (await root.write('transit/datakey/plaintext/chunks', {})) as { data: { plaintext: string; ciphertext: string; key_version: number } };
    const b = (await root.write('transit/datakey/plaintext/chunks', { bits: 256 })) as { data: { plaintext: string; ciphertext: string } };
    expect(Buffer.from(a.data.plaintext, 'base64')).toHaveLength(32);
    expect(a.data.ciphertext).toMatch(/^vault:v1:/);
    expect(a.data.key_version).toBe(1);
    expect(a.data.plaintext).not.toBe(b.data.plaintext);
    const unwrapped = (await root.write('transit/decrypt/chunks', { ciphertext: a.data.ciphertext })) as { data: { plaintext: string } };
    expect(unwrapped.data.plaintext).toBe(a.data.plaintext);
    const wrapped = (await root.write('transit/datakey/wrapped/chunks', { bits: 512 })) as { data: Record<string, unknown> };
    expect(wrapped.data.plaintext).toBeUndefined();
    expect(wrapped.data.ciphertext).toMatch(/^vault:v1:/);
  });

  it('refuses a missing key, an unknown type, odd bits and a signing key, with 400s as Vault does', async () => {
    expect((await failure(root.write('transit/datakey/plaintext/nobody', {}))).response.statusCode).toBe(400);
    await root.write('transit/keys/chunks2', {});
    expect((await failure(root.write('transit/datakey/other/chunks2', {}))).response.body.errors).toEqual(['invalid type other']);
    expect((await failure(root.write('transit/datakey/plaintext/chunks2', { bits: 200 }))).response.statusCode).toBe(400);
    await root.write('transit/keys/signer', { type: 'ed25519' });
    expect((await failure(root.write('transit/datakey/plaintext/signer', {}))).response.statusCode).toBe(400);
  });

  it('through the secrets port: ensureEncryptionKey is idempotent and generateDataKey round-trips', async () => {
    const secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
    await secrets.ensureEncryptionKey('port-chunks');
    await secrets.ensureEncryptionKey('port-chunks');
    const key = await secrets.generateDataKey('port-chunks');
    expect(key.plaintext).toHaveLength(32);
    expect((await secrets.decrypt('port-chunks', key.ciphertext)).equals(key.plaintext)).toBe(true);
  });
});
