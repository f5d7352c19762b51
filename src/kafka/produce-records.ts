import type { Admin } from 'kafkajs';
import type { Logger } from '../log/logger';
import type { KafkaConnection } from './client';
import { readTopicSince } from './topic-since';

/**
 * The write side of the broker's access records: which batches a principal's Produce requests
 * appended, read from the access-log topic (`__access_log`; docs/kafka-sandbox.md). Each record
 * names the partition, the offsets the batches took, their bytes and the producer id in their v2
 * header, so a poisoned topic's forged records are located without scanning it; the producer id is
 * then checked against the batches themselves (see src/forensics/write-window.ts).
 */

/** One accepted Produce of the principal to one partition; `toOffset` is exclusive. */
export interface ProduceAccessRecord {
  topic: string;
  partition: number;
  fromOffset: bigint;
  toOffset: bigint;
  records: number;
  bytes: number;
  /** Producer id the batches carry (-1 for a producer without idempotence). */
  producerId: bigint;
  clientId: string;
  /** Epoch ms the broker appended them. */
  time: number;
}

/** Options of {@link readPrincipalProduces}. */
export interface ReadProducesOptions {
  principal: string;
  topics: readonly string[];
  /** @default '__access_log' */
  accessLogTopic?: string;
  /** Start at the first access record at or after this time (epoch ms); absent = the whole log. */
  since?: number;
  logger?: Logger;
}

/** What the access log says about the principal's writes. */
export interface PrincipalProduces {
  produces: ProduceAccessRecord[];
  /** Access-log records read. */
  scanned: number;
}

function produceRecordOf(value: Buffer | null, principal: string, topics: ReadonlySet<string>): ProduceAccessRecord | undefined {
  if (value === null) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(value.toString('utf8'));
  } catch {
    // Not an access record: not evidence of anything, skipped rather than failing the step.
    return undefined;
  }
  if (v === null || typeof v !== 'object') return undefined;
  const e = v as Record<string, unknown>;
  if (e.kind !== 'produce' || e.principal !== principal || e.decision !== 'ALLOW' || typeof e.resourceName !== 'string' || !topics.has(e.resourceName)) return undefined;
  if (typeof e.partition !== 'number' || typeof e.fromOffset !== 'string' || typeof e.toOffset !== 'string' || typeof e.producerId !== 'string') return undefined;
  return {
    topic: e.resourceName,
    partition: e.partition,
    fromOffset: BigInt(e.fromOffset),
    toOffset: BigInt(e.toOffset),
    records: typeof e.records === 'number' ? e.records : 0,
    bytes: typeof e.bytes === 'number' ? e.bytes : 0,
    producerId: BigInt(e.producerId),
    clientId: typeof e.clientId === 'string' ? e.clientId : '',
    time: typeof e.time === 'number' ? e.time : 0,
  };
}

/** Reads the access log to its current end and keeps the principal's produces to `topics`. */
export async function readPrincipalProduces(connection: KafkaConnection, admin: Admin, options: ReadProducesOptions): Promise<PrincipalProduces> {
  const wanted = new Set(options.topics);
  const out: PrincipalProduces = { produces: [], scanned: 0 };
  await readTopicSince(connection, admin, {
    topic: options.accessLogTopic ?? '__access_log',
    ...(options.since !== undefined ? { since: options.since } : {}),
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    onRecords: (_partition, records) => {
      for (const r of records) {
        out.scanned++;
        const p = produceRecordOf(r.value, options.principal, wanted);
        if (p !== undefined) out.produces.push(p);
      }
    },
  });
  return out;
}
