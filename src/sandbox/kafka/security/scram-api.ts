import { SCRAM_MAX_ITERATIONS, SCRAM_MIN_ITERATIONS, scramMechanismFromCode } from '../../../kafka/scram-math';
import type { CredentialStore, ScramMechanism } from './credentials';
import { SECURITY_ERRORS } from './errors';

/**
 * The semantics of DescribeUserScramCredentials (50) and AlterUserScramCredentials (51) over a
 * {@link CredentialStore}, with Kafka's validation and error codes, so the broker's handlers only
 * decode, authorize (DESCRIBE / ALTER on CLUSTER) and encode.
 */

/** One user's outcome in an API 50/51 response. */
export interface ScramUserResult {
  user: string;
  errorCode: number;
  errorMessage: string | null;
}

/** A user's entry in the DescribeUserScramCredentials response. */
export interface ScramDescribeResult extends ScramUserResult {
  /** Mechanism as its wire code (1 = SHA-256, 2 = SHA-512) and its iteration count. */
  credentials: Array<{ mechanism: number; iterations: number }>;
}

/** Decoded AlterUserScramCredentials request; mechanisms are wire codes. */
export interface ScramAlterRequest {
  deletions: ReadonlyArray<{ name: string; mechanism: number }>;
  upsertions: ReadonlyArray<{ name: string; mechanism: number; iterations: number; salt: Buffer; saltedPassword: Buffer }>;
}

const MECHANISM_CODES: Readonly<Record<ScramMechanism, number>> = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 };

/**
 * Answers DescribeUserScramCredentials. `users` null or empty means every user with a credential;
 * otherwise each named user gets its mechanisms, RESOURCE_NOT_FOUND, or DUPLICATE_RESOURCE when
 * named twice. Never returns salts or keys.
 */
export function describeScramCredentials(store: CredentialStore, users: readonly string[] | null): ScramDescribeResult[] {
  const toResult = (d: ReturnType<CredentialStore['describe']>[number]): ScramDescribeResult => ({
    user: d.user,
    errorCode: SECURITY_ERRORS.NONE,
    errorMessage: null,
    credentials: d.credentials.map((c) => ({ mechanism: MECHANISM_CODES[c.mechanism], iterations: c.iterations })),
  });
  if (!users || users.length === 0) return store.describe().map(toResult);
  const counts = new Map<string, number>();
  for (const u of users) counts.set(u, (counts.get(u) ?? 0) + 1);
  return [...counts.entries()].map(([user, count]): ScramDescribeResult => {
    if (count > 1) {
      return {
        user,
        errorCode: SECURITY_ERRORS.DUPLICATE_RESOURCE,
        errorMessage: 'Cannot describe SCRAM credentials for the same user twice in a single request',
        credentials: [],
      };
    }
    const found = store.describe([user])[0];
    if (!found) {
      return { user, errorCode: SECURITY_ERRORS.RESOURCE_NOT_FOUND, errorMessage: 'Attempt to describe a user credential that does not exist', credentials: [] };
    }
    return toResult(found);
  });
}

/**
 * Applies AlterUserScramCredentials with Kafka's rules: one result per user, in order of first
 * appearance. A user whose request has any problem (empty name, unknown mechanism, iterations
 * outside 4096–16384, the same mechanism twice, deleting a credential that does not exist) gets
 * that error and none of its alterations is applied; other users are unaffected.
 */
export function alterScramCredentials(store: CredentialStore, request: ScramAlterRequest): ScramUserResult[] {
  const errors = new Map<string, { code: number; message: string }>();
  const order: string[] = [];
  const seen = new Set<string>();
  const pairCounts = new Map<string, number>();
  const note = (name: string, mechanism: number): void => {
    if (!seen.has(name)) {
      seen.add(name);
      order.push(name);
    }
    const pair = JSON.stringify([name, mechanism]);
    pairCounts.set(pair, (pairCounts.get(pair) ?? 0) + 1);
  };
  const reject = (name: string, code: number, message: string): void => {
    if (!errors.has(name)) errors.set(name, { code, message });
  };

  for (const d of request.deletions) note(d.name, d.mechanism);
  for (const u of request.upsertions) note(u.name, u.mechanism);

  for (const [pair, count] of pairCounts) {
    if (count > 1) {
      const [name] = JSON.parse(pair) as [string, number];
      reject(name, SECURITY_ERRORS.DUPLICATE_RESOURCE, 'A user credential cannot be altered twice in the same request');
    }
  }
  for (const entry of [...request.deletions, ...request.upsertions]) {
    if (entry.name.length === 0) reject(entry.name, SECURITY_ERRORS.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
    else if (!scramMechanismFromCode(entry.mechanism)) reject(entry.name, SECURITY_ERRORS.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism');
  }
  for (const u of request.upsertions) {
    if (u.iterations < SCRAM_MIN_ITERATIONS) reject(u.name, SECURITY_ERRORS.UNACCEPTABLE_CREDENTIAL, 'Too few iterations');
    else if (u.iterations > SCRAM_MAX_ITERATIONS) reject(u.name, SECURITY_ERRORS.UNACCEPTABLE_CREDENTIAL, 'Too many iterations');
    else if (u.salt.length === 0 || u.saltedPassword.length === 0) {
      reject(u.name, SECURITY_ERRORS.UNACCEPTABLE_CREDENTIAL, 'Salt and salted password must not be empty');
    }
  }
  for (const d of request.deletions) {
    const mechanism = scramMechanismFromCode(d.mechanism);
    if (mechanism && !store.lookup(d.name, mechanism)) {
      reject(d.name, SECURITY_ERRORS.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist');
    }
  }

  for (const d of request.deletions) {
    const mechanism = scramMechanismFromCode(d.mechanism);
    if (mechanism && !errors.has(d.name)) store.deleteScram(d.name, mechanism);
  }
  for (const u of request.upsertions) {
    const mechanism = scramMechanismFromCode(u.mechanism);
    if (!mechanism || errors.has(u.name)) continue;
    try {
      store.upsertScram(u.name, mechanism, u.iterations, u.salt, u.saltedPassword);
    } catch (err) {
      const code = typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : SECURITY_ERRORS.UNACCEPTABLE_CREDENTIAL;
      errors.set(u.name, { code, message: (err as Error).message });
    }
  }
  return order.map((user) => {
    const e = errors.get(user);
    return { user, errorCode: e?.code ?? SECURITY_ERRORS.NONE, errorMessage: e?.message ?? null };
  });
}
