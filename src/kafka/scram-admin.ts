import { randomBytes } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import {
  SCRAM_MAX_ITERATIONS,
  SCRAM_MIN_ITERATIONS,
  scramHiAsync,
  scramMechanismCode,
  scramMechanismFromCode,
  type ScramMechanism,
} from './scram-math';
import { authenticate, parseBroker, supports } from './scram-admin/authenticate';
import { ApiKey, decodeAlterScram, decodeDescribeScram, encodeAlterScram, encodeDescribeScram, type AlterScramRequest } from './scram-admin/codecs';
import { BrokerConnection } from './scram-admin/connection';
import { AdminErrorCode, KafkaAdminError } from './scram-admin/errors';
import type { KafkaReader } from './wire';

export { KafkaAdminError } from './scram-admin/errors';
export type { ScramMechanism } from './scram-math';

/**
 * A small Kafka admin client for the two APIs kafkajs 2.2.4 lacks: DescribeUserScramCredentials
 * (50) and AlterUserScramCredentials (51), KIP-554. It authenticates like any client (SaslHandshake
 * v1 + SaslAuthenticate v0; PLAIN or SCRAM-SHA-256/512) and computes salted passwords itself, so a
 * clear password never leaves this process. Works against real brokers and the sandbox alike.
 */

/** Options of {@link ScramAdmin}. */
export interface ScramAdminOptions {
  /** Bootstrap `host:port` list; the first broker that accepts the connection is used. */
  brokers: string[];
  /** TLS: `true` for defaults, or Node TLS options (CA, client certificate, …). @default false */
  ssl?: boolean | ConnectionOptions;
  /**
   * Credentials of an admin principal (needs DESCRIBE / ALTER on the cluster). With `oauthbearer`,
   * `oauthBearer` gives the token and `password` is unused.
   */
  sasl: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'oauthbearer'; username: string; password: string; oauthBearer?: () => Promise<string> };
  /** @default 'breachline-scram-admin' */
  clientId?: string;
  /** Per-request timeout. @default 30000 */
  requestTimeoutMs?: number;
  /** TCP/TLS connect timeout per broker. @default 10000 */
  connectionTimeoutMs?: number;
  /** Connection events only; never credentials. @default silentLogger */
  logger?: Logger;
}

/** One user's SCRAM credentials as the broker describes them (mechanisms and iterations, never secrets). */
export interface ScramUserDescription {
  user: string;
  /** 0, or e.g. 91 RESOURCE_NOT_FOUND for a user without credentials. */
  errorCode: number;
  errorMessage: string | null;
  credentials: Array<{ mechanism: ScramMechanism; iterations: number }>;
}

/** One user's outcome of an upsert or delete (all of a user's changes apply, or none). */
export interface ScramAlterResult {
  user: string;
  errorCode: number;
  errorMessage: string | null;
}

/** A credential to set; the salted password is derived here from `password`. */
export interface ScramUpsertEntry {
  user: string;
  mechanism: ScramMechanism;
  password: string;
  /** 4096–16384. @default 8192 */
  iterations?: number;
  /** @default 32 random bytes */
  salt?: Buffer;
}

/** Iterations used when an upsert does not say: above Kafka's minimum, within its maximum. */
export const DEFAULT_UPSERT_ITERATIONS = 8192;

const MECHANISMS: ReadonlySet<string> = new Set(['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer']);

const REQUIRED_APIS: ReadonlyArray<[number, string]> = [
  [ApiKey.DescribeUserScramCredentials, 'DescribeUserScramCredentials'],
  [ApiKey.AlterUserScramCredentials, 'AlterUserScramCredentials'],
];

/** See the module comment. One authenticated connection, opened on first use and reused. */
export class ScramAdmin {
  private readonly logger: Logger;
  private connection: Promise<BrokerConnection> | undefined;

  constructor(private readonly options: ScramAdminOptions) {
    if (options.brokers.length === 0) throw new TypeError('ScramAdmin needs at least one broker');
    if (!MECHANISMS.has(options.sasl.mechanism)) throw new TypeError(`unsupported SASL mechanism ${String(options.sasl.mechanism)}`);
    this.logger = (options.logger ?? silentLogger).child({ component: 'scram-admin' });
  }

  /** Describes the named users' credentials, or every user's when `users` is absent or empty. */
  async describe(users?: string[]): Promise<ScramUserDescription[]> {
    const names = users && users.length > 0 ? users : null;
    const res = await this.call(ApiKey.DescribeUserScramCredentials, (w) => encodeDescribeScram(w, names), decodeDescribeScram);
    if (res.errorCode !== AdminErrorCode.NONE) {
      throw new KafkaAdminError(`DescribeUserScramCredentials failed: ${res.errorMessage ?? 'no message'}`, res.errorCode);
    }
    return res.results.map((r) => ({
      user: r.user,
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
      credentials: r.credentials.flatMap((c) => {
        const mechanism = scramMechanismFromCode(c.mechanism);
        return mechanism ? [{ mechanism, iterations: c.iterations }] : [];
      }),
    }));
  }

