import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../log/logger';
import type { RunningSandbox, SandboxStartOptions } from '../types';
import { AuditLog, type AuditEntry } from './audit';
import { AuditBroker } from './audit-devices';
import { systemClock, type VaultClock } from './clock';
import { initialState, VaultCore } from './core';
import { listenHttp1 } from './http1';
import { loadSnapshot, saveSnapshot } from './persistence';
import type { KubernetesAuthConfig } from './routes-kubernetes';
import { createPipeline, type FaultState } from './server';

export { ManualClock, type VaultClock } from './clock';
export type { AuditEntry } from './audit';
export type { KubernetesAuthConfig, KubernetesRole } from './routes-kubernetes';

/** Options of the Vault sandbox beyond the common sandbox options. */
export interface VaultSandboxOptions extends SandboxStartOptions {
  /** Time source for TTLs; tests pass a `ManualClock`. @default the wall clock */
  clock?: VaultClock;
  /** Number of unseal key shares for a new data directory. @default 1 */
  unsealShares?: number;
  /** Shares needed to unseal. @default 1 */
  unsealThreshold?: number;
  /** Start sealed, as a real Vault restart does. @default false (dev-server style) */
  startSealed?: boolean;
  /** Serve HTTPS with this PEM key and certificate (`address` becomes https://). @default plain HTTP */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Kubernetes auth roles, served at `auth/<mount>/login`. @default no Kubernetes auth */
  kubernetes?: KubernetesAuthConfig;
  /** Audit device file (JSON lines), e.g. for a drill scenario to read. @default `<dataDir>/audit.log`, none without a data dir */
  auditFile?: string;
}

/** Fault hooks (design §4). */
export interface VaultFaults {
  /** Adds wall-clock latency to every request; 0 turns it off. */
  setLatency(ms: number): void;
  /** The next `count` requests answer `status` (default 503) without being served. */
  failNext(count: number, status?: number): void;
  /** Closes every open client connection. */
  dropConnections(): void;
  /** Clears latency and pending failures. */
  reset(): void;
  /** How many requests are being held back by the latency hook right now. */
  delayedRequests(): number;
}

/** A started Vault sandbox with the handles tests and drills need. */
export interface RunningVaultSandbox extends RunningSandbox {
  readonly name: 'vault';
  /** `http://host:port`, what `VAULT_ADDR` would hold. */
  readonly address: string;
  readonly rootToken: string;
  /** Unseal key shares (base64), as `vault operator init` prints them. */
  readonly unsealKeys: readonly string[];
  readonly clock: VaultClock;
  readonly faults: VaultFaults;
  /** Seals the server, as `PUT sys/seal` with a root token would. */
  seal(): void;
  /** Unseals with the stored key shares. */
  unseal(): void;
  isSealed(): boolean;
  /** Audit device: entries so far (secrets HMAC-ed) and the HMAC used, to look values up. */
  readonly audit: {
    entries(): AuditEntry[];
    hash(value: string): string;
    clear(): void;
  };
}

/**
 * Starts the Vault sandbox: Vault's HTTP API subset with `secret/` (KV v2), `transit/` and
 * `auth/approle` mounted. With `dataDir`, state is snapshotted to `<dataDir>/state.json` after each
 * change and the audit log appended to `<dataDir>/audit.log`; a restart on the same directory keeps
 * secrets, tokens, policies and the root token.
 */
export async function start(options: VaultSandboxOptions = {}): Promise<RunningVaultSandbox> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const dataDir = options.dataDir;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const state = (dataDir ? loadSnapshot(dataDir) : undefined) ?? initialState({ shares: options.unsealShares, threshold: options.unsealThreshold }, clock.now());
  const core = new VaultCore(state, clock, options.startSealed ?? false);
  core.kubernetes = options.kubernetes;
  const audit = new AuditLog(Buffer.from(state.auditSalt, 'base64'), options.auditFile ?? (dataDir ? join(dataDir, 'audit.log') : undefined));
  // With `auditFile` the server starts as a Vault configured with a file audit device at `file/`:
  // listed by sys/audit and hashed by sys/audit-hash/file with the log's own salt.
  const broker = new AuditBroker(audit, state, options.auditFile !== undefined ? { path: 'file/', filePath: options.auditFile } : undefined);
  core.audit = broker;
  const faults: FaultState = { latencyMs: 0, failNext: { count: 0, status: 503 }, delayed: 0 };
  const persist = (): void => {
    if (!dataDir) return;
    try {
      saveSnapshot(dataDir, state);
    } catch (err) {
      logger.error({ err }, 'vault sandbox could not write its snapshot');
    }
  };
  persist();
  const pipeline = createPipeline({ core, audit: broker, faults, logger, persist });
  const http = await listenHttp1(host, options.port ?? 0, pipeline, options.tls ? { key: options.tls.key, cert: options.tls.cert } : undefined);
  const address = `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${http.port}`;
  logger.info({ address, dataDir }, 'vault sandbox listening');

  return {
    name: 'vault',
    address,
    rootToken: state.rootToken,
    unsealKeys: [...state.seal.keys],
    connection: { address, rootToken: state.rootToken, unsealKeys: [...state.seal.keys], unsealThreshold: state.seal.threshold },
    clock,
    faults: {
      setLatency: (ms) => {
        faults.latencyMs = Math.max(0, ms);
      },
      failNext: (count, status = 503) => {
        faults.failNext = { count, status };
      },
      dropConnections: () => http.dropConnections(),
      reset: () => {
        faults.latencyMs = 0;
        faults.failNext = { count: 0, status: 503 };
      },
      delayedRequests: () => faults.delayed,
    },
    seal: () => core.seal(),
    unseal: () => {
      core.resetUnseal();
      for (const key of state.seal.keys.slice(0, state.seal.threshold)) core.submitUnsealKey(key);
    },
    isSealed: () => core.sealed,
    audit: {
      entries: () => audit.all(),
      hash: (value) => audit.hash(value),
      clear: () => audit.clear(),
    },
    close: async () => {
      await http.close();
      persist();
    },
  };
}
