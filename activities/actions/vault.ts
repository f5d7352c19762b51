import { randomBytes } from 'node:crypto';
import type { VaultRevokeLeasePrefixParams } from '../../src/actions/vault-revoke-lease-prefix';
import type { VaultRevokeTokenAccessorParams } from '../../src/actions/vault-revoke-token-accessor';
import type { VaultRotateKvParams } from '../../src/actions/vault-rotate-kv';
import type { GenericActionInput, GenericActionResult } from '../../src/actions/contract';
import { checkpoint } from '../heartbeat';
import { VaultError } from '../../src/vault/errors';
import type { SecretsPort } from '../../src/vault/port';
import { accountFromPath } from '../../src/vault/audit-trace';
import { ActionRefused, asAction, previousCheckpoint } from './support';

/*
 * The three Vault actions. Revocations are idempotent in Vault itself (revoking what is gone
 * succeeds). Rotation must not write twice for one step: the attempt checkpoints the version it
 * rotates from before writing with check-and-set on it, and a retry that finds a newer version
 * than its checkpoint knows that write happened.
 */

/** What the Vault actions need. */
export interface VaultActionDeps {
  secrets: SecretsPort;
}

/** Checkpoint of `vault.rotate-kv`. */
interface RotateCheckpoint {
  stepKey: string;
  /** One path: the version it rotates from. */
  fromVersion?: number;
  /** Many paths: path → the version each rotates from. */
  fromVersions?: Record<string, number>;
}

function rotateCheckpoint(stepKey: string): RotateCheckpoint | undefined {
  const d = previousCheckpoint() as Partial<RotateCheckpoint> | undefined;
  if (!d || d.stepKey !== stepKey) return undefined;
  if (typeof d.fromVersion === 'number') return { stepKey, fromVersion: d.fromVersion };
  return d.fromVersions !== null && typeof d.fromVersions === 'object' ? { stepKey, fromVersions: d.fromVersions } : undefined;
}

function freshValue(bytes: number, encoding: 'base64url' | 'hex'): string {
  return randomBytes(bytes).toString(encoding);
}

/** The Vault actions' activities, by the names their definitions register. */
export function createVaultActionActivities(deps: VaultActionDeps) {
  const { secrets } = deps;
  return {
    async actionVaultRevokeLeasePrefix(input: GenericActionInput<VaultRevokeLeasePrefixParams>): Promise<GenericActionResult> {
      return asAction('vault.revoke-lease-prefix', async () => {
        await secrets.revokeLeasePrefix(input.params.prefix);
        return { summary: `revoked every Vault lease under ${input.params.prefix}`, details: { prefix: input.params.prefix } };
      });
    },

    async actionVaultRevokeTokenAccessor(input: GenericActionInput<VaultRevokeTokenAccessorParams>): Promise<GenericActionResult> {
      return asAction('vault.revoke-token-accessor', async () => {
        const details: Record<string, string> = {};
        let revoked = 0;
        for (const accessor of input.params.accessors) {
          // Read first: the details say which tokens were live (and whose) and which were already gone.
          let live: string | undefined;
          try {
            const info = await secrets.lookupTokenByAccessor(accessor);
            live = `revoked (${info.displayName}; policies ${info.policies.join(',')})`;
          } catch (err) {
            if (!(err instanceof VaultError && err.kind === 'not-found')) throw err;
          }
          if (live !== undefined) {
            await secrets.revokeTokenByAccessor(accessor);
            revoked++;
          }
          details[accessor] = live ?? 'already gone';
        }
        const gone = input.params.accessors.length - revoked;
        return { summary: `revoked ${revoked} Vault token(s) by accessor${gone > 0 ? `, ${gone} already gone` : ''}`, details: { revoked, ...details } };
      });
    },

    async actionVaultRotateKv(input: GenericActionInput<VaultRotateKvParams>): Promise<GenericActionResult> {
      return asAction('vault.rotate-kv', async () => {
        const p = input.params;
        const all = [...new Set([...(p.path !== undefined ? [p.path] : []), ...(p.paths ?? [])])];
        const except = p.exceptPathTemplate;
        const skipped = except === undefined ? [] : all.filter((path) => accountFromPath(path, except) !== undefined);
        const paths = all.filter((path) => !skipped.includes(path));
        // One path keeps the summary and details it always had; many get one line each.
        if (p.paths === undefined && paths.length === 1) return rotateOne(input.stepKey, paths[0] as string, p, {});
        const done = rotateCheckpoint(input.stepKey);
        const versions: Record<string, number> = { ...(done?.fromVersions ?? {}) };
        const details: Record<string, string> = {};
        for (const path of paths) {
          const r = await rotateOne(input.stepKey, path, p, versions);
          details[path] = `version ${String(r.details.previousVersion)} → ${String(r.details.version)}`;
        }
        for (const path of skipped) details[path] = 'skipped (exceptPathTemplate)';
        return { summary: `rotated ${paths.length} secret(s)${skipped.length > 0 ? `, skipped ${skipped.length}` : ''} (old versions kept)`, details: { rotated: paths.length, skipped: skipped.length, ...details } };
      });
    },
  };

  /**
   * One secret: read, checkpoint the version rotated from, write with check-and-set on it. A retry
   * that finds a version newer than its checkpoint knows the write happened. `versions` collects
   * the checkpoint of a multi-path step (path → version it rotates from).
   */
  async function rotateOne(stepKey: string, path: string, p: VaultRotateKvParams, versions: Record<string, number>): Promise<GenericActionResult> {
    let current;
    try {
      current = await secrets.readSecret(path);
    } catch (err) {
      if (err instanceof VaultError && err.kind === 'not-found') throw new ActionRefused('SecretNotFound', `path: no KV v2 secret at ${path} to rotate`);
      throw err;
    }
    const single = p.paths === undefined;
    const done = single ? rotateCheckpoint(stepKey)?.fromVersion : versions[path];
    const keys = p.keys ?? Object.keys(current.data).sort();
    if (done !== undefined && current.version > done) return rotated(path, keys, done, current.version, true);
    const missing = keys.filter((k) => !(k in current.data));
    if (missing.length > 0) throw new ActionRefused('SecretKeyMissing', `keys: ${path} has no key ${missing.join(', ')} (rotation replaces existing keys only)`);
    if (keys.length === 0) throw new ActionRefused('SecretKeyMissing', `keys: ${path} has no key to rotate`);
    versions[path] = current.version;
    checkpoint((single ? { stepKey, fromVersion: current.version } : { stepKey, fromVersions: versions }) satisfies RotateCheckpoint);
    const data: Record<string, unknown> = { ...current.data };
    for (const k of keys) data[k] = freshValue(p.bytes ?? 32, p.encoding ?? 'base64url');
    const written = await secrets.writeSecret(path, data, { cas: current.version });
    return rotated(path, keys, current.version, written.version, false);
  }
}

function rotated(path: string, keys: readonly string[], from: number, to: number, resumed: boolean): GenericActionResult {
  return {
    summary: `rotated ${keys.join(', ')} at ${path}: version ${from} → ${to} (version ${from} kept)`,
    details: { path, keys: keys.join(','), previousVersion: from, version: to, ...(resumed ? { resumed: true } : {}) },
  };
}
