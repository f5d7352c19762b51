import { createHash, createHmac, pbkdf2, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * SCRAM primitives shared by the client that talks to real brokers (`scram-admin`) and the
 * sandbox broker's server side, so the math of RFC 5802 / RFC 7677 exists exactly once.
 */

/** The SCRAM mechanisms Kafka supports, as named in SaslHandshake and KIP-554. */
export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** Both mechanisms, in the order of their KIP-554 wire codes. */
export const SCRAM_MECHANISMS: readonly ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];

interface DigestSpec {
  readonly hash: 'sha256' | 'sha512';
  readonly length: number;
  /** KIP-554 wire code (`mechanism` INT8 in APIs 50/51). */
  readonly code: number;
}

const DIGESTS: Readonly<Record<ScramMechanism, DigestSpec>> = {
  'SCRAM-SHA-256': { hash: 'sha256', length: 32, code: 1 },
  'SCRAM-SHA-512': { hash: 'sha512', length: 64, code: 2 },
};

/** Kafka refuses fewer iterations than this for both mechanisms (and so does kafkajs). */
export const SCRAM_MIN_ITERATIONS = 4096;
/** Kafka's upper bound for AlterUserScramCredentials. */
export const SCRAM_MAX_ITERATIONS = 16384;

/** True when `name` is one of {@link SCRAM_MECHANISMS}. */
export function isScramMechanism(name: string): name is ScramMechanism {
  return name === 'SCRAM-SHA-256' || name === 'SCRAM-SHA-512';
}

/** KIP-554 wire code of a mechanism (1 = SHA-256, 2 = SHA-512). */
export function scramMechanismCode(mechanism: ScramMechanism): number {
  return DIGESTS[mechanism].code;
}

/** Mechanism for a KIP-554 wire code, or `undefined` for 0 (UNKNOWN) and anything else. */
export function scramMechanismFromCode(code: number): ScramMechanism | undefined {
  return SCRAM_MECHANISMS.find((m) => DIGESTS[m].code === code);
}

/** Output length in bytes of the mechanism's hash, which is also the salted-password length. */
export function scramKeyLength(mechanism: ScramMechanism): number {
  return DIGESTS[mechanism].length;
}

/** `Hi(password, salt, i)` of RFC 5802: PBKDF2 with the mechanism's HMAC, dkLen = hash length. */
export function scramHi(mechanism: ScramMechanism, password: string, salt: Buffer, iterations: number): Buffer {
  const d = DIGESTS[mechanism];
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, d.length, d.hash);
}

/** Asynchronous {@link scramHi}, for clients that must not block the event loop. */
export function scramHiAsync(mechanism: ScramMechanism, password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  const d = DIGESTS[mechanism];
  return new Promise((resolve, reject) => {
    pbkdf2(Buffer.from(password, 'utf8'), salt, iterations, d.length, d.hash, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `HMAC(key, data)` with the mechanism's hash. */
export function scramHmac(mechanism: ScramMechanism, key: Buffer, data: Buffer | string): Buffer {
  return createHmac(DIGESTS[mechanism].hash, key).update(data).digest();
}

/** `H(data)` with the mechanism's hash. */
export function scramHash(mechanism: ScramMechanism, data: Buffer): Buffer {
  return createHash(DIGESTS[mechanism].hash).update(data).digest();
}

/** Byte-wise XOR of two equal-length buffers. */
export function xorBuffers(a: Buffer, b: Buffer): Buffer {
  if (a.length !== b.length) throw new RangeError('xor of buffers with different lengths');
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) ^ (b[i] as number);
  return out;
}

/** Equality that takes the same time wherever the first difference is; false on length mismatch. */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What a server stores per user and mechanism: never the password or the salted password. */
export interface ScramServerKeys {
  /** `H(ClientKey)`; verifies a client proof. */
  readonly storedKey: Buffer;
  /** `HMAC(SaltedPassword, "Server Key")`; signs the server-final message. */
  readonly serverKey: Buffer;
}

/** Derives `ClientKey`, `StoredKey` and `ServerKey` from a salted password. */
export function deriveScramKeys(mechanism: ScramMechanism, saltedPassword: Buffer): ScramServerKeys & { clientKey: Buffer } {
  const clientKey = scramHmac(mechanism, saltedPassword, 'Client Key');
  return {
    clientKey,
    storedKey: scramHash(mechanism, clientKey),
    serverKey: scramHmac(mechanism, saltedPassword, 'Server Key'),
  };
}

/** `client-first-message-bare + "," + server-first-message + "," + client-final-message-without-proof`. */
export function scramAuthMessage(clientFirstBare: string, serverFirst: string, clientFinalWithoutProof: string): string {
  return `${clientFirstBare},${serverFirst},${clientFinalWithoutProof}`;
}

/** `ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage)`. */
export function scramClientProof(mechanism: ScramMechanism, saltedPassword: Buffer, authMessage: string): Buffer {
  const { clientKey, storedKey } = deriveScramKeys(mechanism, saltedPassword);
  return xorBuffers(clientKey, scramHmac(mechanism, storedKey, authMessage));
}

/** `ServerSignature = HMAC(ServerKey, AuthMessage)`. */
export function scramServerSignature(mechanism: ScramMechanism, serverKey: Buffer, authMessage: string): Buffer {
  return scramHmac(mechanism, serverKey, authMessage);
}

/**
 * Checks a client proof the way a server must: recover `ClientKey` from the proof, hash it and
 * compare with the stored key in constant time.
 */
export function verifyScramClientProof(mechanism: ScramMechanism, storedKey: Buffer, authMessage: string, proof: Buffer): boolean {
  const signature = scramHmac(mechanism, storedKey, authMessage);
  if (proof.length !== signature.length) return false;
  return constantTimeEqual(scramHash(mechanism, xorBuffers(proof, signature)), storedKey);
}

/** A fresh printable nonce (base64 of 24 random bytes: never contains `,`). */
export function scramNonce(): string {
  return randomBytes(24).toString('base64');
}

/** True when `nonce` uses only the printable characters RFC 5802 allows (no `,`). */
export function isValidScramNonce(nonce: string): boolean {
  return /^[\x21-\x2b\x2d-\x7e]+$/.test(nonce);
}

/** Escapes a user name for `n=`: `=` becomes `=3D` and `,` becomes `=2C`. */
export function escapeSaslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** Reverses {@link escapeSaslName}; `undefined` when an `=` is not followed by `2C` or `3D`. */
export function unescapeSaslName(escaped: string): string | undefined {
  if (/=(?!2C|3D)/.test(escaped)) return undefined;
  return escaped.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/**
 * Splits a SCRAM message into its `k=v` attributes, in order. Returns `undefined` for anything
 * that is not a comma-separated list of single-letter attributes, which callers treat as
 * `e=invalid-encoding`.
 */
export function parseScramAttributes(message: string): Array<[string, string]> | undefined {
  const out: Array<[string, string]> = [];
  for (const part of message.split(',')) {
    const m = /^([A-Za-z])=(.*)$/s.exec(part);
    if (!m) return undefined;
    out.push([m[1] as string, m[2] as string]);
  }
  return out;
}

/** Strict base64 decode: `undefined` when the text is not canonical base64. */
export function decodeBase64Strict(text: string): Buffer | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}
