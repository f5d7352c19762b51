import { randomBytes } from 'node:crypto';
import type { VaultCore } from './core';
import { badRequest, notFound, VaultApiError } from './errors';
import { noContent, ok, type Reply, type Route, type VaultRequest } from './route';
import type { TransitKey, TransitKeyVersion, TransitStore } from './state';
import { decodeBase64, decrypt, encrypt, encryptionVersion, hmac, HMAC_ALGORITHMS, newKeyVersion, verifyHmac } from './transit-crypto';
import { newSigningKeyVersion, signInput, SIGNING_KEY_TYPES, verifySignature } from './transit-signing';
import { dict, optBool, optInt, optString, type Body } from './values';

/** Key types the sandbox implements. */
const KEY_TYPES = new Set(['aes256-gcm96', ...SIGNING_KEY_TYPES]);

function freshVersion(type: string, now: number): TransitKeyVersion {
  const base = newKeyVersion(now);
  return SIGNING_KEY_TYPES.has(type) ? newSigningKeyVersion(base) : base;
}

/** Asymmetric keys list each version with its public key, symmetric ones with its creation time. */
function versionsInfo(key: TransitKey): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(key.versions).map(([n, v]) => [
      n,
      v.publicKey === undefined ? Math.floor(v.createdAt / 1000) : { creation_time: new Date(v.createdAt).toISOString(), name: key.type, public_key: v.publicKey },
    ]),
  );
}

function mustSigningKey(store: TransitStore, name: string): TransitKey {
  const key = mustKey(store, name);
  if (!SIGNING_KEY_TYPES.has(key.type)) throw badRequest(`key type ${key.type} does not support signing`);
  return key;
}

/** `GET transit/export/:kind/:name[/:version]`; the sandbox exports public keys only (no exportable flag needed, as in Vault). */
function exportRoute(store: TransitStore, kind: string, name: string, version: string | undefined): Route {
  return {
    read: () => {
      const key = store.keys[name];
      if (!key) throw notFound();
      if (kind !== 'public-key') throw badRequest(kind === 'encryption-key' || kind === 'signing-key' || kind === 'hmac-key' ? 'private key material is not exportable' : `invalid export type: ${kind}`);
      if (!SIGNING_KEY_TYPES.has(key.type)) throw badRequest('key does not support public key export');
      const wanted = version === undefined ? undefined : version === 'latest' ? String(key.latestVersion) : version;
      const keys: Record<string, string> = {};
      for (const [n, v] of Object.entries(key.versions)) if (v.publicKey !== undefined && (wanted === undefined || n === wanted)) keys[n] = v.publicKey;
      if (Object.keys(keys).length === 0) throw badRequest('invalid key version');
      return ok({ name: key.name, type: key.type, keys });
    },
  };
}

function keyInfo(key: TransitKey): Record<string, unknown> {
  return {
    name: key.name,
    type: key.type,
    latest_version: key.latestVersion,
    min_available_version: 0,
    min_decryption_version: key.minDecryptionVersion,
    min_encryption_version: key.minEncryptionVersion,
    deletion_allowed: key.deletionAllowed,
    derived: false,
    exportable: key.exportable,
    allow_plaintext_backup: false,
    auto_rotate_period: 0,
    imported_key: false,
    keys: versionsInfo(key),
    supports_encryption: !SIGNING_KEY_TYPES.has(key.type),
    supports_decryption: !SIGNING_KEY_TYPES.has(key.type),
    supports_derivation: true,
    supports_signing: SIGNING_KEY_TYPES.has(key.type),
  };
}

function createKey(core: VaultCore, store: TransitStore, name: string, body: Body): TransitKey {
  const type = optString(body, 'type') ?? 'aes256-gcm96';
  if (!KEY_TYPES.has(type)) throw badRequest(`unknown key type: ${type}`);
  const key: TransitKey = {
    name,
    type,
    versions: dict({ '1': freshVersion(type, core.clock.now()) }),
    latestVersion: 1,
    minDecryptionVersion: 1,
    minEncryptionVersion: 0,
    deletionAllowed: false,
    exportable: optBool(body, 'exportable') ?? false,
  };
  store.keys[name] = key;
  return key;
}

function mustKey(store: TransitStore, name: string): TransitKey {
  const key = store.keys[name];
  if (!key) throw badRequest('encryption key not found');
  return key;
}

