import type { Admin } from 'kafkajs';
import type { AccessObservation } from '../../../domain/access-observations';
import type { KafkaConnection } from '../../../kafka/client';
import type { Logger } from '../../../log/logger';
import { readTopicSince } from '../../../kafka/topic-since';
import type { AccessQuery, AccessSource } from '../types';
import { decodeOffsetKey, decodeOffsetValue, offsetsPartitionFor, OffsetsCodecError } from './codec';

/**
 * The consumer-group commit history (`__consumer_offsets`): for the groups the principal may have
 * used, every commit on the topics since the suspected start. Only the partitions that hold those
 * groups are read. A commit at offset `c` says the group had consumed everything below `c`; it
 * does not say what was fetched beyond it. So the range per partition is bounded: from the offset
 * at the suspected start (or the first commit, if lower) to the log end — the attacker may have
 * fetched past its last commit up to containment, and the log end now bounds the log end then.
 * Commits carry no principal: the attribution is by group.
 */

/** Dependencies of {@link createConsumerOffsetsSource}. */
export interface ConsumerOffsetsSourceDeps {
  kafka: KafkaConnection;
  admin: Admin;
  logger: Logger;
  /** @default '__consumer_offsets' */
  topic?: string;
}

interface Commits {
  first: bigint;
  last: bigint;
  time: number;
  count: number;
}

/** A consumer-offsets source. */
export function createConsumerOffsetsSource(deps: ConsumerOffsetsSourceDeps): AccessSource {
  const topic = deps.topic ?? '__consumer_offsets';
  return {
    id: 'consumer-offsets',
    async *read(q: AccessQuery): AsyncIterable<AccessObservation> {
      if (q.groups.length === 0) return;
      const since = Date.parse(q.since);
      const until = Date.parse(q.until);
      const metadata = await deps.admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
      const count = metadata?.topics[0]?.partitions.length ?? 0;
      if (count === 0) {
        deps.logger.warn({ topic }, 'consumer offsets topic not readable; no commit history');
        return;
      }
      const groups = new Set(q.groups);
      const topics = new Set(q.topics);
      const commits = new Map<string, Commits>();
      let skipped = 0;
      await readTopicSince(deps.kafka, deps.admin, {
        topic,
        since,
        partitions: [...new Set([...groups].map((g) => offsetsPartitionFor(g, count)))],
        logger: deps.logger,
        onRecords: (_p, records) => {
          for (const r of records) {
            if (r.key === null || r.value === null) continue;
            try {
              const key = decodeOffsetKey(r.key);
              if (key.kind !== 'offset-commit' || !groups.has(key.group) || !topics.has(key.topic)) continue;
              const value = decodeOffsetValue(r.value);
              const time = value.commitTimestamp > 0 ? value.commitTimestamp : r.timestamp;
              if (time < since || time > until || value.offset < 0n) continue;
              const k = `${key.topic}\u0000${key.partition}`;
              const c = commits.get(k);
              if (c === undefined) commits.set(k, { first: value.offset, last: value.offset, time, count: 1 });
              else {
                if (value.offset < c.first) c.first = value.offset;
                if (value.offset > c.last) c.last = value.offset;
                c.time = Math.max(c.time, time);
                c.count++;
              }
            } catch (err) {
              if (!(err instanceof OffsetsCodecError)) throw err;
              // A record of a version this reader does not know: counted, not guessed at.
              skipped++;
            }
          }
        },
      });
      if (skipped > 0) deps.logger.warn({ skipped }, 'consumer offsets records of unknown versions skipped');
      for (const t of q.topics) {
        const starts = await deps.admin.fetchTopicOffsetsByTimestamp(t, since);
        const ends = await deps.admin.fetchTopicOffsets(t);
        for (const end of ends) {
          const c = commits.get(`${t}\u0000${end.partition}`);
          if (c === undefined) continue;
          const atSince = BigInt(starts.find((s) => s.partition === end.partition)?.offset ?? end.low);
          const from = c.first < atSince ? c.first : atSince;
          const high = BigInt(end.high);
          yield { source: 'consumer-offsets', principal: q.principal, topic: t, partition: end.partition, from: from.toString(), to: (high > c.last ? high : c.last).toString(), time: c.time, precision: 'bounded' };
        }
      }
    },
  };
}
