/*
 * Produce Request (Versions: 4–7) => v3's layout, unchanged.
 *   v4: the client must be prepared for KAFKA_STORAGE_ERROR; v5–v6: as v4; v7: zstd may be used.
 * Produce Response (Versions: 5–7) => [responses] throttle_time_ms
 *   responses => topic STRING, [partition_responses]
 *     partition_responses => partition INT32, error_code INT16, base_offset INT64,
 *                            log_append_time INT64, log_start_offset INT64
 * (v4's response is v3's.) Java clients of Kafka 4.x speak Produce v7 at the oldest (KIP-896
 * removed v0–v6), so the sandbox serves these layouts up to v7.
 */
import type { KafkaWriter } from '../../../../kafka/wire';
import type { ProducePartitionResult } from './v3';

export { decode } from './v3';

/** Produce partition result from v5 on: the partition's log start offset after the append. */
export interface ProducePartitionResultV5 extends ProducePartitionResult { logStartOffset: bigint }

/** Writes the response body of versions 5–7. */
export function encode(w: KafkaWriter, res: { topics: Array<{ name: string; partitions: ProducePartitionResultV5[] }> }): void {
  w.array(res.topics, (x, t) =>
    x.string(t.name).array(t.partitions, (y, p) => y.int32(p.partition).int16(p.errorCode).int64(p.baseOffset).int64(p.logAppendTime).int64(p.logStartOffset)),
  );
  w.int32(0);
}
