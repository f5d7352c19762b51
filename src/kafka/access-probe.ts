/*
 * Wire layouts of the two probes (non-flexible, request header v1, response header v0):
 *
 *   Produce v3 request:  transactional_id NULLABLE_STRING, acks INT16, timeout_ms INT32,
 *                        topics ARRAY[name STRING, partitions ARRAY[index INT32, records NULLABLE_BYTES]]
 *   Produce v3 response: topics ARRAY[name STRING, partitions ARRAY[index INT32, error_code INT16,
 *                        base_offset INT64, log_append_time_ms INT64]], throttle_time_ms INT32
 *   Fetch v4 request:    replica_id INT32, max_wait_ms INT32, min_bytes INT32, max_bytes INT32,
 *                        isolation_level INT8, topics ARRAY[topic STRING, partitions ARRAY[
 *                        partition INT32, fetch_offset INT64, partition_max_bytes INT32]]
 *   Fetch v4 response:   throttle_time_ms INT32, responses ARRAY[topic STRING, partitions ARRAY[
 *                        partition INT32, error_code INT16, high_watermark INT64, last_stable_offset INT64,
 *                        aborted_transactions NULLABLE ARRAY[producer_id INT64, first_offset INT64],
 *                        records NULLABLE_BYTES]]
 */
import type { KafkaConnection } from './client';
import type { KafkaReader } from './wire';
import {
  ApiKey,
  decodeApiVersions,
  decodeSaslAuthenticate,
  decodeSaslHandshake,
  encodeSaslAuthenticate,
  encodeSaslHandshake,
} from './scram-admin/codecs';
import { BrokerConnection } from './scram-admin/connection';
import { adminErrorName, AdminErrorCode, KafkaAdminError } from './scram-admin/errors';
import { SASL_MECHANISM_NAMES, SaslClientError, createSaslClient, type SaslMechanismName } from './scram-admin/sasl-client';

/**
 * Proves what a principal can do, with its own credentials, without leaving a trace in the data:
 *
 * - **produce**: a Produce whose record set is empty. Kafka checks WRITE on the topic before it
 *   validates the records, so a principal that may write gets CORRUPT_MESSAGE or INVALID_RECORD
 *   (nothing appended)
 *   and one that may not gets TOPIC_AUTHORIZATION_FAILED. A real record would land in the topic
 *   every downstream consumer reads whenever the probe is allowed.
 * - **consume**: a Fetch at the largest possible offset. READ is checked first; a reader that may
 *   read gets OFFSET_OUT_OF_RANGE and no records. No consumer group is joined, so the probe does
 *   not make the principal's real group rebalance, and a group ACL cannot mask the topic ACL.
 *
 * Neither request can create a topic (only Metadata auto-creates). Each probe uses one fresh
 * connection, a short timeout and no retry: a failed login (a deleted or rotated account) is a
 * refusal; a broker that cannot be reached is `unreachable`, which never counts as refused.
 */

/** How one attempt ended. */
export type ProbeOutcome =
  | { outcome: 'allowed' }
  /** `reason` is Kafka's error name, e.g. `TOPIC_AUTHORIZATION_FAILED` or `SASL_AUTHENTICATION_FAILED`. */
  | { outcome: 'denied'; reason: string }
  | { outcome: 'unreachable'; reason: string };

/** Credentials and address of the principal under test. */
export interface ProbeTarget {
  connection: KafkaConnection;
  /** Per request and connect timeout. @default 3000 */
  timeoutMs?: number;
  clientId?: string;
}

/** Kafka errors that mean "the broker refused this principal". */
const REFUSALS: ReadonlySet<number> = new Set([
  29, // TOPIC_AUTHORIZATION_FAILED
  30, // GROUP_AUTHORIZATION_FAILED
  31, // CLUSTER_AUTHORIZATION_FAILED
  AdminErrorCode.SASL_AUTHENTICATION_FAILED,
  AdminErrorCode.UNSUPPORTED_SASL_MECHANISM,
]);

const ERROR_NAMES: Readonly<Record<number, string>> = {
  29: 'TOPIC_AUTHORIZATION_FAILED',
  30: 'GROUP_AUTHORIZATION_FAILED',
  31: 'CLUSTER_AUTHORIZATION_FAILED',
};
const errorName = (code: number): string => ERROR_NAMES[code] ?? adminErrorName(code);

const MECHANISMS: Readonly<Record<KafkaConnection['saslMechanism'], SaslMechanismName>> = SASL_MECHANISM_NAMES;

const PRODUCE = 0;
const FETCH = 1;
const INT64_MAX = 0x7fffffffffffffffn;
/** Not a record batch: refused by validation, which only runs once WRITE was granted. */
const EMPTY = Buffer.alloc(0);

/** Can the principal write to `topic`? */
export function probeProduce(target: ProbeTarget, topic: string, partition = 0): Promise<ProbeOutcome> {
  return withConnection(target, async (conn) => {
    const r = await conn.request(PRODUCE, 3, false, (w) => {
      w.string(null).int16(1).int32(target.timeoutMs ?? 3000);
      w.array([topic], (tw, name) => {
        tw.string(name).array([partition], (pw, index) => pw.int32(index).bytes(EMPTY));
      });
    });
    return classify(firstPartitionError(r, (x) => {
      x.int32();
      const code = x.int16();
      x.int64();
      x.int64();
      return code;
    }, false));
  });
}

