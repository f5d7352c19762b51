import type { Admin } from 'kafkajs';
import type { AccessObservation } from '../../../domain/access-observations';
import type { KafkaConnection } from '../../../kafka/client';
import type { Logger } from '../../../log/logger';
import { readTopicSince } from '../../../kafka/topic-since';
import type { AccessQuery, AccessSource } from '../types';
import { parseAuditEvent, type AuditedRead } from './parse';

/**
 * The Confluent audit-log source. Audit events say when the principal was allowed to consume a
 * topic, nothing about partitions or offsets; the timestamp index turns the times into offsets.
 * A consumer allowed to fetch at time T can have been served any record appended before T (plus a
 * fetch's long-poll wait and clock skew: `marginMs`), and — under the assumption every
 * time-derived range states — nothing before the suspected start. So, per partition of the
 * topic: from the offset at `since` to the offset at the last granted fetch + margin (the log end
 * if no record is that late). Labelled `time-derived`.
 */

/** Dependencies of {@link createConfluentAuditSource}. */
export interface ConfluentAuditSourceDeps {
  kafka: KafkaConnection;
  admin: Admin;
  logger: Logger;
  /** @default 'confluent-audit-log-events' */
  topic?: string;
  /** Long-poll wait and clock skew allowed after the last authorization. @default 60000 */
  marginMs?: number;
}

/** A Confluent audit-log source. */
export function createConfluentAuditSource(deps: ConfluentAuditSourceDeps): AccessSource {
  const topic = deps.topic ?? 'confluent-audit-log-events';
  const marginMs = deps.marginMs ?? 60_000;
  return {
    id: 'confluent-audit',
    async *read(q: AccessQuery): AsyncIterable<AccessObservation> {
      const since = Date.parse(q.since);
      const until = Date.parse(q.until);
      const wanted = new Set(q.topics);
      const reads = new Map<string, AuditedRead[]>();
      const found = await readTopicSince(deps.kafka, deps.admin, {
        topic,
        since,
        logger: deps.logger,
        onRecords: (_p, records) => {
          for (const r of records) {
            const e = parseAuditEvent(r.value);
            if (e === undefined || e.principal !== q.principal || !wanted.has(e.topic) || e.time < since || e.time > until) continue;
            reads.set(e.topic, [...(reads.get(e.topic) ?? []), e]);
          }
        },
      });
      if (found < 0) deps.logger.warn({ topic }, 'audit log topic not found; no audit events');
      for (const [t, events] of reads) {
        const last = events.reduce((a, b) => (b.time > a.time ? b : a));
        const starts = await deps.admin.fetchTopicOffsetsByTimestamp(t, since);
        const ends = await deps.admin.fetchTopicOffsetsByTimestamp(t, last.time + marginMs);
        const bounds = await deps.admin.fetchTopicOffsets(t);
        for (const b of bounds) {
          const from = BigInt(starts.find((s) => s.partition === b.partition)?.offset ?? b.low);
          const endAt = ends.find((s) => s.partition === b.partition)?.offset;
          // No record at or after that time: everything up to the high watermark was there to read.
          const to = endAt === undefined || BigInt(endAt) < 0n ? BigInt(b.high) : BigInt(endAt);
          yield {
            source: 'confluent-audit',
            principal: q.principal,
            ...(last.clientId !== undefined ? { clientId: last.clientId } : {}),
            ...(last.clientAddress !== undefined ? { clientAddress: last.clientAddress } : {}),
            topic: t,
            partition: b.partition,
            from: from.toString(),
            to: to.toString(),
            time: last.time,
            precision: 'time-derived',
          };
        }
      }
    },
  };
}
