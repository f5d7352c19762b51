import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { isVaultError } from '../vault/errors';
import type { DataKey, SecretsPort } from '../vault/port';

/*
 * Envelope encryption of every Temporal payload (issue 15, item 5), so that the Temporal server's
 * database and its history exports hold no incident detail, principal or personal data in clear.
 *
 * Wire layout of an encrypted payload:
 *   metadata.encoding               = "binary/encrypted"
 *   metadata.encryption-cipher      = "AES-256-GCM"
 *   metadata.encryption-key-id      = base64url(sha256(wrapped key))[0..16]   (names the data key)
 *   metadata.encryption-transit-key = the Vault transit key that wraps the data key
 *   metadata.encryption-wrapped-key = the data key as Vault transit returned it, `vault:vN:…`
 *   data                            = nonce(12) ‖ AES-256-GCM(Payload proto bytes) ‖ tag(16)
 * The additional authenticated data binds the ciphertext to its metadata, so a payload cannot be
 * re-labelled with another key. The wrapped key travels with every payload: any process whose
 * Vault token may use transit decrypt on that key opens it, with no key store of our own.
 */

/** The `encoding` of a payload this codec encrypted. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
const CIPHER = 'AES-256-GCM';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const AAD_PREFIX = 'breachline/temporal-payload/v1';

/** Metadata keys of an encrypted payload. */
export const CODEC_METADATA = {
  cipher: 'encryption-cipher',
  keyId: 'encryption-key-id',
  transitKey: 'encryption-transit-key',
  wrappedKey: 'encryption-wrapped-key',
} as const;

/** What the codec needs from Vault: a data key, and transit decrypt to unwrap one. */
export type DataKeySource = Pick<SecretsPort, 'ensureEncryptionKey' | 'generateDataKey' | 'decrypt'>;

/** Options of {@link VaultPayloadCodec}. */
export interface VaultPayloadCodecOptions {
  secrets: DataKeySource;
  /** Vault transit key that wraps the data keys. */
  transitKey: string;
  /** A new data key after this many payloads. @default 10000 */
  rotateAfterPayloads?: number;
  /** A new data key after this long. @default 3600000 (one hour) */
  rotateAfterMs?: number;
  /** Unwrapped data keys kept in memory for decoding. @default 256 */
  cachedKeys?: number;
  /** Injected clock (ms). @default Date.now */
  now?: () => number;
}

/** Encoding failed: no data key could be had from Vault. `cause` is the Vault error. */
export class PayloadEncryptionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PayloadEncryptionError';
  }
}

/** Decoding failed: unknown cipher or transit key, a data key Vault will not unwrap, or a tampered payload. */
export class PayloadDecryptionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PayloadDecryptionError';
  }
}

interface ActiveKey {
  readonly material: Buffer;
  readonly wrapped: string;
  readonly id: string;
  readonly createdAt: number;
  uses: number;
}

const keyIdOf = (wrapped: string): string => createHash('sha256').update(wrapped).digest('base64url').slice(0, 16);
const text = (p: Payload, key: string): string | undefined => {
  const v = p.metadata?.[key];
  return v === undefined || v === null ? undefined : Buffer.from(v).toString('utf8');
};
const aad = (transitKey: string, wrapped: string): Buffer => Buffer.from(`${AAD_PREFIX}|${CIPHER}|${transitKey}|${wrapped}`, 'utf8');

/** Whether a payload is one this codec encrypted (by its encoding). */
export function isEncryptedPayload(p: Payload): boolean {
  return text(p, 'encoding') === ENCRYPTED_ENCODING;
}

/**
 * A {@link PayloadCodec} encrypting with AES-256-GCM under data keys from Vault transit `datakey`.
 * The plaintext data key lives in this process's memory only; a new one is taken every
 * `rotateAfterPayloads` payloads or `rotateAfterMs`, whichever comes first. Decoding unwraps the
 * key a payload names (once, then cached) and passes payloads that are not encrypted through
 * unchanged, so histories written before encryption was turned on still replay and read.
 */
export class VaultPayloadCodec implements PayloadCodec {
  private active: ActiveKey | undefined;
  private pending: Promise<ActiveKey> | undefined;
  private ensured = false;
  /** Wrapped key → its unwrapping, in least-recently-used order (oldest first). */
  private readonly cache = new Map<string, Promise<Buffer>>();
  private readonly rotateAfterPayloads: number;
  private readonly rotateAfterMs: number;
  private readonly cachedKeys: number;
  private readonly now: () => number;
  /** Data keys taken from Vault so far (for tests and metrics). */
  dataKeysIssued = 0;

  constructor(private readonly options: VaultPayloadCodecOptions) {
    this.rotateAfterPayloads = options.rotateAfterPayloads ?? 10_000;
    this.rotateAfterMs = options.rotateAfterMs ?? 60 * 60 * 1000;
    this.cachedKeys = options.cachedKeys ?? 256;
    this.now = options.now ?? Date.now;
  }

