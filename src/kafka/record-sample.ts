import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import type { Logger } from '../log/logger';
import { createKafka, type KafkaConnection } from './client';

/**
 * Reading chosen offset ranges of a topic with kafkajs: a consumer in a throwaway group (never
 * committing) seeks each partition to its range, hands the records over batch by batch, and moves
 * to the partition's next range or pauses it when done. Used to look up record timestamps at a
 * few offsets (ranges of one record: one fetch per partition, no scanning) and to stream a window
 * whose records must be read (data-subject counting, the access-log topic).
 */

/** An offset range of one partition; `to` is exclusive. */
export interface OffsetSpan {
  partition: number;
  from: bigint;
  to: bigint;
}

/** A record as handed to the caller. */
export interface ReadRecord {
  offset: bigint;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  /** The producer id of the record's batch (v2 header; -1 without idempotence), where the reader decodes headers. */
  producerId?: bigint;
}

/** Options of {@link readSpans}. */
export interface ReadSpansOptions {
  topic: string;
  /** Per partition in the order they are read; spans of a partition must not overlap. */
  spans: readonly OffsetSpan[];
  /** Called with each partition's records that fall inside the current span, in offset order. */
  onRecords: (partition: number, records: ReadRecord[]) => void | Promise<void>;
  clientId?: string;
  logger?: Logger;
  /** Gives up after this long. @default 300000 */
  timeoutMs?: number;
}

/** Raised when the ranges could not be read in time (e.g. offsets below the log start). */
export class ReadSpansTimeout extends Error {
  override readonly name = 'ReadSpansTimeout';
}

/** Reads every span; resolves once all are read. See the module comment. */
export async function readSpans(connection: KafkaConnection, options: ReadSpansOptions): Promise<void> {
  const queues = new Map<number, OffsetSpan[]>();
  for (const s of options.spans) {
    if (s.to <= s.from) continue;
    const q = queues.get(s.partition);
    if (q === undefined) queues.set(s.partition, [{ ...s }]);
    else q.push({ ...s });
  }
  if (queues.size === 0) return;
  const { topic } = options;
  const kafka = createKafka(connection, { clientId: options.clientId ?? 'breachline-reader', logger: options.logger });
  // A fresh group that never commits: nothing of the investigation is left on the cluster.
  const consumer: Consumer = kafka.consumer({ groupId: `breachline-reader-${randomUUID()}`, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  const cursor = new Map<number, bigint>();
  for (const [partition, q] of queues) cursor.set(partition, (q[0] as OffsetSpan).from);

  let finish: () => void = () => undefined;
  let fail: (err: unknown) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });

  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const q = queues.get(batch.partition);
        const span = q?.[0];
        if (q === undefined || span === undefined) return;
        let at = cursor.get(batch.partition) ?? span.from;
        // A batch fetched from elsewhere (before a seek landed, or prefetched before one) is not ours.
        // (`fetchedOffset` is on kafkajs's Batch object but missing from its type declarations.)
        const fetched = (batch as unknown as { fetchedOffset?: unknown }).fetchedOffset;
        if (typeof fetched === 'string' && BigInt(fetched) !== at) return;
        const records: ReadRecord[] = [];
        for (const m of batch.messages) {
          const offset = BigInt(m.offset);
          if (offset >= at && offset < span.to) records.push({ offset, timestamp: Number(m.timestamp), key: m.key, value: m.value });
        }
        // kafkajs fetches next from one past the batch, gaps (control records, compaction) included.
        const batchEnd = BigInt(batch.lastOffset()) + 1n;
        if (batchEnd > at) at = batchEnd;
        cursor.set(batch.partition, at);
        try {
          if (records.length > 0) await options.onRecords(batch.partition, records);
        } catch (err) {
          fail(err);
          return;
        }
        if (at >= span.to) {
          q.shift();
          const next = q[0];
          if (next === undefined) {
            queues.delete(batch.partition);
            consumer.pause([{ topic, partitions: [batch.partition] }]);
            if (queues.size === 0) finish();
          } else {
            cursor.set(batch.partition, next.from);
            consumer.seek({ topic, partition: batch.partition, offset: next.from.toString() });
          }
        }
      },
    });
    for (const [partition, q] of queues) consumer.seek({ topic, partition, offset: (q[0] as OffsetSpan).from.toString() });

    const timeoutMs = options.timeoutMs ?? 300_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ReadSpansTimeout(`reading ${topic} did not finish within ${timeoutMs} ms (${queues.size} partitions left)`)), timeoutMs);
    });
    try {
      await Promise.race([finished, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await consumer.disconnect();
  }
}
