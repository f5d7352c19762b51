/**
 * The size in bytes of an uncompressed record batch (magic v2, no headers), computed from Kafka's
 * wire layout rather than observed: the scenario's ground truth states the bytes a fetch serves
 * without trusting the broker under test. Kafka brokers store and serve a producer's batches as
 * sent, so this is also what a fetch of the batch returns.
 *
 *   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32 |
 *   attributes int16 | lastOffsetDelta int32 | firstTimestamp int64 | maxTimestamp int64 |
 *   producerId int64 | producerEpoch int16 | baseSequence int32 | recordCount int32 | records
 *
 *   record: length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
 *           keyLength varint | key | valueLength varint | value | headerCount varint
 */

/** Fixed part of a v2 batch, the 12-byte offset/length prefix included. */
export const BATCH_HEADER_BYTES = 61;

/** Bytes of a zigzag varint / varlong holding `n`. */
export function varintSize(n: number | bigint): number {
  const v = BigInt(n);
  let zz = v >= 0n ? v << 1n : ((-v) << 1n) - 1n;
  let size = 1;
  while (zz >= 0x80n) {
    zz >>= 7n;
    size++;
  }
  return size;
}

/** One record as a producer puts it in a batch. */
export interface BatchRecord {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
}

/**
 * Bytes of the batch a producer writes for `records` in this order (kafkajs, like the Java client,
 * takes the first record's timestamp as the batch's first timestamp and deltas from it).
 */
export function recordBatchSize(records: readonly BatchRecord[]): number {
  const first = records[0]?.timestamp ?? 0;
  let size = BATCH_HEADER_BYTES;
  records.forEach((r, i) => {
    const bytes = (b: Buffer | null): number => (b === null ? varintSize(-1) : varintSize(b.length) + b.length);
    const body = 1 + varintSize(r.timestamp - first) + varintSize(i) + bytes(r.key) + bytes(r.value) + varintSize(0);
    size += varintSize(body) + body;
  });
  return size;
}
