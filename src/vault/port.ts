/*
 * The secrets port: what breachline's activities need from a secrets manager, with no client
 * library types in it. The node-vault implementation is in node-vault-secrets.ts; tests and other
 * backends can implement the same interface. Every method rejects with a `VaultError`.
 */

/** One version of a KV secret. */
export interface SecretVersion {
  readonly data: Readonly<Record<string, unknown>>;
  readonly version: number;
  readonly createdTime: string;
}

/** Result of a successful write. */
export interface WrittenVersion {
  readonly version: number;
  readonly createdTime: string;
}

/** State of one version in the metadata. */
export interface VersionState {
  readonly createdTime: string;
  /** Empty when the version is not deleted. */
  readonly deletionTime: string;
  readonly destroyed: boolean;
}

/** KV v2 metadata of a secret. */
export interface SecretMetadata {
  readonly currentVersion: number;
  readonly oldestVersion: number;
  readonly maxVersions: number;
  readonly casRequired: boolean;
  readonly createdTime: string;
  readonly updatedTime: string;
  readonly versions: Readonly<Record<number, VersionState>>;
}

/** A token as seen through its accessor (never its id). */
export interface TokenInfo {
  readonly accessor: string;
  readonly policies: readonly string[];
  readonly displayName: string;
  readonly meta: Readonly<Record<string, string>>;
  /** Seconds left; 0 for tokens that never expire. */
  readonly ttlSeconds: number;
  readonly expireTime: string | null;
  readonly renewable: boolean;
  readonly orphan: boolean;
  /** Creation path, e.g. `auth/approle/login`. */
  readonly path: string;
  /** When Vault created the token (ISO), where the lookup says. */
  readonly createdAt?: string;
}

/** Parameters of a new token. */
export interface CreateTokenRequest {
  /** Policies the token gets; `default` is added by Vault unless `noDefaultPolicy`. */
  readonly policies: readonly string[];
  /** Seconds or a Go duration (`15m`). @default Vault's default TTL */
  readonly ttl?: number | string;
  readonly explicitMaxTtl?: number | string;
  readonly displayName?: string;
  readonly meta?: Readonly<Record<string, string>>;
  /** @default true */
  readonly renewable?: boolean;
  /** Orphan token, not revoked with the creating token (needs sudo). @default false */
  readonly noParent?: boolean;
  readonly noDefaultPolicy?: boolean;
}

/** A freshly created token. The `token` value is a credential: never log it. */
export interface CreatedToken {
  readonly token: string;
  readonly accessor: string;
  readonly policies: readonly string[];
  readonly ttlSeconds: number;
  readonly renewable: boolean;
}

/** Secrets operations breachline performs during containment and rotation. */
export interface SecretsPort {
  /** Reads the latest (or a given) version; `not-found` when absent, deleted or destroyed. */
  readSecret(path: string, options?: { version?: number }): Promise<SecretVersion>;
  /**
   * Writes a new version. With `cas`, the write only succeeds if the current version equals it
   * (0 = create only); otherwise it fails with kind `cas-mismatch`.
   */
  writeSecret(path: string, data: Readonly<Record<string, unknown>>, options?: { cas?: number }): Promise<WrittenVersion>;
  readSecretMetadata(path: string): Promise<SecretMetadata>;

  listTokenAccessors(): Promise<string[]>;
  lookupTokenByAccessor(accessor: string): Promise<TokenInfo>;
  /** Revokes the token (and its children); succeeds when it is already gone. */
  revokeTokenByAccessor(accessor: string): Promise<void>;
  /** Revokes every lease whose id starts with `prefix` (needs sudo); succeeds when none is left. Generic action `vault.revoke-lease-prefix` (issue 17). */
  revokeLeasePrefix(prefix: string): Promise<void>;
  createToken(request: CreateTokenRequest): Promise<CreatedToken>;
  /**
   * The audit device's HMAC of `input` (`sys/audit-hash/<device>`), as its log shows the value:
   * how a known accessor is found in a log that never holds it in clear. Leaked-token playbook.
   */
  auditHash(device: string, input: string): Promise<string>;

  listSecretIdAccessors(role: string): Promise<string[]>;
  /** Destroys an AppRole secret id; `not-found` when the accessor names none. */
  destroySecretIdByAccessor(role: string, accessor: string): Promise<void>;

  /** Encrypts with a transit key; returns `vault:vN:…`. */
  encrypt(key: string, plaintext: Buffer, options?: { keyVersion?: number }): Promise<string>;
  encryptBatch(key: string, plaintexts: readonly Buffer[]): Promise<string[]>;
  decrypt(key: string, ciphertext: string): Promise<Buffer>;
  decryptBatch(key: string, ciphertexts: readonly string[]): Promise<Buffer[]>;
  /** Keyed HMAC-SHA256 (for tokenising personal data); returns `vault:vN:…`. */
  hmac(key: string, input: Buffer, options?: { keyVersion?: number }): Promise<string>;
  verifyHmac(key: string, input: Buffer, hmac: string): Promise<boolean>;

  // Signing keys (transit ed25519): the private key never leaves Vault.
  /** Creates the transit key as `ed25519` when missing; refuses (`invalid-request`) a key of another type. */
  ensureSigningKey(key: string): Promise<SigningKeyInfo>;
  /** Signs `input` whole (ed25519); returns `vault:vN:` + base64(signature). */
  sign(key: string, input: Buffer): Promise<string>;
  /** Checks a `vault:vN:` signature over `input` inside Vault. */
  verifySignature(key: string, input: Buffer, signature: string): Promise<boolean>;
  /** The public key of every version (raw 32 bytes, base64), read from the key's description. */
  publicKeys(key: string): Promise<SigningKeyInfo>;

  // Envelope encryption: the Temporal payload codec's data keys (issue 15) and evidence chunks' (issue 13).
  /** Creates the transit key as `aes256-gcm96` when missing; refuses (`invalid-request`) a signing key. */
  ensureEncryptionKey(key: string): Promise<void>;
  /** A fresh 256-bit data key from transit `datakey/plaintext`: in clear (memory only) and wrapped. */
  generateDataKey(key: string): Promise<DataKey>;
}

/** A data key from Vault transit. `plaintext` is key material: never log or persist it. */
export interface DataKey {
  readonly plaintext: Buffer;
  /** The same key encrypted by the transit key (`vault:vN:…`); only transit decrypt opens it. */
  readonly ciphertext: string;
  readonly keyVersion: number;
}

/** A transit signing key as the port sees it. */
export interface SigningKeyInfo {
  readonly name: string;
  readonly type: string;
  readonly latestVersion: number;
  /** Version → raw public key, base64 (ed25519: 32 bytes). */
  readonly publicKeys: Readonly<Record<number, string>>;
}
