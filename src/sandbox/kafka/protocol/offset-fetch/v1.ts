/*
 * OffsetFetch Request (Version: 1) => group_id [topics]
 *   group_id STRING ; topics => topic STRING, [partitions INT32]
 * OffsetFetch Response (Version: 1) => [responses]
 *   responses => topic STRING, [partition_responses]
 *     partition_responses => partition INT32, offset INT64, metadata NULLABLE_STRING, error_code INT16
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** Offset fetch request (decoded form). */
export interface OffsetFetchRequest {
  groupId: string;
  /** null (v2+) = every partition the group has committed. */
  topics: Array<{ name: string; partitions: number[] }> | null;
}
/** Offset fetch partition (decoded form). */
export interface OffsetFetchPartition { partition: number; offset: bigint; metadata: string | null; errorCode: number }
/** Offset fetch response (decoded form). */
export interface OffsetFetchResponse {
  topics: Array<{ name: string; partitions: OffsetFetchPartition[] }>;
  errorCode: number;
}

/** Reads the request body of this version. */
export function decode(r: KafkaReader): OffsetFetchRequest {
  return {
    groupId: r.string() ?? '',
    topics: r.array((t) => ({ name: t.string() ?? '', partitions: t.array((p) => p.int32()) ?? [] })),
  };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: OffsetFetchResponse): void {
  w.array(res.topics, (x, t) =>
    x.string(t.name).array(t.partitions, (y, p) => y.int32(p.partition).int64(p.offset).string(p.metadata).int16(p.errorCode)),
  );
}
