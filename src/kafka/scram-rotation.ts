import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import { createKafka, withCredentials, type KafkaConnection } from './client';
import { assertScramResults, ScramAdmin, type ScramMechanism } from './scram-admin';
import { SCRAM_MECHANISMS } from './scram-math';

/**
 * Broker-side building blocks of credential rotation: set one SCRAM password (and remove every
 * other mechanism's credential, so a password from before the rotation cannot log in through
 * another mechanism), delete a user's SCRAM credentials outright, and prove with a real SASL login
 * which passwords the broker accepts. Every operation here is idempotent: applying the same
 * password twice leaves the user in the same state (only the random salt changes).
 */

/** kafkajs' spelling of a SCRAM mechanism. */
export function kafkajsMechanism(mechanism: ScramMechanism): 'scram-sha-256' | 'scram-sha-512' {
  return mechanism === 'SCRAM-SHA-256' ? 'scram-sha-256' : 'scram-sha-512';
}

/** A {@link ScramAdmin} authenticated as the connection's (admin) principal. */
export function scramAdminFor(connection: KafkaConnection, logger: Logger = silentLogger): ScramAdmin {
  return new ScramAdmin({
    brokers: [...connection.brokers],
    ssl: connection.ssl,
    sasl: { mechanism: connection.saslMechanism, username: connection.username, password: connection.password, ...(connection.oauthBearer ? { oauthBearer: connection.oauthBearer } : {}) },
    clientId: 'breachline-rotation',
    logger,
  });
}

/** The SCRAM mechanisms a user currently has credentials for; none when the user is unknown. */
export async function scramMechanismsOf(admin: ScramAdmin, user: string): Promise<ScramMechanism[]> {
  const [description] = await admin.describe([user]);
  if (!description || description.errorCode !== 0) return [];
  return description.credentials.map((c) => c.mechanism);
}

/**
 * Sets `password` for `user` under `mechanism` and deletes the user's credentials for every other
 * SCRAM mechanism. Returns the mechanisms that were removed.
 */
export async function applyScramPassword(
  admin: ScramAdmin,
  change: { user: string; mechanism: ScramMechanism; password: string; iterations: number },
): Promise<ScramMechanism[]> {
  assertScramResults(await admin.upsert([{ user: change.user, mechanism: change.mechanism, password: change.password, iterations: change.iterations }]));
  const others = (await scramMechanismsOf(admin, change.user)).filter((m) => m !== change.mechanism);
  if (others.length > 0) assertScramResults(await admin.delete(others.map((mechanism) => ({ user: change.user, mechanism }))));
  return others;
}

/**
 * Deletes every SCRAM credential of `user`. Returns the mechanisms deleted now; an empty list means
 * the user already had none (a retry, or an account that never had SCRAM credentials).
 */
export async function deleteScramUser(admin: ScramAdmin, user: string): Promise<ScramMechanism[]> {
  const present = await scramMechanismsOf(admin, user);
  if (present.length === 0) return [];
  assertScramResults(await admin.delete(present.map((mechanism) => ({ user, mechanism }))));
  return present;
}

/** Every SCRAM mechanism, for checks that must hold whichever one an attacker tries. */
export const ALL_SCRAM_MECHANISMS: readonly ScramMechanism[] = SCRAM_MECHANISMS;

/** Outcome of a login attempt: the broker accepted or refused the credentials. */
export type SaslOutcome = 'accepted' | 'refused';

/**
 * Tries a SASL login as `user` with kafkajs (a fresh admin client, no retries) and says whether the
 * broker accepted it. Anything other than an authentication refusal (broker down, TLS failure) is
 * thrown, because it proves nothing about the credential.
 */
export async function trySaslLogin(
  connection: KafkaConnection,
  login: { user: string; password: string; mechanism: ScramMechanism },
  logger: Logger = silentLogger,
): Promise<SaslOutcome> {
  const kafka = createKafka(withCredentials(connection, login.user, login.password, kafkajsMechanism(login.mechanism)), {
    clientId: 'breachline-rotation-verify',
    logger,
    overrides: { retry: { retries: 0 } },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    return 'accepted';
  } catch (err) {
    if (isAuthenticationRefusal(err)) return 'refused';
    throw err;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** True for kafkajs' SASL authentication failure (also when wrapped by a retrier). */
export function isAuthenticationRefusal(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = (e as Error & { originalError?: unknown }).originalError ?? e.cause, depth++) {
    if (e.name === 'KafkaJSSASLAuthenticationError') return true;
  }
  return false;
}
