import type { Admin } from 'kafkajs';
import type { CommittedOffset, EdgeTimestamp, PartitionLog } from '../domain/forensic-window';
import type { Logger } from '../log/logger';
import type { KafkaConnection } from './client';
import { readSpans } from './record-sample';

/**
 * Offsets of a topic as forensics needs them, each an O(partitions) admin call: log bounds
 * (ListOffsets earliest/latest), offsets by timestamp (ListOffsets by time: the timestamp index),
 * committed offsets of consumer groups (OffsetFetch), and the record timestamp at given offsets
 * (one fetch per partition, no scanning).
 */

/** Log start and high watermark of every partition. */
export async function logBounds(admin: Admin, topic: string): Promise<PartitionLog[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets
    .map((o) => ({ partition: o.partition, logStartOffset: o.low, highWatermark: o.high }))
    .sort((a, b) => a.partition - b.partition);
}

/** Per partition, the first offset whose record timestamp is at or after `timestamp` (the high watermark if none). */
export async function offsetsAtTime(admin: Admin, topic: string, timestamp: number): Promise<Record<number, string>> {
  const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
  const out: Record<number, string> = {};
  for (const o of offsets) out[o.partition] = o.offset;
  return out;
}

/** Committed offsets of `groups` on `topic`; partitions without a commit are left out. */
export async function committedOffsets(admin: Admin, groups: readonly string[], topic: string): Promise<CommittedOffset[]> {
  const out: CommittedOffset[] = [];
  for (const groupId of groups) {
    const res = await admin.fetchOffsets({ groupId, topics: [topic] });
    for (const t of res) {
      if (t.topic !== topic) continue;
      for (const p of t.partitions) {
        if (BigInt(p.offset) >= 0n) out.push({ groupId, partition: p.partition, offset: p.offset });
      }
    }
  }
  return out;
}

/** Timestamps at the requested offsets, and the mean stored size of those records. */
export interface SampledRecords {
  timestamps: EdgeTimestamp[];
  /** Key + value bytes plus per-record framing, averaged over the sampled records; 0 when none. */
  averageRecordBytes: number;
}

/** Record framing per record in a v2 batch beyond key and value (length, attributes, deltas, header count), roughly. */
const RECORD_OVERHEAD_BYTES = 10;

/**
 * The record timestamp at each `{partition, offset}`: a single reader fetches the records at those
 * offsets, one partition's points in ascending order. Offsets without a record (below the log start,
 * control records) are absent from the result.
 */
export async function recordTimestampsAt(
  connection: KafkaConnection,
  topic: string,
  points: ReadonlyArray<{ partition: number; offset: string | bigint }>,
  options: { logger?: Logger; timeoutMs?: number } = {},
): Promise<SampledRecords> {
  const unique = new Map<string, { partition: number; offset: bigint }>();
  for (const p of points) unique.set(`${p.partition}:${BigInt(p.offset)}`, { partition: p.partition, offset: BigInt(p.offset) });
  const spans = [...unique.values()]
    .sort((a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0))
    .map((p) => ({ partition: p.partition, from: p.offset, to: p.offset + 1n }));
  const timestamps: EdgeTimestamp[] = [];
  let bytes = 0;
  await readSpans(connection, {
    topic,
    spans,
    clientId: 'breachline-forensics',
    logger: options.logger,
    timeoutMs: options.timeoutMs,
    onRecords: (partition, records) => {
      for (const r of records) {
        timestamps.push({ partition, offset: r.offset.toString(), timestamp: r.timestamp });
        bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0) + RECORD_OVERHEAD_BYTES;
      }
    },
  });
  return { timestamps, averageRecordBytes: timestamps.length === 0 ? 0 : bytes / timestamps.length };
}
