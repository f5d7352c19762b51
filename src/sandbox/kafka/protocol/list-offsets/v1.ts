/*
 * ListOffsets Request (Version: 1) => replica_id [topics]
 *   replica_id INT32 ; topics => topic STRING, [partitions] ; partitions => partition INT32, timestamp INT64
 *   timestamp -1 = latest (log end), -2 = earliest (log start), otherwise the first offset whose record timestamp >= it
 * ListOffsets Response (Version: 1) => [responses]
 *   responses => topic STRING, [partition_responses]
 *     partition_responses => partition INT32, error_code INT16, timestamp INT64, offset INT64
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** List offsets request (decoded form). */
export interface ListOffsetsRequest { replicaId: number; topics: Array<{ name: string; partitions: Array<{ partition: number; timestamp: bigint }> }> }
/** List offsets partition result (decoded form). */
export interface ListOffsetsPartitionResult { partition: number; errorCode: number; timestamp: bigint; offset: bigint }
/** List offsets response (decoded form). */
export interface ListOffsetsResponse { topics: Array<{ name: string; partitions: ListOffsetsPartitionResult[] }> }

/** Reads the request body of this version. */
export function decode(r: KafkaReader): ListOffsetsRequest {
  return {
    replicaId: r.int32(),
    topics: r.array((t) => ({
      name: t.string() ?? '',
      partitions: t.array((p) => ({ partition: p.int32(), timestamp: p.int64() })) ?? [],
    })) ?? [],
  };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: ListOffsetsResponse): void {
  w.array(res.topics, (x, t) =>
    x.string(t.name).array(t.partitions, (y, p) => y.int32(p.partition).int16(p.errorCode).int64(p.timestamp).int64(p.offset)),
  );
}
