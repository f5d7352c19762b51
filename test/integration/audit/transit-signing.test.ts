import { createPublicKey, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type RunningVaultSandbox } from '../../../src/sandbox/vault/index';
import { createVaultSecrets, type SecretsPort } from '../../../src/vault/index';
import { client, failure } from '../vault/helpers';

/*
 * Transit ed25519 signing on the Vault sandbox through node-vault and the secrets port: the
 * request and response shapes of Vault's API (`vault:v1:` signatures, public keys in the key read
 * and in `export/public-key`), and signatures that any ed25519 library accepts offline.
 */

let vault: RunningVaultSandbox;
let secrets: SecretsPort;

beforeAll(async () => {
  vault = await start();
  secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
});
afterAll(async () => {
  await vault.close();
});

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

describe('transit ed25519 signing', () => {
  it('creates the key once, signs, verifies in Vault and offline with the exported public key', async () => {
    const first = await secrets.ensureSigningKey('breachline-audit');
    const again = await secrets.ensureSigningKey('breachline-audit');
    expect(first).toEqual(again);
    expect(first).toMatchObject({ name: 'breachline-audit', type: 'ed25519', latestVersion: 1 });
    const pub = first.publicKeys[1] ?? '';
    expect(Buffer.from(pub, 'base64')).toHaveLength(32);

    const input = Buffer.from('head of the chain');
    const signature = await secrets.sign('breachline-audit', input);
    expect(signature).toMatch(/^vault:v1:[A-Za-z0-9+/]+=*$/);
    expect(await secrets.verifySignature('breachline-audit', input, signature)).toBe(true);
    expect(await secrets.verifySignature('breachline-audit', Buffer.from('another head'), signature)).toBe(false);

    const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, Buffer.from(pub, 'base64')]), format: 'der', type: 'spki' });
    expect(verify(null, input, key, Buffer.from(signature.slice('vault:v1:'.length), 'base64'))).toBe(true);
  });

  it('answers the raw HTTP API as Vault does: export/public-key, sign on a non-signing key refused', async () => {
    const root = client(vault.address, vault.rootToken);
    const exported = (await root.read('transit/export/public-key/breachline-audit')) as { data: { name: string; type: string; keys: Record<string, string> } };
    expect(exported.data).toEqual({ name: 'breachline-audit', type: 'ed25519', keys: { '1': (await secrets.publicKeys('breachline-audit')).publicKeys[1] } });
    const read = (await root.read('transit/keys/breachline-audit')) as { data: Record<string, unknown> };
    expect(read.data).toMatchObject({ type: 'ed25519', supports_signing: true, supports_encryption: false });

    await root.write('transit/keys/aes', {});
    const refused = await failure(root.write('transit/sign/aes', { input: 'aGk=' }));
    expect(refused.response.statusCode).toBe(400);
    expect(refused.response.body.errors?.[0]).toContain('does not support signing');
    await expect(secrets.ensureSigningKey('aes')).rejects.toMatchObject({ kind: 'invalid-request' });
    const noPrivate = await failure(root.read('transit/export/signing-key/breachline-audit'));
    expect(noPrivate.response.statusCode).toBe(400);
  });
});
