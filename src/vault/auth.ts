import { readFile } from 'node:fs/promises';
import type nodeVault from 'node-vault';
import { silentLogger, type Logger } from '../log/logger';
import { classify, classifyNoResponse } from './classify';
import { VaultError } from './errors';
import { authResponse } from './schemas';

/**
 * How the orchestrator gets its Vault token. `token` is a fixed token used as given; `approle`
 * and `kubernetes` log in and the resulting lease is managed by {@link VaultSession}.
 */
export type VaultAuth =
  | { method: 'token'; token: string }
  | {
      method: 'approle';
      roleId: string;
      /** The secret_id, asked at every login so a rotated file is picked up. A credential. */
      secretId: () => Promise<string>;
      /** @default 'approle' */
      mount?: string;
    }
  | {
      method: 'kubernetes';
      role: string;
      /** The service-account JWT, read at every login (Kubernetes rotates projected tokens). */
      jwt: () => Promise<string>;
      /** @default 'kubernetes' */
      mount?: string;
    };

/** A secret read from a file at each use, trimmed; a read failure names the file, never the content. */
export function fileSecret(path: string, what: string): () => Promise<string> {
  return async () => {
    try {
      const value = (await readFile(path, 'utf8')).trim();
      if (value === '') throw new Error('empty');
      return value;
    } catch (err) {
      throw new VaultError({ kind: 'invalid-request', path, operation: 'login', reason: `cannot read the ${what} file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    }
  };
}

type Client = ReturnType<typeof nodeVault>;

/**
 * Runs `task` once after `delayMs` and returns a function that cancels it. The default is an
 * unref'd `setTimeout`, so a pending renewal never keeps a process alive; tests pass one driven
 * by the Vault sandbox's manual clock.
 */
export type RenewalScheduler = (task: () => Promise<void>, delayMs: number) => () => void;

/** Longest delay `setTimeout` takes (about 24.8 days); a longer lease is checked again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const unrefTimer: RenewalScheduler = (task, delayMs) => {
  const timer = setTimeout(() => void task(), Math.min(Math.max(0, delayMs), MAX_TIMER_MS));
  timer.unref();
  return () => clearTimeout(timer);
};

/** Options of {@link VaultSession}. */
export interface VaultSessionOptions {
  /**
   * Renews (or logs in again) in the background when `renewAfter` of the lease has passed, so a
   * process idle for longer than the TTL (a worker between incidents) still holds a live token
   * and its leases; `false` renews only before calls. @default an unref'd timer
   */
  schedule?: RenewalScheduler | false;
  /** Wait before the background retries a renewal or login that failed (Vault down). @default 5000 */
  retryMs?: number;
  /** Renew once this fraction of the lease has passed (Vault's own agent renews at about 2/3). @default 2/3 */
  renewAfter?: number;
  /** Time source; tests pass the sandbox's manual clock. @default Date.now */
  now?: () => number;
  /** Per-request timeout. @default 10000 */
  requestTimeoutMs?: number;
  logger?: Logger;
}

interface Lease {
  /** Epoch ms at which to renew (or log in again). */
  renewAt: number;
  /** Epoch ms at which the token stops working. */
  expiresAt: number;
  renewable: boolean;
  /** Seconds granted by the login; a renewal granting less has hit the max TTL. */
  granted: number;
}

/**
 * Keeps a login token alive for a node-vault client: logs in on first use, renews with
 * `auth/token/renew-self` once `renewAfter` of the lease has passed, and logs in again when the
 * token is not renewable, when a renewal is refused, or when the max TTL caps the renewal (the
 * lease handling of Vault's LifetimeWatcher). Callers run {@link ensure} before each request and
 * {@link invalidate} after a 403 that a fresh login might cure. Concurrent callers share one login.
 */
export class VaultSession {
  private lease: Lease | undefined;
  private pending: Promise<void> | undefined;
  /** Cancels the background renewal armed for the current lease. */
  private cancelTimer: (() => void) | undefined;
  private stopped = false;
  private readonly now: () => number;
  private readonly logger: Logger;
  /** Logins and renewals so far, for tests and metrics. */
  readonly counts = { logins: 0, renewals: 0 };

  constructor(
    private readonly client: Client,
    private readonly auth: Exclude<VaultAuth, { method: 'token' }>,
    private readonly options: VaultSessionOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.logger = (options.logger ?? silentLogger).child({ component: 'vault-auth' });
  }

  /** Makes sure the client holds a live token. */
  async ensure(): Promise<void> {
    const lease = this.lease;
    if (lease && this.now() < lease.renewAt) return;
    this.pending ??= this.refresh(lease).finally(() => {
      this.pending = undefined;
    });
    await this.pending;
  }

  /** Forgets the token, so the next {@link ensure} logs in again. */
  invalidate(): void {
    this.lease = undefined;
    this.disarm();
  }

  /** Stops the background renewal (calls still renew before they run). */
  stop(): void {
    this.stopped = true;
    this.disarm();
  }

  private disarm(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /** Arms the background renewal for the current lease, or a retry after a failed one. */
  private arm(delayMs: number): void {
    this.disarm();
    const schedule = this.options.schedule ?? unrefTimer;
    if (schedule === false || this.stopped || !Number.isFinite(delayMs)) return;
    this.cancelTimer = schedule(() => this.renewInBackground(), delayMs);
  }

  private async renewInBackground(): Promise<void> {
    this.cancelTimer = undefined;
    if (this.stopped) return;
    const before = this.lease;
    try {
      await this.ensure();
      // A lease past setTimeout's range (or one not yet due): check again at its renewal time.
      if (this.lease === before && before) this.arm(before.renewAt - this.now());
    } catch (err) {
      this.logger.warn({ kind: err instanceof VaultError ? err.kind : 'unknown' }, 'vault token refresh in the background failed; retrying');
      this.arm(this.options.retryMs ?? 5_000);
    }
  }

  private async refresh(lease: Lease | undefined): Promise<void> {
    if (lease && lease.renewable && this.now() < lease.expiresAt) {
      try {
        await this.renew(lease);
        return;
      } catch (err) {
        this.logger.warn({ kind: err instanceof VaultError ? err.kind : 'unknown' }, 'vault token renewal refused; logging in again');
      }
    }
    await this.login();
  }

  private opts(): Record<string, unknown> {
    return { requestOptions: { timeout: this.options.requestTimeoutMs ?? 10_000 } };
  }

  private record(auth: { lease_duration: number; renewable: boolean }, granted: number): void {
    const now = this.now();
    const seconds = auth.lease_duration;
    // A lease of 0 never expires (a periodic root-like token): nothing to renew.
    const expiresAt = seconds > 0 ? now + seconds * 1000 : Number.POSITIVE_INFINITY;
    const renewAt = seconds > 0 ? now + seconds * 1000 * (this.options.renewAfter ?? 2 / 3) : Number.POSITIVE_INFINITY;
    this.lease = { renewAt, expiresAt, renewable: auth.renewable, granted };
    this.arm(renewAt - now);
  }

  private async login(): Promise<void> {
    const mount = this.auth.mount ?? this.auth.method;
    if (!/^[A-Za-z0-9_./-]+$/.test(mount)) throw new VaultError({ kind: 'invalid-request', path: `auth/${mount}`, operation: 'login', reason: 'mount has characters outside [A-Za-z0-9_./-]' });
    const path = `auth/${mount}/login`;
    let raw: unknown;
    try {
      raw = this.auth.method === 'approle'
        ? await this.client.approleLogin({ role_id: this.auth.roleId, secret_id: await this.auth.secretId(), mount_point: mount, ...this.opts() })
        : await this.client.kubernetesLogin({ role: this.auth.role, jwt: await this.auth.jwt(), mount_point: mount, ...this.opts() });
    } catch (err) {
      throw translate(err, path, 'login');
    }
    const parsed = authResponse.safeParse(raw);
    if (!parsed.success) throw new VaultError({ kind: 'invalid-request', path, operation: 'login', reason: 'unexpected response shape' });
    this.client.token = parsed.data.auth.client_token;
    this.counts.logins += 1;
    this.record(parsed.data.auth, parsed.data.auth.lease_duration);
    this.logger.info({ method: this.auth.method, ttl: parsed.data.auth.lease_duration, renewable: parsed.data.auth.renewable }, 'vault login');
  }

  private async renew(lease: Lease): Promise<void> {
    let raw: unknown;
    try {
      raw = await this.client.tokenRenewSelf({ increment: lease.granted, ...this.opts() });
    } catch (err) {
      throw translate(err, 'auth/token/renew-self', 'renew');
    }
    const parsed = authResponse.safeParse(raw);
    if (!parsed.success) throw new VaultError({ kind: 'invalid-request', path: 'auth/token/renew-self', operation: 'renew', reason: 'unexpected response shape' });
    this.counts.renewals += 1;
    const auth = parsed.data.auth;
    // Capped by the max TTL: renewing again cannot help, so the next refresh logs in instead.
    const capped = auth.lease_duration < lease.granted;
    this.record({ lease_duration: auth.lease_duration, renewable: auth.renewable && !capped }, lease.granted);
    this.logger.debug({ ttl: auth.lease_duration, capped }, 'vault token renewed');
  }
}

/** node-vault's rejection → {@link VaultError}, with Vault's status but never the request body. */
function translate(err: unknown, path: string, operation: string): VaultError {
  const response = err !== null && typeof err === 'object' && 'response' in err ? (err as { response?: { statusCode?: unknown; body?: unknown } }).response : undefined;
  const status = typeof response?.statusCode === 'number' ? response.statusCode : undefined;
  if (status === undefined) return err instanceof VaultError ? err : new VaultError({ ...classifyNoResponse(err), path, operation });
  const body = response?.body;
  const raw = body && typeof body === 'object' && 'errors' in body ? (body as { errors?: unknown }).errors : undefined;
  const errors = Array.isArray(raw) ? raw.filter((e): e is string => typeof e === 'string') : [];
  return new VaultError({ ...classify(status, errors), status, path, operation });
}
