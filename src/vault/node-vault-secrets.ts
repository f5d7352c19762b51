import nodeVault from 'node-vault';
import type { z } from 'zod';
import { silentLogger, type Logger } from '../log/logger';
import { VaultSession, type VaultAuth, type VaultSessionOptions } from './auth';
import { classify, classifyNoResponse } from './classify';
import { VaultError } from './errors';
import type { CreatedToken, CreateTokenRequest, DataKey, SecretMetadata, SecretsPort, SecretVersion, SigningKeyInfo, TokenInfo, VersionState, WrittenVersion } from './port';
import {
  authResponse,
  batchResponse,
  ciphertextResponse,
  dataKeyResponse,
  hmacResponse,
  keysResponse,
  kvMetadataResponse,
  kvReadResponse,
  kvWriteResponse,
  plaintextResponse,
  signatureResponse,
  tokenLookupResponse,
  transitKeyResponse,
  verifyResponse,
  auditHashResponse,
} from './schemas';

/** Options of {@link createVaultSecrets}. */
export interface VaultSecretsOptions {
  /** Vault base URL, e.g. `https://vault.internal:8200`. */
  address: string;
  /** Token the orchestrator acts with; give it only the policies it needs. Or use `auth`. */
  token?: string;
  /** Log in (AppRole, Kubernetes) instead of a fixed token; the lease is renewed before it ends. */
  auth?: VaultAuth;
  /** PEM CA bundle for an https address. @default Node's trusted roots */
  ca?: string;
  /** Lease timing of a login token (tests pass the sandbox's clock). */
  session?: Pick<VaultSessionOptions, 'now' | 'renewAfter' | 'schedule' | 'retryMs'>;
  /** KV v2 mount. @default 'secret' */
  kvMount?: string;
  /** Transit mount. @default 'transit' */
  transitMount?: string;
  /** AppRole auth mount. @default 'approle' */
  approleMount?: string;
  /** Per-request timeout; a timeout is an `unavailable` (retriable) error. @default 10000 */
  requestTimeoutMs?: number;
  /** @default silentLogger */
  logger?: Logger;
}

type Client = ReturnType<typeof nodeVault>;

// node-vault rejects with ApiResponseError carrying `response.statusCode` and the parsed body.
function httpFailure(err: unknown): { status: number; errors: string[] } | undefined {
  if (!err || typeof err !== 'object' || !('response' in err)) return undefined;
  const response = (err as { response?: unknown }).response;
  if (!response || typeof response !== 'object') return undefined;
  const status = (response as { statusCode?: unknown }).statusCode;
  if (typeof status !== 'number') return undefined;
  const body = (response as { body?: unknown }).body;
  const raw = body && typeof body === 'object' && 'errors' in body ? (body as { errors?: unknown }).errors : undefined;
  const errors = Array.isArray(raw) ? raw.filter((e): e is string => typeof e === 'string') : [];
  return { status, errors };
}

/** Encodes each path segment so a secret name cannot break out of its path. */
function encodePath(path: string): string {
  const segments = path.replace(/^\/+|\/+$/g, '').split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) throw new VaultError({ kind: 'invalid-request', path, operation: 'path', reason: 'empty or relative path segment' });
  return segments.map(encodeURIComponent).join('/');
}

// node-vault renders helper paths with mustache, which HTML-escapes values; restrict names so the
// rendered path is always the intended one.
function checkName(name: string, what: string, path: string, operation: string): void {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new VaultError({ kind: 'invalid-request', path, operation, reason: `${what} has characters outside [A-Za-z0-9_.-]` });
}

class NodeVaultSecrets implements SecretsPort {
  private readonly kv: string;
  private readonly transit: string;
  private readonly approle: string;
  private readonly timeout: number;
  private readonly logger: Logger;

