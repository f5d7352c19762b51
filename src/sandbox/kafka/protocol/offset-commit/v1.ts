/*
 * OffsetCommit Request (Version: 1) => group_id generation_id member_id [topics]
 *   group_id STRING, generation_id INT32, member_id STRING
 *   topics => topic STRING, [partitions]
 *     partitions => partition INT32, offset INT64, commit_timestamp INT64, metadata NULLABLE_STRING
 * OffsetCommit Response (Version: 1) => v2's layout.
 * Sarama sends v1 unless `Consumer.Offsets.Retention` is set. Kafka stores no per-partition commit
 * time any more, so commit_timestamp is read and dropped, as brokers since 2.1 do; v1 has no
 * retention time either, so the broker's default applies (as v2's -1).
 */
import type { KafkaReader } from '../../../../kafka/wire';
import type { OffsetCommitRequest } from './v2';

export { encode } from './v2';

/** Reads the request body of this version, in v2's decoded form. */
export function decode(r: KafkaReader): OffsetCommitRequest {
  return {
    groupId: r.string() ?? '',
    generationId: r.int32(),
    memberId: r.string() ?? '',
    retentionTimeMs: -1n,
    topics: r.array((t) => ({
      name: t.string() ?? '',
      partitions: t.array((p) => {
        const partition = p.int32();
        const offset = p.int64();
        p.int64(); // commit_timestamp
        return { partition, offset, metadata: p.string() };
      }) ?? [],
    })) ?? [],
  };
}
