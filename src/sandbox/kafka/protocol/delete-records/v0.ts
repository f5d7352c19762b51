/*
 * DeleteRecords Request (Version: 0) => [topics] timeout
 *   topics => topic STRING, [partitions (partition INT32, offset INT64)]   offset -1 = high watermark
 *   timeout INT32
 * DeleteRecords Response (Version: 0) => throttle_time_ms INT32,
 *   [topics (name STRING, [partitions (partition INT32, low_watermark INT64, error_code INT16)])]
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** Delete records request (decoded form). */
export interface DeleteRecordsRequest { topics: Array<{ name: string; partitions: Array<{ partition: number; offset: bigint }> }>; timeoutMs: number }
/** Delete records response (decoded form). */
export interface DeleteRecordsResponse { topics: Array<{ name: string; partitions: Array<{ partition: number; lowWatermark: bigint; errorCode: number }> }> }

/** Reads the request body of this version. */
export function decode(r: KafkaReader): DeleteRecordsRequest {
  return {
    topics: r.array((t) => ({ name: t.string() ?? '', partitions: t.array((p) => ({ partition: p.int32(), offset: p.int64() })) ?? [] })) ?? [],
    timeoutMs: r.int32(),
  };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: DeleteRecordsResponse): void {
  w.int32(0).array(res.topics, (x, t) =>
    x.string(t.name).array(t.partitions, (y, p) => y.int32(p.partition).int64(p.lowWatermark).int16(p.errorCode)),
  );
}