  /** Sets credentials; each salted password is computed here with PBKDF2 (`Hi`). */
  async upsert(entries: ScramUpsertEntry[]): Promise<ScramAlterResult[]> {
    const upsertions = await Promise.all(
      entries.map(async (e) => {
        const iterations = e.iterations ?? DEFAULT_UPSERT_ITERATIONS;
        // Checked here, before any key derivation: an absurd count would stall this process.
        if (!Number.isInteger(iterations) || iterations < SCRAM_MIN_ITERATIONS || iterations > SCRAM_MAX_ITERATIONS) {
          throw new RangeError(`iterations for ${e.user} must be an integer within ${SCRAM_MIN_ITERATIONS}–${SCRAM_MAX_ITERATIONS}`);
        }
        const salt = e.salt ?? randomBytes(32);
        return {
          name: e.user,
          mechanism: scramMechanismCode(e.mechanism),
          iterations,
          salt,
          saltedPassword: await scramHiAsync(e.mechanism, e.password, salt, iterations),
        };
      }),
    );
    return this.alter({ deletions: [], upsertions });
  }

  /** Deletes credentials; deleting one that does not exist yields RESOURCE_NOT_FOUND (91). */
  async delete(entries: Array<{ user: string; mechanism: ScramMechanism }>): Promise<ScramAlterResult[]> {
    return this.alter({ deletions: entries.map((e) => ({ name: e.user, mechanism: scramMechanismCode(e.mechanism) })), upsertions: [] });
  }

  /** Closes the connection; the next call reconnects. */
  async close(): Promise<void> {
    const pending = this.connection;
    this.connection = undefined;
    if (!pending) return;
    const conn = await pending.catch(() => undefined);
    await conn?.close();
  }

  private async alter(request: AlterScramRequest): Promise<ScramAlterResult[]> {
    return this.call(ApiKey.AlterUserScramCredentials, (w) => encodeAlterScram(w, request), decodeAlterScram);
  }

  /** Sends one flexible v0 request on the authenticated connection and decodes the answer. */
  private async call<T>(apiKey: number, body: Parameters<BrokerConnection['request']>[3], decode: (r: KafkaReader) => T): Promise<T> {
    const conn = await this.connect();
    const reader = await conn.request(apiKey, 0, true, body);
    try {
      return decode(reader);
    } catch (err) {
      await this.close();
      throw new KafkaAdminError(`malformed response to api ${apiKey} from ${conn.address}`, -1, { cause: err, retriable: true });
    }
  }

  private connect(): Promise<BrokerConnection> {
    const current = this.connection;
    if (current) {
      return current.then((c) => {
        if (c.isOpen) return c;
        this.connection = undefined;
        return this.connect();
      });
    }
    const opening = this.openAny();
    this.connection = opening;
    opening.catch(() => {
      if (this.connection === opening) this.connection = undefined;
    });
    return opening;
  }

  /** Tries each broker in turn; a failed login stops the search (other brokers share the credentials). */
  private async openAny(): Promise<BrokerConnection> {
    let lastError: unknown;
    for (const address of this.options.brokers) {
      const { host, port } = parseBroker(address);
      let conn: BrokerConnection | undefined;
      try {
        conn = await BrokerConnection.open({
          host,
          port,
          ssl: this.options.ssl,
          clientId: this.options.clientId ?? 'breachline-scram-admin',
          connectTimeoutMs: this.options.connectionTimeoutMs ?? 10_000,
          requestTimeoutMs: this.options.requestTimeoutMs ?? 30_000,
        });
        await this.handshake(conn);
        this.logger.debug({ broker: address, mechanism: this.options.sasl.mechanism }, 'scram admin connected');
        return conn;
      } catch (err) {
        await conn?.close();
        if (err instanceof KafkaAdminError && !err.retriable) throw err;
        lastError = err;
        this.logger.warn({ broker: address, err: (err as Error).message }, 'scram admin could not use broker');
      }
    }
    throw lastError instanceof Error ? lastError : new KafkaAdminError('no broker reachable', AdminErrorCode.NETWORK_EXCEPTION);
  }

  /** The shared SASL login, then a check that the broker speaks the two SCRAM admin APIs at v0. */
  private async handshake(conn: BrokerConnection): Promise<void> {
    const apis = await authenticate(conn, this.options.sasl);
    for (const [key, name] of REQUIRED_APIS) {
      if (!supports(apis, key, 0)) {
        throw new KafkaAdminError(`broker ${conn.address} does not support ${name} at the version this client speaks`, AdminErrorCode.UNSUPPORTED_VERSION);
      }
    }
  }
}

/** Throws the first per-user error of an upsert/delete as a {@link KafkaAdminError}. */
export function assertScramResults(results: readonly ScramAlterResult[]): void {
  const failed = results.find((r) => r.errorCode !== AdminErrorCode.NONE);
  if (failed) {
    throw new KafkaAdminError(`SCRAM credential change for ${failed.user} failed: ${failed.errorMessage ?? 'no message'}`, failed.errorCode);
  }
}
