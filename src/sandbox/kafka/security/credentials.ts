import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  SCRAM_MAX_ITERATIONS,
  SCRAM_MECHANISMS,
  SCRAM_MIN_ITERATIONS,
  constantTimeEqual,
  deriveScramKeys,
  scramHi,
  type ScramMechanism,
} from '../../../kafka/scram-math';
import { SECURITY_ERRORS } from './errors';

export type { ScramMechanism } from '../../../kafka/scram-math';

/** One user's credential for one mechanism, as a Kafka broker keeps it (RFC 5802 §2.2). */
export interface StoredScramCredential {
  readonly iterations: number;
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

/** Why a credential could not be stored, with the Kafka error code a broker should answer. */
export class ScramCredentialError extends Error {
  override readonly name = 'ScramCredentialError';
  constructor(
    message: string,
    /** Kafka error code: 93 UNACCEPTABLE_CREDENTIAL or 33 UNSUPPORTED_SASL_MECHANISM. */
    readonly code: number,
  ) {
    super(message);
  }
}

/** Iterations used by {@link CredentialStore.setPassword}: Kafka's minimum for both mechanisms. */
export const DEFAULT_SCRAM_ITERATIONS = SCRAM_MIN_ITERATIONS;

const SALT_BYTES = 16;

const persistedSchema = z.object({
  version: z.literal(1),
  users: z.array(
    z.object({
      user: z.string().min(1),
      credentials: z.array(
        z.object({
          mechanism: z.enum(['SCRAM-SHA-256', 'SCRAM-SHA-512']),
          iterations: z.number().int(),
          salt: z.string(),
          storedKey: z.string(),
          serverKey: z.string(),
        }),
      ),
    }),
  ),
});

/**
 * The broker's SCRAM credential database (what Kafka keeps under `/config/users`). PLAIN is checked
 * against the same credentials (a sandbox choice) so one store governs every mechanism, and
 * rotating a SCRAM credential also changes what PLAIN accepts.
 */
export class CredentialStore {
  private readonly users = new Map<string, Map<ScramMechanism, StoredScramCredential>>();
  private readonly listeners: Array<() => void> = [];

  /** Sets `password` for PLAIN and both SCRAM mechanisms (fresh salts, 4096 iterations). */
  setPassword(user: string, password: string): void {
    requireUser(user);
    const creds = new Map<ScramMechanism, StoredScramCredential>();
    for (const mechanism of SCRAM_MECHANISMS) {
      const salt = randomBytes(SALT_BYTES);
      const salted = scramHi(mechanism, password, salt, DEFAULT_SCRAM_ITERATIONS);
      creds.set(mechanism, buildCredential(mechanism, DEFAULT_SCRAM_ITERATIONS, salt, salted));
    }
    this.users.set(user, creds);
    this.emit();
  }

  /**
   * Stores a credential from a client-computed salted password (AlterUserScramCredentials): the
   * clear password never reaches the broker. Throws {@link ScramCredentialError} for input Kafka
   * would refuse.
   */
  upsertScram(user: string, mechanism: ScramMechanism, iterations: number, salt: Buffer, saltedPassword: Buffer): void {
    requireUser(user);
    if (!SCRAM_MECHANISMS.includes(mechanism)) {
      throw new ScramCredentialError(`Unknown SCRAM mechanism ${String(mechanism)}`, SECURITY_ERRORS.UNSUPPORTED_SASL_MECHANISM);
    }
    checkIterations(iterations);
    if (salt.length === 0) throw new ScramCredentialError('Salt must not be empty', SECURITY_ERRORS.UNACCEPTABLE_CREDENTIAL);
    if (saltedPassword.length === 0) {
      throw new ScramCredentialError('Salted password must not be empty', SECURITY_ERRORS.UNACCEPTABLE_CREDENTIAL);
    }
    let creds = this.users.get(user);
    if (!creds) {
      creds = new Map();
      this.users.set(user, creds);
    }
    creds.set(mechanism, buildCredential(mechanism, iterations, Buffer.from(salt), saltedPassword));
    this.emit();
  }

  /** Removes one credential; false when the user had none for that mechanism. */
  deleteScram(user: string, mechanism: ScramMechanism): boolean {
    const creds = this.users.get(user);
    if (!creds?.delete(mechanism)) return false;
    if (creds.size === 0) this.users.delete(user);
    this.emit();
    return true;
  }