  constructor(
    private readonly client: Client,
    options: VaultSecretsOptions,
    private readonly session?: VaultSession,
  ) {
    this.kv = options.kvMount?.replace(/^\/+|\/+$/g, '') ?? 'secret';
    this.transit = options.transitMount?.replace(/^\/+|\/+$/g, '') ?? 'transit';
    this.approle = options.approleMount?.replace(/^\/+|\/+$/g, '') ?? 'approle';
    this.timeout = options.requestTimeoutMs ?? 10_000;
    this.logger = options.logger ?? silentLogger;
  }

  /** Runs one call, turning every failure into a VaultError and every answer into a checked shape. */
  private async call<T>(operation: string, path: string, run: () => Promise<unknown>, schema: z.ZodType<T>): Promise<T> {
    const raw = await this.authenticated(operation, path, run);
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      this.logger.warn({ operation, path }, 'vault answered in an unexpected shape');
      throw new VaultError({ kind: 'invalid-request', path, operation, reason: 'unexpected response shape' });
    }
    return parsed.data;
  }

  private async callVoid(operation: string, path: string, run: () => Promise<unknown>): Promise<void> {
    await this.authenticated(operation, path, run);
  }

  /**
   * Runs a call with a live token. A login token refused with 403 (revoked, or expired while the
   * clock jumped) gets one fresh login and one retry; a second 403 is a real permission problem.
   */
  private async authenticated(operation: string, path: string, run: () => Promise<unknown>): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.session?.ensure();
        return await run();
      } catch (err) {
        const error = this.translate(err, operation, path);
        if (this.session && attempt === 0 && error.kind === 'permission-denied') {
          this.session.invalidate();
          continue;
        }
        throw error;
      }
    }
  }

  private translate(err: unknown, operation: string, path: string): VaultError {
    if (err instanceof VaultError) return err;
    const failure = httpFailure(err);
    const error = failure
      ? new VaultError({ ...classify(failure.status, failure.errors), status: failure.status, path, operation })
      : new VaultError({ ...classifyNoResponse(err), path, operation });
    this.logger.debug({ operation, path, kind: error.kind, status: error.status }, 'vault call failed');
    return error;
  }

  private opts(): Record<string, unknown> {
    return { timeout: this.timeout };
  }

  async readSecret(path: string, options: { version?: number } = {}): Promise<SecretVersion> {
    const apiPath = `${this.kv}/data/${encodePath(path)}`;
    const query = options.version === undefined ? '' : `?version=${options.version}`;
    const res = await this.call('readSecret', apiPath, () => this.client.read(`${apiPath}${query}`, this.opts()), kvReadResponse);
    return { data: res.data.data, version: res.data.metadata.version, createdTime: res.data.metadata.created_time };
  }

  async writeSecret(path: string, data: Readonly<Record<string, unknown>>, options: { cas?: number } = {}): Promise<WrittenVersion> {
    const apiPath = `${this.kv}/data/${encodePath(path)}`;
    const body = options.cas === undefined ? { data } : { data, options: { cas: options.cas } };
    const res = await this.call('writeSecret', apiPath, () => this.client.write(apiPath, body, this.opts()), kvWriteResponse);
    return { version: res.data.version, createdTime: res.data.created_time };
  }

  async readSecretMetadata(path: string): Promise<SecretMetadata> {
    const apiPath = `${this.kv}/metadata/${encodePath(path)}`;
    const res = await this.call('readSecretMetadata', apiPath, () => this.client.read(apiPath, this.opts()), kvMetadataResponse);
    const d = res.data;
    const versions: Record<number, VersionState> = {};
    for (const [n, v] of Object.entries(d.versions)) versions[Number(n)] = { createdTime: v.created_time, deletionTime: v.deletion_time, destroyed: v.destroyed };
    return {
      currentVersion: d.current_version,
      oldestVersion: d.oldest_version,
      maxVersions: d.max_versions,
      casRequired: d.cas_required,
      createdTime: d.created_time,
      updatedTime: d.updated_time,
      versions,
    };
  }

  async listTokenAccessors(): Promise<string[]> {
    const res = await this.call('listTokenAccessors', 'auth/token/accessors', () => this.client.tokenAccessors({ requestOptions: this.opts() }), keysResponse);
    return res.data.keys;
  }

  async lookupTokenByAccessor(accessor: string): Promise<TokenInfo> {
    const res = await this.call(
      'lookupTokenByAccessor',
      'auth/token/lookup-accessor',
      () => this.client.tokenLookupAccessor({ accessor, requestOptions: this.opts() }),
      tokenLookupResponse,
    );
    const d = res.data;
    return {
      accessor: d.accessor,
      policies: d.policies,
      displayName: d.display_name,
      meta: d.meta ?? {},
      ttlSeconds: d.ttl,
      expireTime: d.expire_time,
      renewable: d.renewable,
      orphan: d.orphan,
      path: d.path,
      ...(d.creation_time !== undefined ? { createdAt: new Date(d.creation_time * 1000).toISOString() } : {}),
    };
  }

  async revokeTokenByAccessor(accessor: string): Promise<void> {
    await this.callVoid('revokeTokenByAccessor', 'auth/token/revoke-accessor', () => this.client.tokenRevokeAccessor({ accessor, requestOptions: this.opts() }));
  }

  // Generic action `vault.revoke-lease-prefix` (issue 17): each segment is encoded, the slashes kept.
  async revokeLeasePrefix(prefix: string): Promise<void> {
    const apiPath = `sys/leases/revoke-prefix/${encodePath(prefix)}`;
    await this.callVoid('revokeLeasePrefix', apiPath, () => this.client.write(apiPath, {}, this.opts()));
  }

  // Leaked-token playbook (issue 17, item 4): find a known accessor in the audit log.
  async auditHash(device: string, input: string): Promise<string> {
    checkName(device, 'audit device', `sys/audit-hash/${device}`, 'auditHash');
    const apiPath = `sys/audit-hash/${encodePath(device)}`;
    const res = await this.call('auditHash', apiPath, () => this.client.write(apiPath, { input }, this.opts()), auditHashResponse);
    return res.data.hash;
  }

  async createToken(request: CreateTokenRequest): Promise<CreatedToken> {
    const body: Record<string, unknown> = { policies: [...request.policies] };
    if (request.ttl !== undefined) body.ttl = String(request.ttl);
    if (request.explicitMaxTtl !== undefined) body.explicit_max_ttl = String(request.explicitMaxTtl);
    if (request.displayName !== undefined) body.display_name = request.displayName;
    if (request.meta !== undefined) body.meta = { ...request.meta };
    if (request.renewable !== undefined) body.renewable = request.renewable;
    if (request.noParent !== undefined) body.no_parent = request.noParent;
    if (request.noDefaultPolicy !== undefined) body.no_default_policy = request.noDefaultPolicy;
    // Not node-vault's tokenCreate helper: it is marked as a token source and would switch this
    // client over to the token it just created.
    const res = await this.call('createToken', 'auth/token/create', () => this.client.write('auth/token/create', body, this.opts()), authResponse);
    const a = res.auth;
    return { token: a.client_token, accessor: a.accessor, policies: a.policies, ttlSeconds: a.lease_duration, renewable: a.renewable };
  }

  async listSecretIdAccessors(role: string): Promise<string[]> {
    const path = `auth/${this.approle}/role/${role}/secret-id`;
    checkName(role, 'role name', path, 'listSecretIdAccessors');
    try {
      const res = await this.call(
        'listSecretIdAccessors',
        path,
        () => this.client.approleSecretAccessors({ role_name: role, mount_point: this.approle, requestOptions: this.opts() }),
        keysResponse,
      );
      return res.data.keys;
    } catch (err) {
      // Vault answers an empty list with 404; for a caller, "none" is the answer.
      if (err instanceof VaultError && err.kind === 'not-found') return [];
      throw err;
    }
  }

  async destroySecretIdByAccessor(role: string, accessor: string): Promise<void> {
    const path = `auth/${this.approle}/role/${role}/secret-id-accessor/destroy`;
    checkName(role, 'role name', path, 'destroySecretIdByAccessor');
    // This helper has no schema in node-vault, so it posts all of its arguments as the body;
    // Vault ignores the extra fields.
    await this.callVoid('destroySecretIdByAccessor', path, () =>
      this.client.approleSecretAccessorDestroy({ role_name: role, mount_point: this.approle, secret_id_accessor: accessor, requestOptions: this.opts() }),
    );
  }

  private transitPath(op: string, key: string, operation: string): string {
    const path = `${this.transit}/${op}/${key}`;
    checkName(key, 'key name', path, operation);
    return path;
  }

  async encrypt(key: string, plaintext: Buffer, options: { keyVersion?: number } = {}): Promise<string> {
    const path = this.transitPath('encrypt', key, 'encrypt');
    const body: Record<string, unknown> = { plaintext: plaintext.toString('base64') };
    if (options.keyVersion !== undefined) body.key_version = options.keyVersion;
    const res = await this.call('encrypt', path, () => this.client.write(path, body, this.opts()), ciphertextResponse);
    return res.data.ciphertext;
  }

  async encryptBatch(key: string, plaintexts: readonly Buffer[]): Promise<string[]> {
    if (plaintexts.length === 0) return [];
    const path = this.transitPath('encrypt', key, 'encryptBatch');
    const body = { batch_input: plaintexts.map((p) => ({ plaintext: p.toString('base64') })) };
    const res = await this.call('encryptBatch', path, () => this.client.write(path, body, this.opts()), batchResponse);
    return res.data.batch_results.map((r) => {
      if (r.ciphertext === undefined) throw new VaultError({ kind: 'invalid-request', path, operation: 'encryptBatch', reason: 'a batch item failed' });
      return r.ciphertext;
    });
  }

  async decrypt(key: string, ciphertext: string): Promise<Buffer> {
    const path = this.transitPath('decrypt', key, 'decrypt');
    const res = await this.call('decrypt', path, () => this.client.write(path, { ciphertext }, this.opts()), plaintextResponse);
    return Buffer.from(res.data.plaintext, 'base64');
  }

  async decryptBatch(key: string, ciphertexts: readonly string[]): Promise<Buffer[]> {
    if (ciphertexts.length === 0) return [];
    const path = this.transitPath('decrypt', key, 'decryptBatch');
    const body = { batch_input: ciphertexts.map((ciphertext) => ({ ciphertext })) };
    const res = await this.call('decryptBatch', path, () => this.client.write(path, body, this.opts()), batchResponse);
    return res.data.batch_results.map((r) => {
      if (r.plaintext === undefined) throw new VaultError({ kind: 'invalid-request', path, operation: 'decryptBatch', reason: 'a batch item failed' });
      return Buffer.from(r.plaintext, 'base64');
    });
  }

  async hmac(key: string, input: Buffer, options: { keyVersion?: number } = {}): Promise<string> {
    const path = this.transitPath('hmac', key, 'hmac');
    const body: Record<string, unknown> = { input: input.toString('base64'), algorithm: 'sha2-256' };
    if (options.keyVersion !== undefined) body.key_version = options.keyVersion;
    const res = await this.call('hmac', path, () => this.client.write(path, body, this.opts()), hmacResponse);
    return res.data.hmac;
  }

  async verifyHmac(key: string, input: Buffer, hmac: string): Promise<boolean> {
    const path = this.transitPath('verify', key, 'verifyHmac');
    const body = { input: input.toString('base64'), hmac, algorithm: 'sha2-256' };
    const res = await this.call('verifyHmac', path, () => this.client.write(path, body, this.opts()), verifyResponse);
    return res.data.valid;
  }

  async publicKeys(key: string): Promise<SigningKeyInfo> {
    const path = this.transitPath('keys', key, 'publicKeys');
    const res = await this.call('publicKeys', path, () => this.client.read(path, this.opts()), transitKeyResponse);
    const publicKeys: Record<number, string> = {};
    for (const [n, v] of Object.entries(res.data.keys)) if (typeof v === 'object' && v.public_key !== undefined) publicKeys[Number(n)] = v.public_key;
    return { name: res.data.name, type: res.data.type, latestVersion: res.data.latest_version, publicKeys };
  }

  async ensureSigningKey(key: string): Promise<SigningKeyInfo> {
    const path = this.transitPath('keys', key, 'ensureSigningKey');
    let info: SigningKeyInfo;
    try {
      info = await this.publicKeys(key);
    } catch (err) {
      if (!(err instanceof VaultError && err.kind === 'not-found')) throw err;
      await this.callVoid('ensureSigningKey', path, () => this.client.write(path, { type: 'ed25519' }, this.opts()));
      info = await this.publicKeys(key);
    }
    if (info.type !== 'ed25519') throw new VaultError({ kind: 'invalid-request', path, operation: 'ensureSigningKey', reason: `transit key ${key} is ${info.type}, not ed25519` });
    return info;
  }

  async sign(key: string, input: Buffer): Promise<string> {
    const path = this.transitPath('sign', key, 'sign');
    const res = await this.call('sign', path, () => this.client.write(path, { input: input.toString('base64') }, this.opts()), signatureResponse);
    return res.data.signature;
  }

  async verifySignature(key: string, input: Buffer, signature: string): Promise<boolean> {
    const path = this.transitPath('verify', key, 'verifySignature');
    const res = await this.call('verifySignature', path, () => this.client.write(path, { input: input.toString('base64'), signature }, this.opts()), verifyResponse);
    return res.data.valid;
  }

  // Envelope encryption (issue 15).
  async ensureEncryptionKey(key: string): Promise<void> {
    const path = this.transitPath('keys', key, 'ensureEncryptionKey');
    let type: string;
    try {
      type = (await this.call('ensureEncryptionKey', path, () => this.client.read(path, this.opts()), transitKeyResponse)).data.type;
    } catch (err) {
      if (!(err instanceof VaultError && err.kind === 'not-found')) throw err;
      await this.callVoid('ensureEncryptionKey', path, () => this.client.write(path, { type: 'aes256-gcm96' }, this.opts()));
      return;
    }
    if (!type.startsWith('aes') && !type.startsWith('chacha')) throw new VaultError({ kind: 'invalid-request', path, operation: 'ensureEncryptionKey', reason: `transit key ${key} is ${type}, which cannot wrap data keys` });
  }

  async generateDataKey(key: string): Promise<DataKey> {
    const path = this.transitPath('datakey/plaintext', key, 'generateDataKey');
    const res = await this.call('generateDataKey', path, () => this.client.write(path, { bits: 256 }, this.opts()), dataKeyResponse);
    return { plaintext: Buffer.from(res.data.plaintext, 'base64'), ciphertext: res.data.ciphertext, keyVersion: res.data.key_version };
  }
}

/**
 * Creates the secrets port backed by node-vault. The client is private to the adapter, so callers
 * depend on {@link SecretsPort} only and tests can point the same code at the Vault sandbox.
 */
export function createVaultSecrets(options: VaultSecretsOptions): SecretsPort {
  const auth: VaultAuth | undefined = options.auth ?? (options.token !== undefined ? { method: 'token', token: options.token } : undefined);
  if (!auth) throw new TypeError('vault: give a token or an auth method');
  const client = nodeVault({
    endpoint: options.address,
    apiVersion: 'v1',
    ...(auth.method === 'token' ? { token: auth.token } : {}),
    ...(options.ca !== undefined ? { requestOptions: { ca: options.ca } } : {}),
  });
  const session = auth.method === 'token'
    ? undefined
    : new VaultSession(client, auth, { ...options.session, requestTimeoutMs: options.requestTimeoutMs, ...(options.logger ? { logger: options.logger } : {}) });
  return new NodeVaultSecrets(client, options, session);
}
