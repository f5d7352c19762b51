import { randomBytes } from 'node:crypto';
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import { isVaultError } from '../vault/errors';
import type { SecretsPort } from '../vault/port';
import { serviceAccountPath } from '../vault/service-accounts';
import type { KafkaConnection } from './client';
import type { ScramAdmin, ScramMechanism } from './scram-admin';
import { ALL_SCRAM_MECHANISMS, applyScramPassword, trySaslLogin } from './scram-rotation';
import { RotationError } from './rotation-errors';

/**
 * Rotation of one service account in three steps, each safe to repeat:
 *
 * 1. {@link stageVaultVersion} writes the new password as a new KV v2 version with check-and-set,
 *    tagged `rotatedBy: <stepKey>`. If the latest version already carries this step key, the
 *    password it holds is reused: a retry never creates a second version.
 * 2. {@link applyStagedPassword} sets that password on the broker and removes the other SCRAM
 *    mechanism's credential. Setting the same password again is harmless.
 * 3. {@link verifyStagedPassword} logs in with the new password (must work) and with the previous
 *    one under every mechanism (must be refused).
 *
 * A crash between 1 and 2 therefore costs nothing: the retry finds the staged version and applies it.
 */

/** Bytes of randomness in a generated password (encoded base64url: 64 characters). */
export const PASSWORD_BYTES = 48;

/** A fresh random password: {@link PASSWORD_BYTES} bytes from the CSPRNG, base64url. */
export function generatePassword(): string {
  return randomBytes(PASSWORD_BYTES).toString('base64url');
}

/** How many check-and-set races a staging may lose to other writers before it gives up. */
const MAX_CAS_ATTEMPTS = 4;

/** What stage 1 leaves for stages 2 and 3. Holds passwords: keep it in memory, never log it. */
export interface StagedRotation {
  account: string;
  /** SASL user name (the secret's `username`, else the account). */
  username: string;
  vaultPath: string;
  /** KV version holding `password`. */
  vaultVersion: number;
  password: string;
  /** The password before this rotation, when it could be read (for the refusal check). */
  previousPassword?: string;
  /** True when an earlier attempt of the same step had already written the version. */
  reused: boolean;
}

/** A service account's stored secret as rotation needs it. Holds a password: never log it. */
export interface StoredAccount {
  version: number;
  username?: string;
  password: string;
  rotatedBy?: string;
}

/** Reads the latest (or a given) version of an account's secret; `undefined` when absent. */
export async function readStoredAccount(secrets: SecretsPort, path: string, version?: number): Promise<StoredAccount | undefined> {
  let stored;
  try {
    stored = await secrets.readSecret(path, version === undefined ? {} : { version });
  } catch (err) {
    if (isVaultError(err, 'not-found')) return undefined;
    throw err;
  }
  const { username, password, rotatedBy } = stored.data;
  if (typeof password !== 'string') throw new RotationError('ServiceAccountSecretInvalid', `${path} (version ${stored.version}) has no password field`, false);
  return {
    version: stored.version,
    password,
    ...(typeof username === 'string' ? { username } : {}),
    ...(typeof rotatedBy === 'string' ? { rotatedBy } : {}),
  };
}

/** Parameters shared by the three stages. */
export interface AccountRotationSpec {
  account: string;
  vaultPathTemplate: string;
  mechanism: ScramMechanism;
  iterations: number;
  /** Idempotency key recorded as `rotatedBy` on the new version. */
  stepKey: string;
}

/**
 * Stage 1: make sure the latest KV version of the account's secret is one written by `stepKey`,
 * writing it (check-and-set on the version read) if not. A lost check-and-set race re-reads: if
 * the winner was another attempt of this step its version is used, otherwise ours is written on top.
 */
export async function stageVaultVersion(
  secrets: SecretsPort,
  spec: AccountRotationSpec,
  generate: () => string = generatePassword,
): Promise<StagedRotation> {
  const vaultPath = serviceAccountPath(spec.account, spec.vaultPathTemplate);
  for (let attempt = 1; attempt <= MAX_CAS_ATTEMPTS; attempt++) {
    const current = await readStoredAccount(secrets, vaultPath);
    const username = current?.username ?? spec.account;
    if (current?.rotatedBy === spec.stepKey) {
      const previous = current.version > 1 ? await readStoredAccount(secrets, vaultPath, current.version - 1).catch(() => undefined) : undefined;
      return {
        account: spec.account,
        username,
        vaultPath,
        vaultVersion: current.version,
        password: current.password,
        ...(previous ? { previousPassword: previous.password } : {}),
        reused: true,
      };
    }
    const password = generate();
    try {
      const written = await secrets.writeSecret(
        vaultPath,
        { username, password, mechanism: spec.mechanism, rotatedBy: spec.stepKey },
        { cas: current?.version ?? 0 },
      );
      return {
        account: spec.account,
        username,
        vaultPath,
        vaultVersion: written.version,
        password,
        ...(current ? { previousPassword: current.password } : {}),
        reused: false,
      };
    } catch (err) {
      if (!isVaultError(err, 'cas-mismatch')) throw err;
    }
  }
  throw new RotationError('VaultCasConflict', `${vaultPath}: lost the check-and-set race ${MAX_CAS_ATTEMPTS} times`, true);
}

/** Stage 2: the staged password on the broker, other mechanisms removed. */
export async function applyStagedPassword(admin: ScramAdmin, staged: StagedRotation, spec: Pick<AccountRotationSpec, 'mechanism' | 'iterations'>): Promise<void> {
  await applyScramPassword(admin, { user: staged.username, mechanism: spec.mechanism, password: staged.password, iterations: spec.iterations });
}

/** Options of the verification polls. */
export interface VerifyOptions {
  /** How long a credential change may take to reach the broker answering the login. @default 10000 */
  timeoutMs?: number;
  /** Pause between login attempts. @default 200 */
  intervalMs?: number;
  logger?: Logger;
}

/**
 * Polls `probe` until it returns true or the time is up. Real clusters propagate SCRAM changes to
 * every broker asynchronously, so a single attempt right after the change could fail spuriously.
 */
export async function eventually(probe: () => Promise<boolean>, options: VerifyOptions = {}): Promise<boolean> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
}

/**
 * Stage 3: the new password logs in with the runbook's mechanism, and the previous password (if
 * known and different) is refused under every SCRAM mechanism. Throws a retriable
 * `CredentialVerificationFailed` when either does not hold within the timeout.
 */
export async function verifyStagedPassword(
  connection: KafkaConnection,
  staged: StagedRotation,
  mechanism: ScramMechanism,
  options: VerifyOptions = {},
): Promise<void> {
  const logger = options.logger ?? silentLogger;
  const user = staged.username;
  const accepted = await eventually(async () => (await trySaslLogin(connection, { user, password: staged.password, mechanism })) === 'accepted', options);
  if (!accepted) throw new RotationError('CredentialVerificationFailed', `the new ${mechanism} password of ${user} is refused by the broker`, true);
  const previous = staged.previousPassword;
  if (previous === undefined || previous === staged.password) return;
  for (const m of ALL_SCRAM_MECHANISMS) {
    const refused = await eventually(async () => (await trySaslLogin(connection, { user, password: previous, mechanism: m })) === 'refused', options);
    if (!refused) throw new RotationError('CredentialVerificationFailed', `the previous password of ${user} is still accepted with ${m}`, true);
  }
  logger.debug({ account: staged.account, vaultVersion: staged.vaultVersion }, 'rotation verified');
}
