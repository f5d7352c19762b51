/*
 * OffsetCommit Request (Version: 2) => group_id generation_id member_id retention_time [topics]
 *   group_id STRING, generation_id INT32, member_id STRING, retention_time INT64
 *   topics => topic STRING, [partitions] ; partitions => partition INT32, offset INT64, metadata NULLABLE_STRING
 * OffsetCommit Response (Version: 2) => [responses]
 *   responses => topic STRING, [partition_responses (partition INT32, error_code INT16)]
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** Offset commit request (decoded form). */
export interface OffsetCommitRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  retentionTimeMs: bigint;
  topics: Array<{ name: string; partitions: Array<{ partition: number; offset: bigint; metadata: string | null }> }>;
}
/** Offset commit response (decoded form). */
export interface OffsetCommitResponse { topics: Array<{ name: string; partitions: Array<{ partition: number; errorCode: number }> }> }

/** Reads the request body of this version. */
export function decode(r: KafkaReader): OffsetCommitRequest {
  return {
    groupId: r.string() ?? '',
    generationId: r.int32(),
    memberId: r.string() ?? '',
    retentionTimeMs: r.int64(),
    topics: r.array((t) => ({
      name: t.string() ?? '',
      partitions: t.array((p) => ({ partition: p.int32(), offset: p.int64(), metadata: p.string() })) ?? [],
    })) ?? [],
  };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: OffsetCommitResponse): void {
  w.array(res.topics, (x, t) => x.string(t.name).array(t.partitions, (y, p) => y.int32(p.partition).int16(p.errorCode)));
}
