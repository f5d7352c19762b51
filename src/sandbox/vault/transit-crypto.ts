import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { badRequest } from './errors';
import type { TransitKey, TransitKeyVersion } from './state';

/*
 * Transit's cryptography: AES-256-GCM with a 96-bit random nonce, ciphertext laid out as
 * `vault:v<version>:` + base64(nonce ‖ ciphertext ‖ tag) exactly like Vault's aes256-gcm96 keys,
 * and HMACs with a separate per-version key, laid out as `vault:v<version>:` + base64(mac).
 */

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = /^vault:v(\d+):(.*)$/s;

/** HMAC algorithms Vault names in `hmac/<name>/<algorithm>`, mapped to Node's names. */
export const HMAC_ALGORITHMS: Readonly<Record<string, string>> = {
  'sha2-224': 'sha224',
  'sha2-256': 'sha256',
  'sha2-384': 'sha384',
  'sha2-512': 'sha512',
};

/** Decodes strict standard base64 or answers 400 naming the field. */
export function decodeBase64(value: unknown, field: string): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 === 1) {
    throw badRequest(`failed to base64-decode ${field}`);
  }
  return Buffer.from(value, 'base64');
}

/** A new key version with fresh random key material. */
export function newKeyVersion(now: number): TransitKeyVersion {
  return { encryptionKey: randomBytes(32).toString('base64'), hmacKey: randomBytes(32).toString('base64'), createdAt: now };
}

function versionOf(key: TransitKey, n: number): TransitKeyVersion {
  const v = key.versions[String(n)];
  if (!v) throw badRequest('invalid key version');
  return v;
}

/** Picks the version to encrypt or sign with: the latest unless `requested` names an allowed one. */
export function encryptionVersion(key: TransitKey, requested: number | undefined): number {
  if (requested === undefined || requested === 0) return key.latestVersion;
  if (requested < key.minEncryptionVersion) throw badRequest('requested version for encryption is less than the minimum encryption key version');
  if (requested > key.latestVersion) throw badRequest('requested version for encryption is higher than the latest key version');
  return requested;
}

/** Encrypts `plaintext` with the given version. */
export function encrypt(key: TransitKey, version: number, plaintext: Buffer): string {
  const material = Buffer.from(versionOf(key, version).encryptionKey, 'base64');
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', material, nonce);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return `vault:v${version}:${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64')}`;
}

/** Splits a `vault:vN:` string into its version and payload, or answers 400. */
export function parseVersioned(value: unknown, what: string): { version: number; payload: Buffer } {
  if (typeof value !== 'string') throw badRequest(`invalid ${what}: no prefix`);
  const m = PREFIX.exec(value);
  if (!m || m[1] === undefined || m[2] === undefined) throw badRequest(`invalid ${what}: no prefix`);
  return { version: Number(m[1]), payload: decodeBase64(m[2], what) };
}

/** Decrypts a `vault:vN:` ciphertext; returns the plaintext and the version it was made with. */
export function decrypt(key: TransitKey, ciphertext: unknown): { plaintext: Buffer; version: number } {
  const { version, payload } = parseVersioned(ciphertext, 'ciphertext');
  if (version < key.minDecryptionVersion) throw badRequest('ciphertext or signature version is disallowed by policy (too old)');
  if (version > key.latestVersion || !key.versions[String(version)]) throw badRequest('invalid ciphertext: unknown key version');
  if (payload.length < NONCE_BYTES + TAG_BYTES) throw badRequest('invalid ciphertext: too short');
  const material = Buffer.from(versionOf(key, version).encryptionKey, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', material, payload.subarray(0, NONCE_BYTES));
  decipher.setAuthTag(payload.subarray(payload.length - TAG_BYTES));
  try {
    const plaintext = Buffer.concat([decipher.update(payload.subarray(NONCE_BYTES, payload.length - TAG_BYTES)), decipher.final()]);
    return { plaintext, version };
  } catch {
    throw badRequest('cipher: message authentication failed');
  }
}

/** HMAC of `input` with the version's HMAC key. */
export function hmac(key: TransitKey, version: number, algorithm: string, input: Buffer): string {
  const mac = createHmac(algorithm, Buffer.from(versionOf(key, version).hmacKey, 'base64')).update(input).digest();
  return `vault:v${version}:${mac.toString('base64')}`;
}

/** Constant-time check of a `vault:vN:` HMAC against `input`. */
export function verifyHmac(key: TransitKey, algorithm: string, input: Buffer, given: unknown): boolean {
  const { version } = parseVersioned(given, 'hmac');
  if (version < key.minDecryptionVersion) throw badRequest('ciphertext or signature version is disallowed by policy (too old)');
  if (!key.versions[String(version)]) throw badRequest('invalid hmac: unknown key version');
  const expected = Buffer.from(hmac(key, version, algorithm, input));
  const actual = Buffer.from(String(given));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
