import type { SecretsPort, SecretVersion } from './port';

/**
 * Where the Kafka service accounts' credentials live in Vault, and how they are read. One KV v2
 * secret per account (`kafka/service-accounts/<account>` by default) holding
 * {@link ServiceAccountSecret}. Containment reads the compromised account's password to prove it is
 * refused; rotation writes each new version with check-and-set.
 */

/** Default KV path template; `{account}` is replaced by the account name. */
export const DEFAULT_SERVICE_ACCOUNT_PATH = 'kafka/service-accounts/{account}';

/** The data of one service account's KV secret. The password is a credential: never log it. */
export interface ServiceAccountSecret {
  username: string;
  password: string;
  mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'PLAIN';
  /** Idempotency key of the rotation step that wrote this version, if any. */
  rotatedBy?: string;
}

/** `User:report-exporter` → `report-exporter`; a bare account name is returned as is. */
export function accountOf(principal: string): string {
  return principal.startsWith('User:') ? principal.slice('User:'.length) : principal;
}

/** The KV path of an account under a template. */
export function serviceAccountPath(account: string, template: string = DEFAULT_SERVICE_ACCOUNT_PATH): string {
  return template.split('{account}').join(accountOf(account));
}

/** Reads and checks a service account secret; throws if the stored data is not one. */
export async function readServiceAccount(
  secrets: SecretsPort,
  account: string,
  template: string = DEFAULT_SERVICE_ACCOUNT_PATH,
): Promise<{ secret: ServiceAccountSecret; version: number; path: string }> {
  const path = serviceAccountPath(account, template);
  const stored: SecretVersion = await secrets.readSecret(path);
  const { username, password, mechanism, rotatedBy } = stored.data;
  if (typeof username !== 'string' || typeof password !== 'string' || typeof mechanism !== 'string') {
    throw new Error(`${path} does not hold a service account secret (username, password, mechanism)`);
  }
  return {
    secret: {
      username,
      password,
      mechanism: mechanism as ServiceAccountSecret['mechanism'],
      ...(typeof rotatedBy === 'string' ? { rotatedBy } : {}),
    },
    version: stored.version,
    path,
  };
}
