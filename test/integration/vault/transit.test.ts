import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type RunningVaultSandbox } from '../../../src/sandbox/vault/index';
import { createVaultSecrets, type SecretsPort } from '../../../src/vault/index';
import { b64, client, failure } from './helpers';

let vault: RunningVaultSandbox;
let root: ReturnType<typeof client>;
let secrets: SecretsPort;

beforeAll(async () => {
  vault = await start();
  root = client(vault.address, vault.rootToken);
  secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
});
afterAll(async () => {
  await vault.close();
});

describe('transit through node-vault', () => {
  it('creates, reads and lists keys', async () => {
    await root.transitCreateKey({ name: 'pii' });
    const key = await root.transitReadKey({ name: 'pii' });
    expect(key.data).toMatchObject({ name: 'pii', type: 'aes256-gcm96', latest_version: 1, deletion_allowed: false, min_decryption_version: 1 });
    expect((await root.transitListKeys()).data.keys).toContain('pii');
  });

  it('encrypts to vault:v1: and decrypts; tampering is detected', async () => {
    const enc = await root.encryptData({ name: 'pii', plaintext: b64('alice@example.com') });
    expect(enc.data.ciphertext).toMatch(/^vault:v1:[A-Za-z0-9+/]+=*$/);
    expect(enc.data.key_version).toBe(1);
    const again = await root.encryptData({ name: 'pii', plaintext: b64('alice@example.com') });
    expect(again.data.ciphertext).not.toBe(enc.data.ciphertext);
    const dec = await root.decryptData({ name: 'pii', ciphertext: enc.data.ciphertext });
    expect(Buffer.from(dec.data.plaintext, 'base64').toString()).toBe('alice@example.com');
    const raw = Buffer.from(String(enc.data.ciphertext).slice('vault:v1:'.length), 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    const tampered = await failure(root.decryptData({ name: 'pii', ciphertext: `vault:v1:${raw.toString('base64')}` }));
    expect(tampered.response.statusCode).toBe(400);
  });

  it('rotates, keeps old ciphertexts readable, rewraps to the new version, honours min_decryption_version', async () => {
    const v1 = (await root.encryptData({ name: 'pii', plaintext: b64('bob') })).data.ciphertext as string;
    await root.write('transit/keys/pii/rotate', {});
    expect((await root.transitReadKey({ name: 'pii' })).data.latest_version).toBe(2);
    const v2 = (await root.encryptData({ name: 'pii', plaintext: b64('bob') })).data.ciphertext as string;
    expect(v2.startsWith('vault:v2:')).toBe(true);
    const rewrapped = await root.write('transit/rewrap/pii', { ciphertext: v1 });
    expect(rewrapped.data.ciphertext).toMatch(/^vault:v2:/);
    await root.write('transit/keys/pii/config', { min_decryption_version: 2 });
    expect((await failure(root.decryptData({ name: 'pii', ciphertext: v1 }))).response.statusCode).toBe(400);
    expect(Buffer.from((await root.decryptData({ name: 'pii', ciphertext: rewrapped.data.ciphertext })).data.plaintext, 'base64').toString()).toBe('bob');
    const pinned = await root.write('transit/encrypt/pii', { plaintext: b64('x'), key_version: 1 });
    expect(pinned.data.ciphertext).toMatch(/^vault:v1:/);
  });

  it('batch encrypt and decrypt keep order', async () => {
    const items = ['a', 'b', 'c'].map((p) => ({ plaintext: b64(p) }));
    const enc = await root.write('transit/encrypt/batchkey', { batch_input: items });
    expect(enc.data.batch_results).toHaveLength(3);
    const dec = await root.write('transit/decrypt/batchkey', { batch_input: enc.data.batch_results.map((r: { ciphertext: string }) => ({ ciphertext: r.ciphertext })) });
    expect(dec.data.batch_results.map((r: { plaintext: string }) => Buffer.from(r.plaintext, 'base64').toString())).toEqual(['a', 'b', 'c']);
  });

  it('hmac with key version and verify', async () => {
    await root.transitCreateKey({ name: 'tok' });
    const h1 = (await root.write('transit/hmac/tok', { input: b64('subject-42') })).data.hmac as string;
    expect(h1).toMatch(/^vault:v1:/);
    expect((await root.write('transit/hmac/tok', { input: b64('subject-42') })).data.hmac).toBe(h1);
    expect((await root.write('transit/verify/tok', { input: b64('subject-42'), hmac: h1 })).data.valid).toBe(true);
    expect((await root.write('transit/verify/tok', { input: b64('subject-43'), hmac: h1 })).data.valid).toBe(false);
    await root.write('transit/keys/tok/rotate', {});
    const h2 = (await root.write('transit/hmac/tok/sha2-256', { input: b64('subject-42') })).data.hmac as string;
    expect(h2).toMatch(/^vault:v2:/);
    expect(h2).not.toBe(h1.replace('v1', 'v2'));
    const pinned = (await root.write('transit/hmac/tok', { input: b64('subject-42'), key_version: 1 })).data.hmac;
    expect(pinned).toBe(h1);
  });

  it('deletes a key only after deletion_allowed', async () => {
    await root.transitCreateKey({ name: 'doomed' });
    const refused = await failure(root.transitDeleteKey({ name: 'doomed' }));
    expect(refused.response.body.errors).toEqual(['deletion is not allowed for this key']);
    await root.write('transit/keys/doomed/config', { deletion_allowed: true });
    await root.transitDeleteKey({ name: 'doomed' });
    expect((await failure(root.transitReadKey({ name: 'doomed' }))).response.statusCode).toBe(404);
  });

  it('bad base64 is a 400, not a crash', async () => {
    const bad = await failure(root.encryptData({ name: 'pii', plaintext: 'not base64!!' }));
    expect(bad.response.statusCode).toBe(400);
  });
});

describe('transit through the secrets adapter', () => {
  it('encrypt/decrypt single and batch, hmac and verify', async () => {
    const ct = await secrets.encrypt('adapter', Buffer.from('card 4111'));
    expect((await secrets.decrypt('adapter', ct)).toString()).toBe('card 4111');
    const batch = await secrets.encryptBatch('adapter', [Buffer.from('x'), Buffer.from('y')]);
    expect((await secrets.decryptBatch('adapter', batch)).map((b) => b.toString())).toEqual(['x', 'y']);
    const mac = await secrets.hmac('adapter', Buffer.from('user-7'));
    expect(await secrets.verifyHmac('adapter', Buffer.from('user-7'), mac)).toBe(true);
    expect(await secrets.verifyHmac('adapter', Buffer.from('user-8'), mac)).toBe(false);
    await expect(secrets.decrypt('adapter', 'vault:v9:AAAA')).rejects.toMatchObject({ kind: 'invalid-request', retriable: false });
  });
});
