import { isVaultError } from '../vault/errors';
import type { SecretsPort, TokenInfo } from '../vault/port';

/**
 * Finding and retiring the compromised service account's Vault credentials: its tokens (by
 * accessor) and its AppRole secret ids. The account is not rotated: whatever it held is revoked.
 *
 * Which tokens belong to a service account — the convention breachline relies on, and which the
 * scenario seeder follows:
 * - `meta.service` equals the account name (set by whoever issues the service its token), or
 * - `meta.role_name` equals the account name (Vault puts it on every AppRole login token, and the
 *   AppRole of a service is named after its account), or
 * - the token's display name contains the account name (Vault stores `token-<display_name>` for
 *   tokens from `auth/token/create`). This is deliberately broad: during a breach revoking a token
 *   too many costs a re-issue, missing one leaves the attacker in.
 */

/** True when the token belongs to `account` under the convention above. */
export function tokenBelongsTo(token: Pick<TokenInfo, 'meta' | 'displayName'>, account: string): boolean {
  if (account === '') return false;
  if (token.meta.service === account || token.meta.role_name === account) return true;
  // Vault lower-cases display names and turns punctuation into dashes.
  return token.displayName.toLowerCase().includes(account.toLowerCase());
}

/** Runs `fn` over `items` with at most `limit` calls in flight, keeping the order of results. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Accessors of every live token that belongs to `account`. Each accessor is looked up (a few at a
 * time); one that vanished between listing and lookup is skipped.
 */
export async function findAccountTokenAccessors(secrets: SecretsPort, account: string, concurrency = 8): Promise<string[]> {
  const accessors = await secrets.listTokenAccessors();
  const infos = await mapLimited(accessors, concurrency, async (accessor) => {
    try {
      return await secrets.lookupTokenByAccessor(accessor);
    } catch (err) {
      if (isVaultError(err, 'not-found')) return undefined;
      throw err;
    }
  });
  return infos.filter((t): t is TokenInfo => t !== undefined && tokenBelongsTo(t, account)).map((t) => t.accessor);
}

/** True when no live token has this accessor any more. */
export async function tokenIsGone(secrets: SecretsPort, accessor: string): Promise<boolean> {
  try {
    await secrets.lookupTokenByAccessor(accessor);
    return false;
  } catch (err) {
    if (isVaultError(err, 'not-found')) return true;
    throw err;
  }
}

/** Secret-id accessors of the AppRole named `role`; none when the role does not exist or has none. */
export async function listRoleSecretIds(secrets: SecretsPort, role: string): Promise<string[]> {
  try {
    return await secrets.listSecretIdAccessors(role);
  } catch (err) {
    // An unknown role is not-found (Vault answers 400 `role "…" does not exist`): a service
    // without an AppRole is normal, so that means "none".
    if (isVaultError(err, 'not-found')) return [];
    throw err;
  }
}

/** Destroys one secret id; one that is already gone counts as destroyed. */
export async function destroySecretId(secrets: SecretsPort, role: string, accessor: string): Promise<void> {
  try {
    await secrets.destroySecretIdByAccessor(role, accessor);
  } catch (err) {
    if (!isVaultError(err, 'not-found')) throw err;
  }
}