/** Can the principal read from `topic`? */
export function probeConsume(target: ProbeTarget, topic: string, partition = 0): Promise<ProbeOutcome> {
  return withConnection(target, async (conn) => {
    const r = await conn.request(FETCH, 4, false, (w) => {
      w.int32(-1).int32(0).int32(1).int32(1024).int8(0);
      w.array([topic], (tw, name) => {
        tw.string(name).array([partition], (pw, index) => pw.int32(index).int64(INT64_MAX).int32(1024));
      });
    });
    return classify(firstPartitionError(r, (x) => {
      x.int32();
      const code = x.int16();
      x.int64();
      x.int64();
      x.array((a) => [a.int64(), a.int64()]);
      x.bytes();
      return code;
    }, true));
  });
}

/** Both probes at once. */
export async function probeAccess(target: ProbeTarget, topics: { produce: string; consume: string }): Promise<{ produce: ProbeOutcome; consume: ProbeOutcome }> {
  const [produce, consume] = await Promise.all([probeProduce(target, topics.produce), probeConsume(target, topics.consume)]);
  return { produce, consume };
}

/** True when the outcome is a refusal by the broker (authorization or authentication). */
export const isRefused = (o: ProbeOutcome): boolean => o.outcome === 'denied';

function classify(code: number): ProbeOutcome {
  if (REFUSALS.has(code)) return { outcome: 'denied', reason: errorName(code) };
  // Any other answer (none, CORRUPT_MESSAGE, OFFSET_OUT_OF_RANGE, NOT_LEADER…) came after the
  // authorization check passed.
  return { outcome: 'allowed' };
}

/** Error code of the first partition of the first topic; `throttleFirst` for Fetch's layout. */
function firstPartitionError(r: KafkaReader, partition: (r: KafkaReader) => number, throttleFirst: boolean): number {
  if (throttleFirst) r.int32();
  const topics = r.array((t) => {
    t.string();
    return t.array(partition) ?? [];
  });
  const code = topics?.[0]?.[0];
  if (code === undefined) throw new KafkaAdminError('probe answer names no partition', AdminErrorCode.NETWORK_EXCEPTION);
  return code;
}

/**
 * Runs the probe on the first broker that answers. Any broker will do: Kafka authorizes before it
 * checks leadership, so a refusal (or a NOT_LEADER answer, which means "allowed") is final.
 */
async function withConnection(target: ProbeTarget, probe: (conn: BrokerConnection) => Promise<ProbeOutcome>): Promise<ProbeOutcome> {
  const timeoutMs = target.timeoutMs ?? 3000;
  let last: ProbeOutcome = { outcome: 'unreachable', reason: 'no broker address' };
  for (const address of target.connection.brokers) {
    const { host, port } = parseAddress(address);
    let conn: BrokerConnection | undefined;
    try {
      conn = await BrokerConnection.open({ host, port, ssl: target.connection.ssl, clientId: target.clientId ?? 'breachline-access-probe', connectTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs });
      const refused = await authenticate(conn, target.connection);
      if (refused) return refused;
      return await probe(conn);
    } catch (err) {
      if (err instanceof KafkaAdminError && REFUSALS.has(err.code)) return { outcome: 'denied', reason: err.type };
      last = { outcome: 'unreachable', reason: `${address}: ${err instanceof Error ? err.message : String(err)}` };
    } finally {
      await conn?.close();
    }
  }
  return last;
}

/** SASL login; returns a `denied` outcome when the broker refuses the credentials. */
async function authenticate(conn: BrokerConnection, connection: KafkaConnection): Promise<ProbeOutcome | undefined> {
  const versions = decodeApiVersions(await conn.request(ApiKey.ApiVersions, 0, false, () => undefined));
  if (versions.errorCode !== AdminErrorCode.NONE) throw new KafkaAdminError('ApiVersions failed', versions.errorCode);
  const mechanism = MECHANISMS[connection.saslMechanism];
  const hs = decodeSaslHandshake(await conn.request(ApiKey.SaslHandshake, 1, false, (w) => encodeSaslHandshake(w, mechanism)));
  if (hs.errorCode !== AdminErrorCode.NONE) return { outcome: 'denied', reason: errorName(hs.errorCode) };
  let secret = connection.password;
  if (mechanism === 'OAUTHBEARER') {
    if (!connection.oauthBearer) return { outcome: 'unreachable', reason: 'SASL OAUTHBEARER needs a token source' };
    secret = await connection.oauthBearer();
  }
  const client = createSaslClient(mechanism, connection.username, secret);
  let message: Buffer | undefined = client.start();
  while (message) {
    const toSend: Buffer = message;
    const res = decodeSaslAuthenticate(await conn.request(ApiKey.SaslAuthenticate, 0, false, (w) => encodeSaslAuthenticate(w, toSend)));
    if (res.errorCode !== AdminErrorCode.NONE) return { outcome: 'denied', reason: errorName(res.errorCode) };
    try {
      message = await client.next(res.authBytes);
    } catch (err) {
      if (err instanceof SaslClientError) return { outcome: 'denied', reason: 'SASL_AUTHENTICATION_FAILED' };
      throw err;
    }
  }
  return undefined;
}

function parseAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  return { host, port: Number(address.slice(at + 1)) };
}