/**
 * Runs `one` for the single-item form or for each `batch_input` entry. A failed batch item carries
 * its own `error`; if any item failed the response is 400 with all results, as Vault does by default.
 */
function singleOrBatch(body: Body, one: (item: Body) => Record<string, unknown>): Reply {
  const batch = body.batch_input;
  if (batch === undefined || batch === null) return ok(one(body));
  if (!Array.isArray(batch) || batch.length === 0) throw badRequest('missing batch input to process');
  let failed = false;
  const results = batch.map((item: unknown) => {
    const reference = item && typeof item === 'object' && 'reference' in item ? (item as Body).reference : undefined;
    const extra = reference === undefined ? {} : { reference };
    try {
      if (!item || typeof item !== 'object' || Array.isArray(item)) throw badRequest('batch item must be an object');
      return { ...one(item as Body), ...extra };
    } catch (err) {
      if (!(err instanceof VaultApiError)) throw err;
      failed = true;
      return { error: err.message, ...extra };
    }
  });
  const reply = ok({ batch_results: results });
  if (failed) throw new VaultApiError(400, [], reply.body);
  return reply;
}

function algorithmFor(segment: string | undefined, body: Body): string {
  const name = segment ?? optString(body, 'algorithm') ?? 'sha2-256';
  const algorithm = HMAC_ALGORITHMS[name];
  if (!algorithm) throw badRequest(`unsupported algorithm ${name}`);
  return algorithm;
}

function keyRoutes(core: VaultCore, store: TransitStore, name: string, action: string | undefined): Route | undefined {
  if (action === undefined) {
    return {
      exists: () => store.keys[name] !== undefined,
      read: () => {
        const key = store.keys[name];
        if (!key) throw notFound();
        return ok(keyInfo(key));
      },
      write: (req) => ok(keyInfo(store.keys[name] ?? createKey(core, store, name, req.body))),
      delete: () => {
        const key = store.keys[name];
        if (!key) return noContent;
        if (!key.deletionAllowed) throw badRequest('deletion is not allowed for this key');
        delete store.keys[name];
        return noContent;
      },
    };
  }
  if (action === 'rotate') {
    return {
      write: () => {
        const key = mustKey(store, name);
        key.latestVersion += 1;
        key.versions[String(key.latestVersion)] = freshVersion(key.type, core.clock.now());
        return ok(keyInfo(key));
      },
    };
  }
  if (action === 'config') {
    return {
      write: (req) => {
        const key = mustKey(store, name);
        const deletion = optBool(req.body, 'deletion_allowed');
        if (deletion !== undefined) key.deletionAllowed = deletion;
        const minDec = optInt(req.body, 'min_decryption_version');
        if (minDec !== undefined) {
          if (minDec > key.latestVersion) throw badRequest('cannot set min decryption version higher than the latest key version');
          key.minDecryptionVersion = Math.max(1, minDec);
        }
        const minEnc = optInt(req.body, 'min_encryption_version');
        if (minEnc !== undefined) {
          if (minEnc > key.latestVersion) throw badRequest('cannot set min encryption version higher than the latest key version');
          key.minEncryptionVersion = minEnc;
        }
        const exportable = optBool(req.body, 'exportable');
        if (exportable !== undefined) key.exportable = key.exportable || exportable;
        return ok(keyInfo(key));
      },
    };
  }
  return undefined;
}

