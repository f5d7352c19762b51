/*
 * Fetch v4 (api key 1), client side: the first version that carries record batch v2, spoken by
 * every broker since Kafka 0.11 and by the sandbox.
 *
 * Request:  replica_id INT32 (-1: a client), max_wait_ms INT32, min_bytes INT32, max_bytes INT32,
 *           isolation_level INT8 (0 read_uncommitted, 1 read_committed),
 *           topics ARRAY[topic STRING, partitions ARRAY[partition INT32, fetch_offset INT64, partition_max_bytes INT32]]
 * Response: throttle_time_ms INT32,
 *           responses ARRAY[topic STRING, partitions ARRAY[partition INT32, error_code INT16,
 *             high_watermark INT64, last_stable_offset INT64,
 *             aborted_transactions NULLABLE ARRAY[producer_id INT64, first_offset INT64],
 *             records NULLABLE BYTES (whole batches, the last one possibly cut short by the byte limit)]]
 */
import type { KafkaReader, KafkaWriter } from '../wire';

/** API key and version spoken here. */
export const FETCH_API_KEY = 1;
export const FETCH_VERSION = 4;

/** One partition to fetch. */
export interface FetchPartitionRequest {
  partition: number;
  offset: bigint;
  maxBytes: number;
}

/** A Fetch request for one topic. */
export interface FetchRequest {
  topic: string;
  partitions: readonly FetchPartitionRequest[];
  /** Limit of the whole response (KIP-74); the first batch is returned even if it is larger. */
  maxBytes: number;
  /** 0: answer at once with what there is (forensics reads history, it never waits for new records). */
  maxWaitMs: number;
}

/** One partition's answer. */
export interface FetchPartitionResponse {
  partition: number;
  errorCode: number;
  highWatermark: bigint;
  /** The batches' bytes as received (a view on the response frame). */
  records: Buffer;
}

/**
 * Writes a Fetch v4 request body. read_uncommitted: forensics must see every record an attacker
 * could have read, and a read_uncommitted consumer reads records of aborted transactions too.
 */
export function encodeFetch(w: KafkaWriter, req: FetchRequest): void {
  w.int32(-1).int32(req.maxWaitMs).int32(1).int32(req.maxBytes).int8(0);
  w.array([req.topic], (x, topic) =>
    x.string(topic).array(req.partitions, (y, p) => y.int32(p.partition).int64(p.offset).int32(p.maxBytes)),
  );
}

/** Reads a Fetch v4 response body; partitions of other topics than asked are kept (the caller checks). */
export function decodeFetch(r: KafkaReader): Array<{ topic: string; partitions: FetchPartitionResponse[] }> {
  r.int32(); // throttle_time_ms
  return (
    r.array((t) => ({
      topic: t.string() ?? '',
      partitions:
        t.array((p) => {
          const partition = p.int32();
          const errorCode = p.int16();
          const highWatermark = p.int64();
          p.int64(); // last_stable_offset
          p.array((a) => [a.int64(), a.int64()]); // aborted_transactions: not filtered under read_uncommitted
          return { partition, errorCode, highWatermark, records: p.bytes() ?? Buffer.alloc(0) };
        }) ?? [],
    })) ?? []
  );
}
