import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Acl } from './acl';
import type { VaultClock } from './clock';
import type { AuditBroker } from './audit-devices';
import type { KubernetesAuthConfig } from './routes-kubernetes';
import { badRequest } from './errors';
import { DEFAULT_POLICY_TEXT, parsePolicy, type AclPolicy } from './policy';
import { combineShares, splitSecret } from './shamir';
import type { MountEntry, TokenEntry, VaultState } from './state';
import { dict, newAccessor, newTokenId, newUuid, sha256Hex } from './values';

/** Vault's system default and maximum token TTL: 768 hours. */
export const SYSTEM_MAX_TTL_SECONDS = 768 * 3600;

/** Parameters for {@link VaultCore.createToken}. */
export interface NewToken {
  policies: string[];
  parent?: TokenEntry;
  orphan: boolean;
  displayName: string;
  meta: Record<string, string> | null;
  /** Seconds; 0 = system default. */
  ttl: number;
  explicitMaxTtl: number;
  renewable: boolean;
  numUses: number;
  path: string;
  id?: string;
}

/** Shape of a fresh mount table entry. */
export function mountEntry(type: string, description: string, options: Record<string, string> = {}): MountEntry {
  return { type, description, accessor: `${type}_${randomBytes(4).toString('hex')}`, uuid: newUuid(), options, local: false, sealWrap: false };
}

/** Unseal configuration for a brand-new sandbox. */
export interface SealSetup {
  /** @default 1 */
  shares?: number;
  /** @default 1 */
  threshold?: number;
}

/** Builds the state of a freshly initialised dev-style server: `secret/` (KV v2), `transit/`, `approle/`. */
export function initialState(setup: SealSetup = {}, now: number = Date.now()): VaultState {
  const shares = setup.shares ?? 1;
  const threshold = setup.threshold ?? 1;
  const rootKey = randomBytes(32);
  const keys = splitSecret(rootKey, shares, threshold).map((b) => b.toString('base64'));
  const rootToken = newTokenId();
  return {
    version: 1,
    clusterId: newUuid(),
    clusterName: `vault-cluster-${randomBytes(4).toString('hex')}`,
    auditSalt: randomBytes(32).toString('base64'),
    seal: { shares, threshold, rootKeyHash: sha256Hex(rootKey.toString('hex')), keys },
    rootToken,
    mounts: dict({
      'secret/': mountEntry('kv', 'key/value secret storage', { version: '2' }),
      'transit/': mountEntry('transit', 'encryption as a service'),
      'sys/': mountEntry('system', 'system endpoints used for control, policy and debugging'),
      'cubbyhole/': mountEntry('cubbyhole', 'per-token private secret storage'),
    }),
    auths: dict({
      'token/': mountEntry('token', 'token based credentials'),
      'approle/': mountEntry('approle', ''),
    }),
    policies: dict({ default: DEFAULT_POLICY_TEXT }),
    tokens: dict({
      [rootToken]: {
        id: rootToken,
        accessor: newAccessor(),
        policies: ['root'],
        displayName: 'root',
        meta: null,
        createdAt: now,
        ttl: 0,
        explicitMaxTtl: 0,
        renewable: false,
        orphan: true,
        path: 'auth/token/root',
        numUses: 0,
      },
    }),
    kv: dict({ 'secret/': { maxVersions: 0, casRequired: false, deleteVersionAfter: '0s', secrets: dict() } }),
    transit: dict({ 'transit/': { keys: dict() } }),
    approle: dict({ 'approle/': { roles: dict() } }),
  };
}

/**
 * The sandbox's shared core: state, clock, seal, policies and the token store. Backends and sys
 * routes go through it so that invariants (child tokens die with their parent, expired tokens are
 * gone) hold in one place.
 */
export class VaultCore {
  private sealedFlag: boolean;
  private unsealParts: Buffer[] = [];
  private unsealNonce = '';
  private readonly parsed = new Map<string, AclPolicy>();
  /** Kubernetes auth roles (configuration of the sandbox run, not persisted state). */
  kubernetes: KubernetesAuthConfig | undefined;
  /** The audit devices (`sys/audit`, `sys/audit-hash`); set by the server once built. */
  audit: AuditBroker | undefined;

  constructor(
    readonly state: VaultState,
    readonly clock: VaultClock,
    startSealed: boolean,
  ) {
    this.sealedFlag = startSealed;
  }

  // ---- seal ------------------------------------------------------------------------------

