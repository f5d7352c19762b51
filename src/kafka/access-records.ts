import type { Admin } from 'kafkajs';
import type { FetchAccessRecord } from '../domain/forensic-window';
import type { Logger } from '../log/logger';
import type { KafkaConnection } from './client';
import { readTopicSince } from './topic-since';

/**
 * The broker's access records, read from the access-log topic (`__access_log` by default; see
 * docs/kafka-sandbox.md for the record schema — the role Confluent audit logs or authorizer logs
 * play on real clusters). Forensics needs two things from it about the compromised principal: the
 * fetches served to it (which offsets, how many bytes) and the consumer groups it used.
 */

/** What the access log says about one principal. */
export interface PrincipalAccess {
  /** Fetches served to the principal, per topic, in log order. */
  fetches: Map<string, FetchAccessRecord[]>;
  /** Consumer groups the principal was allowed to use (group API authorizations). */
  groups: Set<string>;
  /** Access-log records read. */
  scanned: number;
}

/** Options of {@link readPrincipalAccess}. */
export interface ReadAccessOptions {
  principal: string;
  /** Only fetches of these topics are kept. */
  topics: readonly string[];
  /** @default '__access_log' */
  accessLogTopic?: string;
  /** Start reading at the first record at or after this time (epoch ms); absent = the whole log. */
  since?: number;
  logger?: Logger;
  timeoutMs?: number;
}

/** One access-log record, as far as forensics reads it. */
interface AccessLogEntry {
  time: number;
  kind: string;
  principal: string;
  resourceType: string;
  resourceName: string;
  decision: string;
  partition?: number;
  fromOffset?: string;
  toOffset?: string;
  records?: number;
  bytes?: number;
}

function parseEntry(value: Buffer | null): AccessLogEntry | undefined {
  if (value === null) return undefined;
  try {
    const v: unknown = JSON.parse(value.toString('utf8'));
    if (v === null || typeof v !== 'object') return undefined;
    const e = v as Partial<AccessLogEntry>;
    if (typeof e.time !== 'number' || typeof e.kind !== 'string' || typeof e.principal !== 'string' || typeof e.resourceName !== 'string') return undefined;
    return e as AccessLogEntry;
  } catch {
    // A record that is not an access record is not evidence; skip it rather than fail the step.
    return undefined;
  }
}

/** Reads the access log up to its current end and keeps what concerns `principal`. */
export async function readPrincipalAccess(connection: KafkaConnection, admin: Admin, options: ReadAccessOptions): Promise<PrincipalAccess> {
  const wanted = new Set(options.topics);
  const result: PrincipalAccess = { fetches: new Map(), groups: new Set(), scanned: 0 };
  await readTopicSince(connection, admin, {
    topic: options.accessLogTopic ?? '__access_log',
    ...(options.since !== undefined ? { since: options.since } : {}),
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    onRecords: (_partition, records) => {
      for (const r of records) {
        result.scanned++;
        const e = parseEntry(r.value);
        if (e === undefined || e.principal !== options.principal || e.decision !== 'ALLOW') continue;
        if (e.kind === 'authorization' && e.resourceType === 'GROUP') result.groups.add(e.resourceName);
        if (e.kind !== 'fetch' || !wanted.has(e.resourceName) || e.partition === undefined || e.fromOffset === undefined || e.toOffset === undefined) continue;
        const list = result.fetches.get(e.resourceName) ?? [];
        list.push({ partition: e.partition, fromOffset: e.fromOffset, toOffset: e.toOffset, records: String(e.records ?? 0), bytes: String(e.bytes ?? 0), time: e.time });
        result.fetches.set(e.resourceName, list);
      }
    },
  });
  return result;
}
