import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { badRequest } from './errors';
import type { TransitKey, TransitKeyVersion } from './state';
import { parseVersioned } from './transit-crypto';

/*
 * Transit's ed25519 signing keys. As in Vault: `POST transit/sign/:name` signs the base64 `input`
 * whole (ed25519 hashes internally, so `hash_algorithm` is ignored) and answers
 * `vault:v<version>:` + base64(64-byte signature); `POST transit/verify/:name` takes `input` and
 * `signature`; the public key of each version is the raw 32 bytes, base64, both in the key's read
 * (`keys.<n>.public_key`) and in `GET transit/export/public-key/:name`.
 */

/** Key types that sign rather than encrypt. */
export const SIGNING_KEY_TYPES = new Set(['ed25519']);

// SPKI DER of an ed25519 key is a fixed 12-byte header followed by the raw 32-byte key.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A new ed25519 key version (the AES/HMAC fields stay, unused, so the state shape is one). */
export function newSigningKeyVersion(base: TransitKeyVersion): TransitKeyVersion {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return {
    ...base,
    signingKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    publicKey: spki.subarray(SPKI_PREFIX.length).toString('base64'),
  };
}

function signingVersion(key: TransitKey, n: number): TransitKeyVersion & { signingKey: string; publicKey: string } {
  const v = key.versions[String(n)];
  if (!v) throw badRequest('invalid key version');
  if (v.signingKey === undefined || v.publicKey === undefined) throw badRequest(`key type ${key.type} does not support signing`);
  return v as TransitKeyVersion & { signingKey: string; publicKey: string };
}

/** Signs `input` with the given version: `vault:vN:` + base64(signature). */
export function signInput(key: TransitKey, version: number, input: Buffer): string {
  const v = signingVersion(key, version);
  const privateKey = createPrivateKey({ key: Buffer.from(v.signingKey, 'base64'), format: 'der', type: 'pkcs8' });
  return `vault:v${version}:${sign(null, input, privateKey).toString('base64')}`;
}

/** Checks a `vault:vN:` signature over `input`; a malformed signature is a 400, a wrong one `false`. */
export function verifySignature(key: TransitKey, input: Buffer, signature: unknown): boolean {
  const { version, payload } = parseVersioned(signature, 'signature');
  if (version < key.minDecryptionVersion) throw badRequest('ciphertext or signature version is disallowed by policy (too old)');
  if (!key.versions[String(version)]) throw badRequest('invalid signature: unknown key version');
  const v = signingVersion(key, version);
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, Buffer.from(v.publicKey, 'base64')]), format: 'der', type: 'spki' });
  return payload.length === 64 && verify(null, input, publicKey, payload);
}