  get sealed(): boolean {
    return this.sealedFlag;
  }

  /** Seal-status body shared by sys/seal-status and sys/unseal. */
  sealStatus(): Record<string, unknown> {
    const base = {
      type: 'shamir',
      initialized: true,
      sealed: this.sealedFlag,
      t: this.state.seal.threshold,
      n: this.state.seal.shares,
      progress: this.unsealParts.length,
      nonce: this.unsealNonce,
      version: '1.17.0+sandbox',
      build_date: '2026-01-01T00:00:00Z',
      migration: false,
      recovery_seal: false,
      storage_type: 'inmem',
    };
    return this.sealedFlag ? base : { ...base, cluster_name: this.state.clusterName, cluster_id: this.state.clusterId };
  }

  seal(): void {
    this.sealedFlag = true;
    this.unsealParts = [];
    this.unsealNonce = '';
  }

  /** Adds one unseal key share (base64 or hex); unseals once the threshold is reached and the key checks out. */
  submitUnsealKey(key: string): void {
    if (!this.sealedFlag) return;
    const share = /^[0-9a-f]+$/i.test(key) && key.length % 2 === 0 ? Buffer.from(key, 'hex') : Buffer.from(key, 'base64');
    const expectedLength = Buffer.from(this.state.seal.keys[0] ?? '', 'base64').length;
    if (share.length !== expectedLength) throw badRequest("'key' must be a valid hex or base64 string");
    if (this.unsealParts.some((p) => p.equals(share))) return;
    if (this.unsealParts.length === 0) this.unsealNonce = newUuid();
    this.unsealParts.push(share);
    if (this.unsealParts.length < this.state.seal.threshold) return;
    const parts = this.unsealParts;
    this.unsealParts = [];
    this.unsealNonce = '';
    let candidate: Buffer;
    try {
      candidate = combineShares(parts);
    } catch {
      throw badRequest('invalid key');
    }
    const expected = Buffer.from(this.state.seal.rootKeyHash, 'hex');
    const actual = Buffer.from(sha256Hex(candidate.toString('hex')), 'hex');
    if (!timingSafeEqual(expected, actual)) throw badRequest('failed to decrypt keyring: cipher: message authentication failed');
    this.sealedFlag = false;
  }

  /** Forgets the shares entered so far. */
  resetUnseal(): void {
    this.unsealParts = [];
    this.unsealNonce = '';
  }

  // ---- policies --------------------------------------------------------------------------

  policy(name: string): AclPolicy | undefined {
    const text = this.state.policies[name];
    if (text === undefined) return undefined;
    const cached = this.parsed.get(name);
    if (cached && cached.text === text) return cached;
    const p = parsePolicy(name, text);
    this.parsed.set(name, p);
    return p;
  }

  /** The merged ACL of a token's policies (unknown policy names grant nothing, as in Vault). */
  aclFor(token: TokenEntry): Acl {
    const policies = token.policies.map((n) => this.policy(n)).filter((p): p is AclPolicy => p !== undefined);
    return new Acl(policies, token.policies.includes('root'));
  }

  // ---- tokens ----------------------------------------------------------------------------

  /** Revokes every token whose TTL has run out (and, with it, its children). */
  sweepExpired(): void {
    const now = this.clock.now();
    for (const t of Object.values(this.state.tokens)) {
      if (t.expireAt !== undefined && t.expireAt <= now && this.state.tokens[t.id]) this.revokeTree(t.id);
    }
  }

  /** A live token by id. */
  token(id: string | undefined): TokenEntry | undefined {
    if (!id) return undefined;
    this.sweepExpired();
    return this.state.tokens[id];
  }

  /** A live token by accessor. */
  tokenByAccessor(accessor: string): TokenEntry | undefined {
    this.sweepExpired();
    return Object.values(this.state.tokens).find((t) => t.accessor === accessor);
  }

  /** A live token by the lease id sys/leases uses for it. */
  tokenByLease(leaseId: string): TokenEntry | undefined {
    this.sweepExpired();
    return Object.values(this.state.tokens).find((t) => t.leaseId === leaseId);
  }

