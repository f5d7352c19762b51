/*
 * Fetch Request (Version: 4) => replica_id max_wait_time min_bytes max_bytes isolation_level [topics]
 *   replica_id INT32, max_wait_time INT32, min_bytes INT32, max_bytes INT32, isolation_level INT8
 *   topics => topic STRING, [partitions] ; partitions => partition INT32, fetch_offset INT64, max_bytes INT32
 * Fetch Response (Version: 4) => throttle_time_ms [responses]
 *   responses => topic STRING, [partition_responses]
 *     partition_responses => partition INT32, error_code INT16, high_watermark INT64,
 *       last_stable_offset INT64, [aborted_transactions (producer_id INT64, first_offset INT64)],
 *       record_set RECORDS (INT32-length bytes: whole record batches)
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** Fetch partition request (decoded form). */
export interface FetchPartitionRequest { partition: number; fetchOffset: bigint; partitionMaxBytes: number }
/** Fetch request (decoded form). */
export interface FetchRequest {
  replicaId: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  topics: Array<{ name: string; partitions: FetchPartitionRequest[] }>;
}
/** Fetch partition result (decoded form). */
export interface FetchPartitionResult {
  partition: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  /** Whole stored batches, written back to back without copying. */
  batches: Buffer[];
}
/** Fetch response (decoded form). */
export interface FetchResponse { topics: Array<{ name: string; partitions: FetchPartitionResult[] }> }

/** Reads the request body of this version. */
export function decode(r: KafkaReader): FetchRequest {
  return {
    replicaId: r.int32(),
    maxWaitMs: r.int32(),
    minBytes: r.int32(),
    maxBytes: r.int32(),
    isolationLevel: r.int8(),
    topics: r.array((t) => ({
      name: t.string() ?? '',
      partitions: t.array((p) => ({ partition: p.int32(), fetchOffset: p.int64(), partitionMaxBytes: p.int32() })) ?? [],
    })) ?? [],
  };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: FetchResponse): void {
  w.int32(0).array(res.topics, (x, t) =>
    x.string(t.name).array(t.partitions, (y, p) => {
      y.int32(p.partition).int16(p.errorCode).int64(p.highWatermark).int64(p.lastStableOffset).array([], () => undefined);
      y.int32(p.batches.reduce((n, b) => n + b.length, 0));
      for (const b of p.batches) y.raw(b);
    }),
  );
}
