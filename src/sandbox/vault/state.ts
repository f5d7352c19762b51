/*
 * Everything the sandbox remembers, as plain JSON-serialisable data, so a snapshot of this object
 * is the whole persistent state (see persistence.ts). Times are epoch milliseconds.
 */

/** A service token. */
export interface TokenEntry {
  id: string;
  accessor: string;
  policies: string[];
  /** Id of the token that created this one; absent for orphans. */
  parent?: string;
  displayName: string;
  meta: Record<string, string> | null;
  createdAt: number;
  /** Seconds the token was created (or last renewed) with; 0 = never expires. */
  ttl: number;
  explicitMaxTtl: number;
  /** Absent for tokens that never expire (root). */
  expireAt?: number;
  lastRenewal?: number;
  renewable: boolean;
  orphan: boolean;
  /** Creation path, e.g. `auth/token/create` or `auth/approle/login`. */
  path: string;
  /** Lease id by which sys/leases refers to this token; absent for non-expiring tokens. */
  leaseId?: string;
  numUses: number;
}

/** One version of a KV v2 secret. */
export interface KvVersion {
  data: Record<string, unknown> | null;
  createdAt: number;
  deletedAt?: number;
  destroyed: boolean;
}

/** A KV v2 secret: its versions and metadata. */
export interface KvSecret {
  versions: Record<string, KvVersion>;
  currentVersion: number;
  oldestVersion: number;
  createdAt: number;
  updatedAt: number;
  /** 0 = use the mount's setting. */
  maxVersions: number;
  casRequired: boolean;
  deleteVersionAfter: string;
  customMetadata: Record<string, string> | null;
}

/** A KV v2 mount's configuration and secrets (keyed by path inside the mount). */
export interface KvStore {
  maxVersions: number;
  casRequired: boolean;
  deleteVersionAfter: string;
  secrets: Record<string, KvSecret>;
}

/** One version of a transit key: AES-256-GCM key and a separate HMAC key, base64. */
export interface TransitKeyVersion {
  encryptionKey: string;
  hmacKey: string;
  createdAt: number;
  /** ed25519 keys: the private key (PKCS#8 DER, base64); never leaves the sandbox. */
  signingKey?: string;
  /** ed25519 keys: the raw 32-byte public key, base64, as Vault shows it. */
  publicKey?: string;
}

/** A named transit key. */
export interface TransitKey {
  name: string;
  type: string;
  versions: Record<string, TransitKeyVersion>;
  latestVersion: number;
  minDecryptionVersion: number;
  minEncryptionVersion: number;
  deletionAllowed: boolean;
  exportable: boolean;
}

/** A transit mount's keys. */
export interface TransitStore {
  keys: Record<string, TransitKey>;
}

/** An issued AppRole secret id. */
export interface SecretIdEntry {
  secretId: string;
  accessor: string;
  createdAt: number;
  /** Absent = never expires. */
  expireAt?: number;
  /** Remaining uses; 0 = unlimited. */
  numUses: number;
  metadata: Record<string, string>;
  cidrList: string[];
}

/** An AppRole role. */
export interface AppRole {
  name: string;
  roleId: string;
  bindSecretId: boolean;
  tokenPolicies: string[];
  tokenTtl: number;
  tokenMaxTtl: number;
  tokenNumUses: number;
  secretIdTtl: number;
  secretIdNumUses: number;
  /** Secret ids keyed by accessor. */
  secretIds: Record<string, SecretIdEntry>;
}

/** An AppRole auth mount's roles. */
export interface AppRoleStore {
  roles: Record<string, AppRole>;
}

/** A secrets engine or auth method mount. */
export interface MountEntry {
  type: string;
  description: string;
  accessor: string;
  uuid: string;
  options: Record<string, string>;
  local: boolean;
  sealWrap: boolean;
}

/** Seal configuration: a Shamir split of the unseal key. */
export interface SealConfig {
  shares: number;
  threshold: number;
  /** SHA-256 (hex) of the root key that the shares recombine to. */
  rootKeyHash: string;
  /**
   * The shares themselves (base64). Real Vault never stores them; the sandbox keeps them so a
   * restarted data directory can still be unsealed by the CLI and tests.
   */
  keys: string[];
}

/** An audit device enabled through `sys/audit/<path>` (the sandbox serves the `file` type). */
export interface AuditDeviceEntry {
  type: 'file';
  description: string;
  /** As given: `file_path`, `hmac_accessor`, `mode`, ... */
  options: Record<string, string>;
  /** The device's own HMAC key (base64): each device hashes with its own salt, as in Vault. */
  salt: string;
  local: boolean;
}

/** The whole persistent state. */
export interface VaultState {
  version: 1;
  clusterId: string;
  clusterName: string;
  /** Key for the audit device's HMACs (base64). */
  auditSalt: string;
  seal: SealConfig;
  rootToken: string;
  /** Secret engine mounts keyed by path with trailing slash (`secret/`). */
  mounts: Record<string, MountEntry>;
  /** Auth mounts keyed by path with trailing slash (`token/`, `approle/`). */
  auths: Record<string, MountEntry>;
  policies: Record<string, string>;
  tokens: Record<string, TokenEntry>;
  kv: Record<string, KvStore>;
  transit: Record<string, TransitStore>;
  approle: Record<string, AppRoleStore>;
  /** Audit devices by path with trailing slash (`file/`); absent in snapshots from before they existed. */
  auditDevices?: Record<string, AuditDeviceEntry>;
}