  createToken(spec: NewToken): TokenEntry {
    const now = this.clock.now();
    const id = spec.id ?? newTokenId();
    if (this.state.tokens[id]) throw badRequest('cannot create a token with a duplicate ID');
    const isRoot = spec.policies.includes('root');
    let ttl = spec.ttl > 0 ? Math.min(spec.ttl, SYSTEM_MAX_TTL_SECONDS) : isRoot && spec.parent?.expireAt === undefined ? 0 : SYSTEM_MAX_TTL_SECONDS;
    if (spec.explicitMaxTtl > 0 && (ttl === 0 || ttl > spec.explicitMaxTtl)) ttl = spec.explicitMaxTtl;
    const token: TokenEntry = {
      id,
      accessor: newAccessor(),
      policies: [...new Set(spec.policies)].sort(),
      ...(spec.orphan || !spec.parent ? {} : { parent: spec.parent.id }),
      displayName: spec.displayName,
      meta: spec.meta,
      createdAt: now,
      ttl,
      explicitMaxTtl: spec.explicitMaxTtl,
      ...(ttl > 0 ? { expireAt: now + ttl * 1000, leaseId: `${spec.path}/h${sha256Hex(id)}` } : {}),
      renewable: ttl > 0 && spec.renewable,
      orphan: spec.orphan || !spec.parent,
      path: spec.path,
      numUses: spec.numUses,
    };
    this.state.tokens[id] = token;
    return token;
  }

  /** Revokes a token and every token created beneath it (orphans survive, as in Vault). */
  revokeTree(id: string): void {
    const queue = [id];
    while (queue.length > 0) {
      const current = queue.shift() as string;
      if (!this.state.tokens[current]) continue;
      delete this.state.tokens[current];
      for (const t of Object.values(this.state.tokens)) if (t.parent === current) queue.push(t.id);
    }
  }

  /**
   * Extends a token's TTL from now by `increment` (or its original TTL), never past its explicit
   * max TTL or the system maximum counted from creation.
   */
  renewToken(token: TokenEntry, increment: number | undefined): void {
    if (!token.renewable || token.expireAt === undefined) throw badRequest('lease is not renewable');
    const now = this.clock.now();
    const wanted = increment && increment > 0 ? increment : token.ttl;
    let expireAt = now + wanted * 1000;
    const caps = [token.createdAt + SYSTEM_MAX_TTL_SECONDS * 1000];
    if (token.explicitMaxTtl > 0) caps.push(token.createdAt + token.explicitMaxTtl * 1000);
    expireAt = Math.min(expireAt, ...caps);
    token.expireAt = expireAt;
    token.lastRenewal = now;
  }

  /** Remaining seconds of a token's TTL; 0 for tokens that never expire. */
  remainingTtl(token: TokenEntry): number {
    if (token.expireAt === undefined) return 0;
    return Math.max(0, Math.floor((token.expireAt - this.clock.now()) / 1000));
  }

  /** Seconds granted by the last creation or renewal (what Vault reports as `lease_duration`). */
  grantedTtl(token: TokenEntry): number {
    return token.expireAt === undefined ? 0 : Math.round((token.expireAt - (token.lastRenewal ?? token.createdAt)) / 1000);
  }

  /** The `auth` block of a login or token-create response. */
  authBlock(token: TokenEntry, metadata: Record<string, string> | null = token.meta): Record<string, unknown> {
    return {
      client_token: token.id,
      accessor: token.accessor,
      policies: token.policies,
      token_policies: token.policies,
      metadata,
      lease_duration: this.grantedTtl(token),
      renewable: token.renewable,
      entity_id: '',
      token_type: 'service',
      orphan: token.orphan,
      mfa_requirement: null,
      num_uses: token.numUses,
    };
  }

  /** The `data` of auth/token/lookup*; the id is blanked for lookups by accessor, as in Vault. */
  lookupData(token: TokenEntry, includeId: boolean): Record<string, unknown> {
    const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
    return {
      accessor: token.accessor,
      creation_time: Math.floor(token.createdAt / 1000),
      creation_ttl: token.ttl,
      display_name: token.displayName,
      entity_id: '',
      expire_time: iso(token.expireAt),
      explicit_max_ttl: token.explicitMaxTtl,
      id: includeId ? token.id : '',
      issue_time: iso(token.createdAt),
      ...(token.lastRenewal === undefined ? {} : { last_renewal: iso(token.lastRenewal), last_renewal_time: Math.floor(token.lastRenewal / 1000) }),
      meta: token.meta,
      num_uses: token.numUses,
      orphan: token.orphan,
      path: token.path,
      policies: token.policies,
      renewable: token.renewable,
      ttl: this.remainingTtl(token),
      type: 'service',
    };
  }
}
