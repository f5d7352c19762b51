import type { Admin } from 'kafkajs';
import type { KafkaConnection } from './client';
import { readSpans, type ReadRecord } from './record-sample';
import type { Logger } from '../log/logger';

/**
 * Reads a topic from a point in time to its current end: the timestamp index (ListOffsets by time)
 * gives each partition's first offset at or after `since`, so a source kept for months is read
 * only over the incident. A missing topic reads as empty (the cluster does not keep that source).
 * Every reader of a log-like topic (access records, request logs, commits, audit events, Vault
 * audit lines) goes through it.
 */

/** Options of {@link readTopicSince}. */
export interface ReadTopicOptions {
  topic: string;
  /** Epoch ms; absent reads from the log start. */
  since?: number;
  /** Only these partitions (e.g. the `__consumer_offsets` partitions of the attacker's groups). */
  partitions?: readonly number[];
  logger?: Logger;
  /** Longest the whole read may take (see `readSpans`). */
  timeoutMs?: number;
  onRecords: (partition: number, records: ReadRecord[]) => void;
}

/** Reads the topic; resolves with the number of records read, or -1 when the topic does not exist. */
export async function readTopicSince(connection: KafkaConnection, admin: Admin, options: ReadTopicOptions): Promise<number> {
  const { topic } = options;
  if (!(await admin.listTopics()).includes(topic)) return -1;
  const bounds = await admin.fetchTopicOffsets(topic);
  const starts = new Map<number, string>();
  if (options.since !== undefined) for (const o of await admin.fetchTopicOffsetsByTimestamp(topic, options.since)) starts.set(o.partition, o.offset);
  const only = options.partitions === undefined ? undefined : new Set(options.partitions);
  const spans = bounds
    .filter((b) => only === undefined || only.has(b.partition))
    .map((b) => {
      const low = BigInt(b.low);
      const at = starts.has(b.partition) ? BigInt(starts.get(b.partition) as string) : low;
      return { partition: b.partition, from: at > low ? at : low, to: BigInt(b.high) };
    });
  let read = 0;
  await readSpans(connection, {
    topic,
    spans,
    clientId: 'breachline-forensics',
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    onRecords: (partition, records) => {
      read += records.length;
      options.onRecords(partition, records);
    },
  });
  return read;
}
