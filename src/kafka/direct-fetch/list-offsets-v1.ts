/*
 * ListOffsets v1 (api key 2), client side: the log start, the log end or the timestamp index of
 * many partitions in one request (every broker since Kafka 0.10.1; Kafka 4.0 still speaks it).
 *
 * Request:  replica_id INT32 (-1: a client),
 *           topics ARRAY[topic STRING, partitions ARRAY[partition INT32, timestamp INT64]]
 *             timestamp: -2 earliest, -1 latest (high watermark), else the first record at or after it
 * Response: topics ARRAY[topic STRING, partitions ARRAY[partition INT32, error_code INT16,
 *             timestamp INT64, offset INT64 (-1 when no record is at or after the timestamp)]]
 *
 * A request may name a partition once, so earliest, latest and by-time are three requests.
 */
import type { KafkaReader, KafkaWriter } from '../wire';

export const LIST_OFFSETS_API_KEY = 2;
export const LIST_OFFSETS_VERSION = 1;
/** ListOffsets' special timestamps. */
export const EARLIEST = -2n;
export const LATEST = -1n;

/** One partition's answer. */
export interface ListOffsetsAnswer {
  partition: number;
  errorCode: number;
  offset: bigint;
}

/** Writes a ListOffsets v1 request body: the same `timestamp` for every partition of one topic. */
export function encodeListOffsets(w: KafkaWriter, topic: string, partitions: readonly number[], timestamp: bigint): void {
  w.int32(-1).array([topic], (x, t) => x.string(t).array(partitions, (y, p) => y.int32(p).int64(timestamp)));
}

/** Reads a ListOffsets v1 response body, the partitions of `topic` only. */
export function decodeListOffsets(r: KafkaReader, topic: string): ListOffsetsAnswer[] {
  const topics =
    r.array((t) => ({
      topic: t.string(),
      partitions:
        t.array((p) => {
          const partition = p.int32();
          const errorCode = p.int16();
          p.int64(); // timestamp of the record found
          return { partition, errorCode, offset: p.int64() };
        }) ?? [],
    })) ?? [];
  return topics.filter((t) => t.topic === topic).flatMap((t) => t.partitions);
}