  /**
   * Mechanisms and iterations per user, never salts or keys. Without `users`, every user sorted by
   * name; with `users`, those that have a credential, in the order asked (unknown users are left
   * out so the caller can answer them with RESOURCE_NOT_FOUND).
   */
  describe(users?: readonly string[]): Array<{ user: string; credentials: Array<{ mechanism: ScramMechanism; iterations: number }> }> {
    const names = users ? [...new Set(users)] : [...this.users.keys()].sort();
    const out: Array<{ user: string; credentials: Array<{ mechanism: ScramMechanism; iterations: number }> }> = [];
    for (const user of names) {
      const creds = this.users.get(user);
      if (!creds) continue;
      const credentials = SCRAM_MECHANISMS.filter((m) => creds.has(m)).map((mechanism) => ({
        mechanism,
        iterations: (creds.get(mechanism) as StoredScramCredential).iterations,
      }));
      out.push({ user, credentials });
    }
    return out;
  }

  /** True when the user has at least one credential. */
  has(user: string): boolean {
    return this.users.has(user);
  }

  /** The stored credential a SCRAM exchange verifies against. */
  lookup(user: string, mechanism: ScramMechanism): StoredScramCredential | undefined {
    return this.users.get(user)?.get(mechanism);
  }

  /**
   * Checks a clear password (SASL/PLAIN) against the user's SCRAM-SHA-256 credential, or its
   * SHA-512 one when that is all it has. Unknown users still cost one key derivation, so timing
   * does not reveal which users exist.
   */
  verifyPassword(user: string, password: string): boolean {
    const creds = this.users.get(user);
    const mechanism = SCRAM_MECHANISMS.find((m) => creds?.has(m)) ?? 'SCRAM-SHA-256';
    const cred = creds?.get(mechanism);
    const salt = cred?.salt ?? DUMMY_SALT;
    const iterations = cred?.iterations ?? DEFAULT_SCRAM_ITERATIONS;
    const { storedKey } = deriveScramKeys(mechanism, scramHi(mechanism, password, salt, iterations));
    const ok = constantTimeEqual(storedKey, cred?.storedKey ?? Buffer.alloc(storedKey.length));
    return ok && cred !== undefined;
  }

  /** Registers a listener called after every change (the broker journals the store). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Persistable form: salts and derived keys only, never a password or salted password. */
  toJSON(): unknown {
    return {
      version: 1,
      users: [...this.users.keys()].sort().map((user) => {
        const creds = this.users.get(user) as Map<ScramMechanism, StoredScramCredential>;
        return {
          user,
          credentials: SCRAM_MECHANISMS.filter((m) => creds.has(m)).map((mechanism) => {
            const c = creds.get(mechanism) as StoredScramCredential;
            return {
              mechanism,
              iterations: c.iterations,
              salt: c.salt.toString('base64'),
              storedKey: c.storedKey.toString('base64'),
              serverKey: c.serverKey.toString('base64'),
            };
          }),
        };
      }),
    };
  }

  /** Rebuilds a store from {@link CredentialStore.toJSON}; throws on a malformed document. */
  static fromJSON(data: unknown): CredentialStore {
    const parsed = persistedSchema.parse(data);
    const store = new CredentialStore();
    for (const { user, credentials } of parsed.users) {
      const creds = new Map<ScramMechanism, StoredScramCredential>();
      for (const c of credentials) {
        checkIterations(c.iterations);
        creds.set(c.mechanism, {
          iterations: c.iterations,
          salt: Buffer.from(c.salt, 'base64'),
          storedKey: Buffer.from(c.storedKey, 'base64'),
          serverKey: Buffer.from(c.serverKey, 'base64'),
        });
      }
      if (creds.size > 0) store.users.set(user, creds);
    }
    return store;
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

const DUMMY_SALT = randomBytes(SALT_BYTES);

function buildCredential(mechanism: ScramMechanism, iterations: number, salt: Buffer, saltedPassword: Buffer): StoredScramCredential {
  const { storedKey, serverKey } = deriveScramKeys(mechanism, saltedPassword);
  return { iterations, salt, storedKey, serverKey };
}

function requireUser(user: string): void {
  if (typeof user !== 'string' || user.length === 0) {
    throw new ScramCredentialError('Username must not be empty', SECURITY_ERRORS.UNACCEPTABLE_CREDENTIAL);
  }
}

function checkIterations(iterations: number): void {
  if (!Number.isInteger(iterations) || iterations < SCRAM_MIN_ITERATIONS) {
    throw new ScramCredentialError(`Too few iterations: minimum is ${SCRAM_MIN_ITERATIONS}`, SECURITY_ERRORS.UNACCEPTABLE_CREDENTIAL);
  }
  if (iterations > SCRAM_MAX_ITERATIONS) {
    throw new ScramCredentialError(`Too many iterations: maximum is ${SCRAM_MAX_ITERATIONS}`, SECURITY_ERRORS.UNACCEPTABLE_CREDENTIAL);
  }
}