  /** The transit key wrapping this codec's data keys. */
  get transitKey(): string {
    return this.options.transitKey;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    if (payloads.length === 0) return [];
    const key = await this.currentKey(payloads.length);
    return payloads.map((p) => this.seal(key, p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((p) => (isEncryptedPayload(p) ? this.open(p) : p)));
  }

  /** The key to encrypt `count` more payloads with, rotating when the current one is used up or old. */
  private async currentKey(count: number): Promise<ActiveKey> {
    const k = this.active;
    if (k && k.uses < this.rotateAfterPayloads && this.now() - k.createdAt < this.rotateAfterMs) {
      k.uses += count;
      return k;
    }
    // Concurrent encodes share one Vault round trip.
    this.pending ??= this.fetchKey().finally(() => {
      this.pending = undefined;
    });
    const fresh = await this.pending;
    fresh.uses += count;
    return fresh;
  }

  private async fetchKey(): Promise<ActiveKey> {
    const { transitKey } = this.options;
    let dataKey: DataKey;
    try {
      dataKey = await this.options.secrets.generateDataKey(transitKey).catch(async (err: unknown) => {
        // Vault answers a missing key with a 400 (invalid-request): create it once, then ask again.
        // A token with only the datakey capability never needs to read or create the key.
        if (this.ensured || !isVaultError(err, 'invalid-request')) throw err;
        await this.options.secrets.ensureEncryptionKey(transitKey);
        this.ensured = true;
        return this.options.secrets.generateDataKey(transitKey);
      });
    } catch (err) {
      throw new PayloadEncryptionError(
        `cannot encrypt Temporal payloads: Vault transit key "${transitKey}" gave no data key (${(err as Error).message}). ` +
          `The Vault token needs update on transit/datakey/plaintext/${transitKey} (and create on transit/keys/${transitKey} the first time); ` +
          'nothing was sent to Temporal in clear. To run without payload encryption set BREACHLINE_TEMPORAL_CODEC=false.',
        { cause: err },
      );
    }
    if (dataKey.plaintext.length !== 32) throw new PayloadEncryptionError(`Vault transit key "${transitKey}" returned a ${dataKey.plaintext.length * 8}-bit data key; AES-256-GCM needs 256 bits`);
    const key: ActiveKey = { material: dataKey.plaintext, wrapped: dataKey.ciphertext, id: keyIdOf(dataKey.ciphertext), createdAt: this.now(), uses: 0 };
    this.remember(key.wrapped, Promise.resolve(key.material));
    this.active = key;
    this.dataKeysIssued++;
    return key;
  }

  private seal(key: ActiveKey, payload: Payload): Payload {
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key.material, nonce);
    cipher.setAAD(aad(this.options.transitKey, key.wrapped));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return {
      metadata: {
        encoding: Buffer.from(ENCRYPTED_ENCODING),
        [CODEC_METADATA.cipher]: Buffer.from(CIPHER),
        [CODEC_METADATA.keyId]: Buffer.from(key.id),
        [CODEC_METADATA.transitKey]: Buffer.from(this.options.transitKey),
        [CODEC_METADATA.wrappedKey]: Buffer.from(key.wrapped),
      },
      data: Buffer.concat([nonce, body, cipher.getAuthTag()]),
    };
  }

  private async open(payload: Payload): Promise<Payload> {
    const cipherName = text(payload, CODEC_METADATA.cipher);
    const transitKey = text(payload, CODEC_METADATA.transitKey);
    const wrapped = text(payload, CODEC_METADATA.wrappedKey);
    if (cipherName !== CIPHER) throw new PayloadDecryptionError(`encrypted payload uses cipher ${JSON.stringify(cipherName)}; this codec reads ${CIPHER}`);
    // Only our own transit key unwraps: a payload must not make us use some other key we may hold.
    if (transitKey !== this.options.transitKey) throw new PayloadDecryptionError(`encrypted payload names transit key ${JSON.stringify(transitKey)}; this codec is configured for "${this.options.transitKey}"`);
    if (wrapped === undefined || !wrapped.startsWith('vault:v')) throw new PayloadDecryptionError('encrypted payload carries no wrapped data key');
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < NONCE_BYTES + TAG_BYTES) throw new PayloadDecryptionError('encrypted payload is too short');
    const material = await this.unwrap(wrapped);
    const decipher = createDecipheriv('aes-256-gcm', material, data.subarray(0, NONCE_BYTES));
    decipher.setAAD(aad(transitKey, wrapped));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(`encrypted payload (data key ${keyIdOf(wrapped)}) failed authentication: it was altered or relabelled`);
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }

  /** The data key inside `wrapped`, from the cache or from Vault transit decrypt. */
  private unwrap(wrapped: string): Promise<Buffer> {
    const cached = this.cache.get(wrapped);
    if (cached) {
      this.cache.delete(wrapped);
      this.cache.set(wrapped, cached);
      return cached;
    }
    const unwrapping = this.options.secrets.decrypt(this.options.transitKey, wrapped).then(
      (material) => {
        if (material.length !== 32) throw new PayloadDecryptionError(`data key ${keyIdOf(wrapped)} is not a 256-bit key`);
        return material;
      },
      (err: unknown) => {
        throw new PayloadDecryptionError(`cannot unwrap data key ${keyIdOf(wrapped)} with Vault transit key "${this.options.transitKey}" (${(err as Error).message})`, { cause: err });
      },
    );
    // A failed unwrap is not remembered: Vault may come back, or the token gain the capability.
    unwrapping.catch(() => this.cache.delete(wrapped));
    this.remember(wrapped, unwrapping);
    return unwrapping;
  }

  private remember(wrapped: string, material: Promise<Buffer>): void {
    this.cache.set(wrapped, material);
    while (this.cache.size > this.cachedKeys) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }
}
