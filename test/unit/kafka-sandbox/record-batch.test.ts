import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { crc32c } from '@node-rs/crc32';
import { encodeBatch, recordStamps, splitBatches } from '../../../src/sandbox/kafka/log/record-batch';
import { BrokerError, ErrorCode } from '../../../src/sandbox/kafka/protocol/errors';

// kafkajs's own record batch encoder, used as the reference for the bytes a producer sends.
const requireFromHere = createRequire(__filename);
type KafkajsRecord = { offsetDelta: number; timestampDelta: number; key: Buffer | null; value: Buffer | null; headers?: Record<string, Buffer> };
const { RecordBatch: KafkajsRecordBatch } = requireFromHere('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch: (opts: Record<string, unknown>) => Promise<{ buffer: Buffer }>;
};
const KafkajsRecordV0 = requireFromHere('kafkajs/src/protocol/recordBatch/record/v0') as (r: KafkajsRecord) => unknown;
const Long = requireFromHere('kafkajs/src/utils/long') as { fromInt(n: number): unknown; fromValue(n: number): unknown };

/** A batch exactly as kafkajs 2.2.4 would put it in a Produce request. */
async function kafkajsBatch(records: KafkajsRecord[], firstTimestamp: number, maxTimestamp: number, compression = 0): Promise<Buffer> {
  const encoded = await KafkajsRecordBatch({
    compression,
    firstOffset: Long.fromInt(0),
    firstTimestamp,
    maxTimestamp,
    lastOffsetDelta: records.length - 1,
    producerId: Long.fromValue(-1),
    producerEpoch: -1,
    firstSequence: -1,
    records: records.map((r) => KafkajsRecordV0(r)),
  });
  return encoded.buffer;
}

const codeOf = (fn: () => unknown): number | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof BrokerError ? err.code : undefined;
  }
  return undefined;
};

describe('record batch v2', () => {
  it('encodes byte-for-byte what kafkajs encodes (golden comparison)', async () => {
    const t = 1_700_000_000_000;
    const ours = encodeBatch([
      { key: Buffer.from('k0'), value: Buffer.from('v0'), timestamp: t, headers: [{ key: 'h', value: Buffer.from('x') }] },
      { key: null, value: Buffer.from('v1'), timestamp: t + 5 },
    ]);
    const theirs = await kafkajsBatch(
      [
        { offsetDelta: 0, timestampDelta: 0, key: Buffer.from('k0'), value: Buffer.from('v0'), headers: { h: Buffer.from('x') } },
        { offsetDelta: 1, timestampDelta: 5, key: null, value: Buffer.from('v1') },
      ],
      t,
      t + 5,
    );
    expect(ours.toString('hex')).toBe(theirs.toString('hex'));
  });

  it('validates kafkajs batches and indexes the largest record timestamp, not the header one', async () => {
    const t = 1_700_000_000_000;
    // kafkajs may put a delta-negative record in a batch; the header max is not trusted.
    const batch = await kafkajsBatch(
      [
        { offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('a') },
        { offsetDelta: 1, timestampDelta: 900, key: null, value: Buffer.from('b') },
        { offsetDelta: 2, timestampDelta: -50, key: null, value: Buffer.from('c') },
      ],
      t,
      t,
      1,
    );
    const [summary] = splitBatches(Buffer.concat([batch]));
    expect(summary?.recordCount).toBe(3);
    expect(summary?.maxTimestamp).toBe(t + 900);
    expect(recordStamps(summary?.data ?? Buffer.alloc(0)).map((s) => s.timestamp)).toEqual([t, t + 900, t - 50]);
  });

  it('splits a record set holding several batches', () => {
    const a = encodeBatch([{ value: Buffer.from('a'), timestamp: 1 }]);
    const b = encodeBatch([{ value: Buffer.from('b'), timestamp: 2 }, { value: Buffer.from('c'), timestamp: 3 }], { gzip: true });
    const out = splitBatches(Buffer.concat([a, b]));
    expect(out.map((x) => x.recordCount)).toEqual([1, 2]);
    expect(out.map((x) => x.maxTimestamp)).toEqual([1, 3]);
  });

  it('rejects corrupt, legacy, truncated and unsupported-codec batches with Kafka error codes', () => {
    const good = encodeBatch([{ value: Buffer.from('payload'), timestamp: 1 }]);
    const flipped = Buffer.from(good);
    flipped.writeUInt8(flipped.readUInt8(flipped.length - 1) ^ 0xff, flipped.length - 1);
    expect(codeOf(() => splitBatches(flipped))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(codeOf(() => splitBatches(good.subarray(0, good.length - 2)))).toBe(ErrorCode.CORRUPT_MESSAGE);

    const legacy = Buffer.from(good);
    legacy.writeInt8(1, 16);
    expect(codeOf(() => splitBatches(legacy))).toBe(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);

    // Codec 5 is no Kafka codec; snappy claimed over records that are not snappy is corruption.
    const unknownCodec = Buffer.from(good);
    unknownCodec.writeInt16BE(5, 21);
    unknownCodec.writeUInt32BE(crc32c(unknownCodec.subarray(21)), 17);
    expect(codeOf(() => splitBatches(unknownCodec))).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    const notSnappy = Buffer.from(good);
    notSnappy.writeInt16BE(2, 21);
    notSnappy.writeUInt32BE(crc32c(notSnappy.subarray(21)), 17);
    expect(codeOf(() => splitBatches(notSnappy))).toBe(ErrorCode.CORRUPT_MESSAGE);

    const miscounted = Buffer.from(good);
    miscounted.writeInt32BE(2, 57);
    miscounted.writeUInt32BE(crc32c(miscounted.subarray(21)), 17);
    expect(codeOf(() => splitBatches(miscounted))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });
});
