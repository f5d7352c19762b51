/*
 * Produce Request (Version: 3) => transactional_id acks timeout [topic_data]
 *   transactional_id NULLABLE_STRING, acks INT16, timeout INT32
 *   topic_data => topic STRING, [data] ; data => partition INT32, record_set RECORDS (INT32-length bytes)
 * Produce Response (Version: 3) => [responses] throttle_time_ms
 *   responses => topic STRING, [partition_responses]
 *     partition_responses => partition INT32, error_code INT16, base_offset INT64, log_append_time INT64
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** Produce request (decoded form). */
export interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topics: Array<{ name: string; partitions: Array<{ partition: number; records: Buffer | null }> }>;
}
/** Produce partition result (decoded form). */
export interface ProducePartitionResult { partition: number; errorCode: number; baseOffset: bigint; logAppendTime: bigint }
/** Produce response (decoded form). */
export interface ProduceResponse {
  topics: Array<{ name: string; partitions: ProducePartitionResult[] }>;
}

/** Reads the request body of this version. */
export function decode(r: KafkaReader): ProduceRequest {
  return {
    transactionalId: r.string(),
    acks: r.int16(),
    timeoutMs: r.int32(),
    topics: r.array((t) => ({
      name: t.string() ?? '',
      partitions: t.array((p) => ({ partition: p.int32(), records: p.bytes() })) ?? [],
    })) ?? [],
  };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: ProduceResponse): void {
  w.array(res.topics, (x, t) =>
    x.string(t.name).array(t.partitions, (y, p) => y.int32(p.partition).int16(p.errorCode).int64(p.baseOffset).int64(p.logAppendTime)),
  );
  w.int32(0);
}
