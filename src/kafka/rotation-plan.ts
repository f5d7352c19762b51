import type { PlannedChange } from '../domain/events';
import type { SecretsPort } from '../vault/port';
import { serviceAccountPath } from '../vault/service-accounts';
import { readStoredAccount } from './account-rotation';
import { findAccountTokenAccessors, listRoleSecretIds } from './compromised-account';
import type { ScramAdmin, ScramMechanism } from './scram-admin';
import { scramMechanismsOf } from './scram-rotation';

/**
 * Dry-run of credential rotation: reads the current state (KV versions, SCRAM mechanisms, tokens,
 * secret ids) and lists every change the live step would make, one entry per account and
 * credential. Nothing is written.
 */

/** What the planner needs to know about the step. */
export interface RotationPlanSpec {
  /** Account of the compromised principal (revoked, not rotated). */
  compromised: string;
  /** Accounts to rotate (the compromised one already removed). */
  accounts: readonly string[];
  vaultPathTemplate: string;
  mechanism: ScramMechanism;
  iterations: number;
  revokeVaultTokens: boolean;
  deleteCompromisedAccount: boolean;
  stepKey: string;
}

/** The changes rotation would make now. */
export async function planRotation(secrets: SecretsPort, admin: ScramAdmin, spec: RotationPlanSpec): Promise<PlannedChange[]> {
  const changes: PlannedChange[] = [];
  const compromised = spec.compromised;

  if (spec.deleteCompromisedAccount) {
    const stored = await readStoredAccount(secrets, serviceAccountPath(compromised, spec.vaultPathTemplate));
    const user = stored?.username ?? compromised;
    for (const mechanism of await scramMechanismsOf(admin, user)) {
      changes.push({ kind: 'scram.delete', target: `User:${user}`, description: `delete the compromised account's ${mechanism} credential` });
    }
  }
  if (spec.revokeVaultTokens) {
    for (const accessor of await findAccountTokenAccessors(secrets, compromised)) {
      changes.push({ kind: 'vault.token.revoke', target: `auth/token/accessor/${accessor}`, description: `revoke a Vault token of ${compromised}` });
    }
    for (const accessor of await listRoleSecretIds(secrets, compromised)) {
      changes.push({
        kind: 'approle.secret-id.destroy',
        target: `auth/approle/role/${compromised}/secret-id-accessor/${accessor}`,
        description: `destroy an AppRole secret id of ${compromised}`,
      });
    }
  }

  for (const account of spec.accounts) {
    const vaultPath = serviceAccountPath(account, spec.vaultPathTemplate);
    const stored = await readStoredAccount(secrets, vaultPath);
    const user = stored?.username ?? account;
    if (stored?.rotatedBy === spec.stepKey) {
      changes.push({ kind: 'scram.upsert', target: `User:${user}`, description: `re-apply version ${stored.version}, already written by this step, as ${spec.mechanism}` });
    } else {
      const cas = stored?.version ?? 0;
      changes.push({
        kind: 'vault.kv.put',
        target: vaultPath,
        description: `new random password as version ${cas + 1} (check-and-set ${cas}), rotatedBy ${spec.stepKey}`,
      });
      changes.push({ kind: 'scram.upsert', target: `User:${user}`, description: `set the new password as ${spec.mechanism} with ${spec.iterations} iterations` });
    }
    for (const other of (await scramMechanismsOf(admin, user)).filter((m) => m !== spec.mechanism)) {
      changes.push({ kind: 'scram.delete', target: `User:${user}`, description: `delete the ${other} credential so an older password cannot log in with it` });
    }
  }
  return changes;
}