/** Routes of a transit mount; `rest` is the path after the mount. */
export function transitRoute(core: VaultCore, store: TransitStore, rest: string): Route | undefined {
  const parts = rest.split('/');
  const [head, name, extra] = parts;
  if (head === 'keys' && (name === undefined || name === '')) return { list: () => listKeys(store) };
  if (head === 'export' && name !== undefined && extra !== undefined && parts.length <= 4) return exportRoute(store, name, extra, parts[3]);
  if (!name || parts.length > 3) return undefined;
  switch (head) {
    case 'keys':
      return keyRoutes(core, store, name, extra);
    case 'encrypt':
      if (extra !== undefined) return undefined;
      return {
        exists: () => store.keys[name] !== undefined,
        write: (req: VaultRequest) => {
          // Encrypting with a key that does not exist creates it (Vault's upsert).
          const key = store.keys[name] ?? createKey(core, store, name, req.body);
          if (SIGNING_KEY_TYPES.has(key.type)) throw badRequest(`key type ${key.type} does not support encryption`);
          return singleOrBatch(req.body, (item) => {
            const version = encryptionVersion(key, optInt(item, 'key_version') ?? optInt(req.body, 'key_version'));
            return { ciphertext: encrypt(key, version, decodeBase64(item.plaintext ?? '', 'plaintext')), key_version: version };
          });
        },
      };
    case 'datakey':
      return datakeyRoute(store, name, extra);
    case 'decrypt':
      if (extra !== undefined) return undefined;
      return {
        write: (req) => {
          const key = mustKey(store, name);
          return singleOrBatch(req.body, (item) => ({ plaintext: decrypt(key, item.ciphertext).plaintext.toString('base64') }));
        },
      };
    case 'rewrap':
      if (extra !== undefined) return undefined;
      return {
        write: (req) => {
          const key = mustKey(store, name);
          return singleOrBatch(req.body, (item) => {
            const { plaintext } = decrypt(key, item.ciphertext);
            const version = encryptionVersion(key, optInt(item, 'key_version') ?? optInt(req.body, 'key_version'));
            return { ciphertext: encrypt(key, version, plaintext), key_version: version };
          });
        },
      };
    case 'hmac':
      return {
        write: (req) => {
          const key = mustKey(store, name);
          const algorithm = algorithmFor(extra, req.body);
          return singleOrBatch(req.body, (item) => {
            const version = encryptionVersion(key, optInt(item, 'key_version') ?? optInt(req.body, 'key_version'));
            return { hmac: hmac(key, version, algorithm, decodeBase64(item.input ?? '', 'input')) };
          });
        },
      };
    case 'sign':
      // `sign/:name/:hash_algorithm` is accepted; ed25519 signs the input whole and ignores it.
      return {
        write: (req) => {
          const key = mustSigningKey(store, name);
          return singleOrBatch(req.body, (item) => {
            const version = encryptionVersion(key, optInt(item, 'key_version') ?? optInt(req.body, 'key_version'));
            return { signature: signInput(key, version, decodeBase64(item.input ?? '', 'input')), key_version: version };
          });
        },
      };
    case 'verify':
      return {
        write: (req) => {
          const key = mustKey(store, name);
          if (SIGNING_KEY_TYPES.has(key.type)) {
            return singleOrBatch(req.body, (item) => {
              if (item.signature === undefined) throw badRequest('missing signature');
              return { valid: verifySignature(key, decodeBase64(item.input ?? '', 'input'), item.signature) };
            });
          }
          const algorithm = algorithmFor(extra, req.body);
          return singleOrBatch(req.body, (item) => {
            if (item.hmac === undefined) throw badRequest('only hmac verification is supported by the sandbox for this key type; missing hmac');
            return { valid: verifyHmac(key, algorithm, decodeBase64(item.input ?? '', 'input'), item.hmac) };
          });
        },
      };
    default:
      return undefined;
  }
}

/**
 * `POST transit/datakey/:type/:name`: a fresh data key (`bits` 128/256/512, default 256) encrypted
 * under the named key; `plaintext` also returns it in clear, `wrapped` only wrapped. As in Vault,
 * the named key must exist (no upsert here) and support encryption.
 */
function datakeyRoute(store: TransitStore, type: string, keyName: string | undefined): Route | undefined {
  if (keyName === undefined || keyName === '') return undefined;
  return {
    write: (req) => {
      if (type !== 'plaintext' && type !== 'wrapped') throw badRequest(`invalid type ${type}`);
      const key = mustKey(store, keyName);
      if (SIGNING_KEY_TYPES.has(key.type)) throw badRequest(`key type ${key.type} does not support encryption`);
      const bits = optInt(req.body, 'bits') ?? 256;
      if (bits !== 128 && bits !== 256 && bits !== 512) throw badRequest('invalid bits given');
      const version = encryptionVersion(key, optInt(req.body, 'key_version'));
      const plaintext = randomBytes(bits / 8);
      const ciphertext = encrypt(key, version, plaintext);
      return ok({ ciphertext, key_version: version, ...(type === 'plaintext' ? { plaintext: plaintext.toString('base64') } : {}) });
    },
  };
}

function listKeys(store: TransitStore): Reply {
  const keys = Object.keys(store.keys).sort();
  if (keys.length === 0) throw notFound();
  return ok({ keys });
}
