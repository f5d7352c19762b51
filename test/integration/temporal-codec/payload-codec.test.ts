import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type RunningVaultSandbox } from '../../../src/sandbox/vault/index';
import { CODEC_METADATA, ENCRYPTED_ENCODING, PayloadDecryptionError, PayloadEncryptionError, VaultPayloadCodec } from '../../../src/temporal/payload-codec';
import { createVaultSecrets, type SecretsPort } from '../../../src/vault/index';
import { client, failure } from '../vault/helpers';

/*
 * The payload codec against the Vault sandbox through node-vault: what Temporal would store holds
 * nothing in clear, payloads from several rotated data keys open in another process, plaintext
 * payloads (0.2.0 histories) pass through, and tampering or a Vault that gives no key is an error
 * that says what to do.
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

const ALERT = { title: 'report-exporter reads orders at 40x its baseline', principal: 'User:report-exporter', client: 'Anna Schmidt', iban: 'DE89370400440532013000' };
const toPayload = (v: unknown): Payload => defaultPayloadConverter.toPayload(v);
const meta = (p: Payload, key: string): string => Buffer.from(p.metadata?.[key] ?? new Uint8Array()).toString('utf8');
const clear = (p: Payload): string => Buffer.from(p.data ?? new Uint8Array()).toString('latin1') + Object.values(p.metadata ?? {}).map((v) => Buffer.from(v ?? new Uint8Array()).toString('latin1')).join('');

describe('transit datakey in the Vault sandbox', () => {
  it('answers plaintext and wrapped data keys, and refuses a missing key or bad bits', async () => {
    const root = client(vault.address, vault.rootToken);
    await root.write('transit/keys/dk', { type: 'aes256-gcm96' });
    const plain = (await root.write('transit/datakey/plaintext/dk', {})) as { data: { plaintext: string; ciphertext: string; key_version: number } };
    expect(Buffer.from(plain.data.plaintext, 'base64')).toHaveLength(32);
    expect(plain.data.ciphertext).toMatch(/^vault:v1:/);
    expect(plain.data.key_version).toBe(1);
    // The wrapped key opens to the plaintext one with transit decrypt.
    expect((await secrets.decrypt('dk', plain.data.ciphertext)).toString('base64')).toBe(plain.data.plaintext);
    const wrapped = (await root.write('transit/datakey/wrapped/dk', { bits: 512 })) as { data: Record<string, unknown> };
    expect(wrapped.data.plaintext).toBeUndefined();
    expect((await secrets.decrypt('dk', String(wrapped.data.ciphertext))).length).toBe(64);
    expect((await failure(root.write('transit/datakey/plaintext/absent', {}))).response.statusCode).toBe(400);
    expect((await failure(root.write('transit/datakey/plaintext/dk', { bits: 100 }))).response.statusCode).toBe(400);
    expect((await failure(root.write('transit/datakey/other/dk', {}))).response.statusCode).toBe(400);
  });
});

describe('VaultPayloadCodec', () => {
  it('encrypts every payload: nothing of the value is left in clear, and the metadata names the key', async () => {
    const codec = new VaultPayloadCodec({ secrets, transitKey: 'codec-a' });
    const [enc] = await codec.encode([toPayload(ALERT)]);
    expect(meta(enc!, 'encoding')).toBe(ENCRYPTED_ENCODING);
    expect(meta(enc!, CODEC_METADATA.cipher)).toBe('AES-256-GCM');
    expect(meta(enc!, CODEC_METADATA.transitKey)).toBe('codec-a');
    expect(meta(enc!, CODEC_METADATA.wrappedKey)).toMatch(/^vault:v1:/);
    expect(meta(enc!, CODEC_METADATA.keyId)).toMatch(/^[A-Za-z0-9_-]{16}$/);
    for (const v of Object.values(ALERT)) {
      expect(clear(enc!)).not.toContain(v);
      expect(clear(enc!)).not.toContain(Buffer.from(v).toString('base64').slice(0, 12));
    }
    const [dec] = await codec.decode([enc!]);
    expect(defaultPayloadConverter.fromPayload(dec!)).toEqual(ALERT);
  });

  it('rotates the data key every N payloads; another process opens payloads of every key through Vault', async () => {
    const writer = new VaultPayloadCodec({ secrets, transitKey: 'codec-rot', rotateAfterPayloads: 3 });
    const encoded: Payload[] = [];
    for (let i = 0; i < 10; i++) encoded.push(...(await writer.encode([toPayload({ n: i, client: ALERT.client })])));
    const keyIds = new Set(encoded.map((p) => meta(p, CODEC_METADATA.keyId)));
    expect(keyIds.size).toBe(4);
    expect(writer.dataKeysIssued).toBe(4);
    // A reader with no state of its own (another worker, the codec endpoint): it unwraps each key once.
    const reader = new VaultPayloadCodec({ secrets, transitKey: 'codec-rot' });
    const decoded = await reader.decode(encoded);
    expect(decoded.map((p) => (defaultPayloadConverter.fromPayload(p) as { n: number }).n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(reader.dataKeysIssued).toBe(0);
  });

  it('rotates the data key after T as well', async () => {
    let now = 1_000_000;
    const codec = new VaultPayloadCodec({ secrets, transitKey: 'codec-time', rotateAfterMs: 60_000, now: () => now });
    const [a] = await codec.encode([toPayload(1)]);
    now += 59_999;
    const [b] = await codec.encode([toPayload(2)]);
    now += 1;
    const [c] = await codec.encode([toPayload(3)]);
    expect(meta(a!, CODEC_METADATA.keyId)).toBe(meta(b!, CODEC_METADATA.keyId));
    expect(meta(c!, CODEC_METADATA.keyId)).not.toBe(meta(b!, CODEC_METADATA.keyId));
  });

  it('shares one Vault round trip among concurrent encodes', async () => {
    const codec = new VaultPayloadCodec({ secrets, transitKey: 'codec-conc' });
    const out = await Promise.all(Array.from({ length: 20 }, (_, i) => codec.encode([toPayload(i)])));
    expect(new Set(out.map(([p]) => meta(p!, CODEC_METADATA.keyId))).size).toBe(1);
    expect(codec.dataKeysIssued).toBe(1);
  });

  it('passes payloads that are not encrypted through unchanged (histories written before encryption)', async () => {
    const codec = new VaultPayloadCodec({ secrets, transitKey: 'codec-a' });
    const plain = [toPayload({ incidentId: 'x' }), toPayload(undefined), toPayload(new Uint8Array([1, 2, 3]))];
    expect(await codec.decode(plain)).toEqual(plain);
  });

  it('refuses a tampered payload, a relabelled one and one naming another transit key', async () => {
    const codec = new VaultPayloadCodec({ secrets, transitKey: 'codec-a' });
    const [enc] = await codec.encode([toPayload(ALERT)]);
    const flipped = Buffer.from(enc!.data!);
    flipped[20] = (flipped[20] ?? 0) ^ 1;
    await expect(codec.decode([{ ...enc!, data: flipped }])).rejects.toBeInstanceOf(PayloadDecryptionError);
    // Another data key's wrapping under the same transit key: authentication fails, not garbage.
    const [other] = await new VaultPayloadCodec({ secrets, transitKey: 'codec-a' }).encode([toPayload(1)]);
    const relabelled = { ...enc!, metadata: { ...enc!.metadata, [CODEC_METADATA.wrappedKey]: other!.metadata![CODEC_METADATA.wrappedKey]! } };
    await expect(codec.decode([relabelled])).rejects.toThrow(/failed authentication/);
    const foreign = { ...enc!, metadata: { ...enc!.metadata, [CODEC_METADATA.transitKey]: Buffer.from('audit-signing') } };
    await expect(codec.decode([foreign])).rejects.toThrow(/names transit key "audit-signing"/);
    await expect(codec.decode([{ ...enc!, data: Buffer.alloc(5) }])).rejects.toThrow(/too short/);
  });

  it('fails encoding with a clear error when Vault gives no data key, and never returns the payload in clear', async () => {
    const limited = await secrets.createToken({ policies: ['default'], noDefaultPolicy: false });
    const denied = new VaultPayloadCodec({ secrets: createVaultSecrets({ address: vault.address, token: limited.token }), transitKey: 'codec-denied' });
    const err = await denied.encode([toPayload(ALERT)]).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadEncryptionError);
    expect((err as Error).message).toContain('transit key "codec-denied"');
    expect((err as Error).message).toContain('permission-denied');
    expect((err as Error).message).toContain('BREACHLINE_TEMPORAL_CODEC=false');
    expect((err as Error).message).not.toContain(limited.token);

    const unreachable = new VaultPayloadCodec({ secrets: createVaultSecrets({ address: 'http://127.0.0.1:1', token: 'x', requestTimeoutMs: 1_000 }), transitKey: 'codec-down' });
    await expect(unreachable.encode([toPayload(1)])).rejects.toThrow(/cannot encrypt Temporal payloads.*unavailable/);
  });

  it('works with a least-privilege token: datakey and decrypt on the key, nothing else', async () => {
    await new VaultPayloadCodec({ secrets, transitKey: 'codec-lp' }).encode([toPayload(0)]);
    const policy = 'path "transit/datakey/plaintext/codec-lp" { capabilities = ["update"] }\npath "transit/decrypt/codec-lp" { capabilities = ["update"] }\n';
    await client(vault.address, vault.rootToken).write('sys/policies/acl/temporal-codec', { policy });
    const narrow = await secrets.createToken({ policies: ['temporal-codec'] });
    const codec = new VaultPayloadCodec({ secrets: createVaultSecrets({ address: vault.address, token: narrow.token }), transitKey: 'codec-lp' });
    const [enc] = await codec.encode([toPayload(ALERT)]);
    expect(defaultPayloadConverter.fromPayload((await new VaultPayloadCodec({ secrets, transitKey: 'codec-lp' }).decode([enc!]))[0]!)).toEqual(ALERT);
  });

  it('cannot decode without transit decrypt on the key', async () => {
    const [enc] = await new VaultPayloadCodec({ secrets, transitKey: 'codec-a' }).encode([toPayload(ALERT)]);
    const limited = await secrets.createToken({ policies: ['default'] });
    const outsider = new VaultPayloadCodec({ secrets: createVaultSecrets({ address: vault.address, token: limited.token }), transitKey: 'codec-a' });
    await expect(outsider.decode([enc!])).rejects.toThrow(/cannot unwrap data key .*permission-denied/);
  });
});
