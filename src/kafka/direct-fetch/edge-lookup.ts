import type { EdgeTimestamp } from '../../domain/forensic-window';
import type { SampledRecords } from '../offsets';
import { grow, OFFSET_OUT_OF_RANGE } from './errors';
import type { FetchPartitionRequest, FetchPartitionResponse } from './fetch-v4';
import { decodeRecordSet } from './record-batch';

/**
 * Edge lookups of the direct reader: the record timestamp at given offsets, read with Fetch requests
 * of tens of KB per partition. Each round asks every partition at its lowest pending offset; every
 * answer is searched for all of the partition's pending offsets, so points in the batches it brings
 * back cost no further lookup, and the next round asks only for what no answer covered (a batch
 * larger than its limit is asked again with its announced size). With `edgeSlots` > 1 the k-th
 * pending offset of every partition goes into the k-th of that many requests sent together.
 */

/** Digests one partition's answer while the response is read; must not keep views on `answer.records`. */
export type Digest<T> = (answer: FetchPartitionResponse, want: FetchPartitionRequest) => T;

/** One partition's answer, digested. */
export interface Answer<T> {
  partition: number;
  errorCode: number;
  highWatermark: bigint;
  value: T;
}

/** What an edge lookup keeps of a partition's answer. */
interface EdgeDigest {
  found: Array<{ offset: bigint; timestamp: number; bytes: number }>;
  nextOffset: bigint | undefined;
  truncatedBatchBytes: number | undefined;
}

/** What {@link lookupTimestamps} needs of the reader. */
export interface EdgeLookupIo {
  /** One round of Fetch requests for `wants` (one topic), each answer digested as it is read. */
  fetch<T>(wants: readonly FetchPartitionRequest[], digest: Digest<T>): Promise<Map<number, Answer<T>>>;
  /** Per-partition byte limit of a first ask. */
  edgeBytes: number;
  /** Requests sent together per round (at least 1). */
  edgeSlots: number;
}

/** Record framing per record in a v2 batch beyond key and value, roughly (as `recordTimestampsAt`). */
const RECORD_OVERHEAD_BYTES = 10;

/** See the module comment. Offsets without a record are absent from the result. */
export async function lookupTimestamps(topic: string, points: ReadonlyArray<{ partition: number; offset: string | bigint }>, io: EdgeLookupIo): Promise<SampledRecords> {
  const pending = new Map<number, bigint[]>();
  for (const p of points) {
    const list = pending.get(p.partition) ?? [];
    const offset = BigInt(p.offset);
    if (!list.includes(offset)) list.push(offset);
    pending.set(p.partition, list);
  }
  for (const list of pending.values()) list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const limit = new Map<string, number>();
  const timestamps: EdgeTimestamp[] = [];
  const recorded = new Set<string>();
  let bytes = 0;
  while (pending.size > 0) {
    const slots: FetchPartitionRequest[][] = [];
    const wanted = new Map<number, ReadonlySet<bigint>>();
    for (const [partition, list] of pending) {
      wanted.set(partition, new Set(list));
      for (let k = 0; k < Math.min(io.edgeSlots, list.length); k++) {
        const offset = list[k] as bigint;
        (slots[k] ??= []).push({ partition, offset, maxBytes: limit.get(`${partition}:${offset}`) ?? io.edgeBytes });
      }
    }
    // Decoded inside the response (pooled, not kept): only timestamps and sizes leave it.
    const digest: Digest<EdgeDigest | undefined> = (answer, want) => {
      if (answer.errorCode === OFFSET_OUT_OF_RANGE) return undefined;
      const decoded = decodeRecordSet(answer.records, want.offset, wanted.get(want.partition));
      const found = decoded.records.map((r) => ({ offset: r.offset, timestamp: r.timestamp, bytes: (r.key?.length ?? 0) + (r.value?.length ?? 0) + RECORD_OVERHEAD_BYTES }));
      return { found, nextOffset: decoded.nextOffset, truncatedBatchBytes: decoded.truncatedBatchBytes };
    };
    const answers = await Promise.all(slots.map((wants) => io.fetch(wants, digest)));
    const resolved = new Map<number, Set<bigint>>();
    const settle = (partition: number, offset: bigint): void => {
      const set = resolved.get(partition);
      if (set === undefined) resolved.set(partition, new Set([offset]));
      else set.add(offset);
    };
    slots.forEach((wants, k) => {
      for (const want of wants) {
        const answer = (answers[k] as Map<number, Answer<EdgeDigest | undefined>>).get(want.partition) as Answer<EdgeDigest | undefined>;
        const list = pending.get(want.partition) as bigint[];
        const decoded = answer.value;
        if (decoded === undefined) {
          settle(want.partition, want.offset); // below the log start (or past its end): no record there
        } else if (decoded.nextOffset === undefined) {
          // Nothing at or after the offset, or its batch did not fit: ask again with its size.
          if (want.offset >= answer.highWatermark) for (const o of list) if (o >= want.offset) settle(want.partition, o);
          if (want.offset < answer.highWatermark) limit.set(`${want.partition}:${want.offset}`, grow(want.maxBytes, decoded.truncatedBatchBytes, topic, want.partition));
        } else {
          // Every point this answer covered is settled: found, or a control record / compacted away.
          for (const o of list) if (o >= want.offset && o < decoded.nextOffset) settle(want.partition, o);
          for (const r of decoded.found) {
            const key = `${want.partition}:${r.offset}`;
            if (recorded.has(key)) continue; // two slots' answers held the same batch
            recorded.add(key);
            timestamps.push({ partition: want.partition, offset: r.offset.toString(), timestamp: r.timestamp });
            bytes += r.bytes;
          }
        }
      }
    });
    for (const [partition, done] of resolved) {
      const rest = (pending.get(partition) as bigint[]).filter((o) => !done.has(o));
      if (rest.length === 0) pending.delete(partition);
      else pending.set(partition, rest);
    }
  }
  timestamps.sort((a, b) => a.partition - b.partition || (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
  return { timestamps, averageRecordBytes: timestamps.length === 0 ? 0 : bytes / timestamps.length };
}
