import { execFileSync } from 'node:child_process';
import { crc32c } from '@node-rs/crc32';
import { compress as snappyCompress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { decodeRecordSet, RecordBatchError } from '../../../src/kafka/direct-fetch/record-batch';
import { KafkaReader, KafkaWriter } from '../../../src/kafka/wire';
import { start } from '../../../src/sandbox/kafka';
import { HANDLERS } from '../../../src/sandbox/kafka/handlers';
import type { RequestContext } from '../../../src/sandbox/kafka/handlers/types';
import { encodeBatch, splitBatches } from '../../../src/sandbox/kafka/log/record-batch';

/*
 * Compressed record batches, decoded by the direct fetch reader and accepted by the sandbox broker
 * (which stores them as sent). The records sections are compressed by encoders this project does
 * not use to decode: the gzip, lz4 (frame format, as Kafka's magic-2 batches carry) and zstd
 * command-line tools. Snappy has no such tool here: its raw block comes from snappyjs' compressor
 * and the xerial framing (the Java client's) is built by hand from its published layout.
 */

const records = Array.from({ length: 120 }, (_, i) => ({
  key: Buffer.from(`k${i}`),
  value: Buffer.from(JSON.stringify({ order: i, client: { accountId: `A${i % 13}` }, note: 'n'.repeat(30) })),
  timestamp: 1_790_000_000_000 + i * 10,
}));
const plain = encodeBatch(records);

/** The batch with its records section replaced by `body` under `codec`, length and CRC fixed. */
function withBody(codec: number, body: Buffer): Buffer {
  const batch = Buffer.concat([plain.subarray(0, 61), body]);
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt16BE((plain.readInt16BE(21) & ~0x07) | codec, 21);
  batch.writeUInt32BE(crc32c(batch.subarray(21)) >>> 0, 17);
  return batch;
}

const tool = (cmd: string, args: string[]) => (input: Buffer): Buffer => execFileSync(cmd, args, { input, maxBuffer: 1 << 24 });
const xerial = (input: Buffer): Buffer => {
  // magic, version 1, compatible version 1, then INT32-length blocks (two, to exercise the loop)
  const half = Math.floor(input.length / 2);
  const blocks = [input.subarray(0, half), input.subarray(half)].map((b) => snappyCompress(b));
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
  return Buffer.concat([header, ...blocks.flatMap((b) => { const len = Buffer.alloc(4); len.writeInt32BE(b.length); return [len, b]; })]);
};
const ENCODERS: Array<[string, number, (b: Buffer) => Buffer]> = [
  ['gzip (gzip tool)', 1, tool('gzip', ['-c'])],
  ['snappy, raw block (librdkafka\'s framing)', 2, (b) => snappyCompress(b)],
  ['snappy, xerial framing (the Java client\'s)', 2, xerial],
  ['lz4 frame (lz4 tool)', 3, tool('lz4', ['-c'])],
  ['zstd (zstd tool)', 4, tool('zstd', ['-c', '-q'])],
];

describe('compressed record batches', () => {
  const expected = decodeRecordSet(plain, 0n).records;

  for (const [name, codec, encode] of ENCODERS) {
    it(`${name}: the direct reader decodes the same records; the broker accepts and stores the batch as sent`, () => {
      const body = encode(plain.subarray(61));
      expect(body.length).toBeLessThan(plain.length - 61); // really compressed
      const batch = withBody(codec, body);
      const decoded = decodeRecordSet(batch, 0n);
      expect(decoded.records).toEqual(expected);
      expect(decoded.nextOffset).toBe(120n);
      // Edge lookup inside a compressed batch: just the wanted records.
      expect(decodeRecordSet(batch, 0n, new Set([7n, 119n])).records.map((r) => [r.offset, r.timestamp])).toEqual([[7n, records[7]?.timestamp], [119n, records[119]?.timestamp]]);

      const [stored] = splitBatches(batch);
      expect(stored?.data.equals(batch)).toBe(true);
      expect(stored?.recordCount).toBe(120);
      expect(stored?.maxTimestamp).toBe(records[119]?.timestamp);
    });
  }

  it('a corrupt compressed section is CORRUPT_MESSAGE, an unknown codec UNSUPPORTED_COMPRESSION_TYPE, both naming the batch', () => {
    const zstd = tool('zstd', ['-c', '-q'])(plain.subarray(61));
    const corrupt = withBody(4, Buffer.concat([zstd.subarray(0, 20), Buffer.alloc(zstd.length - 20, 0x55)]));
    const err = (() => { try { decodeRecordSet(corrupt, 0n); } catch (e) { return e; } return undefined; })();
    expect(err).toBeInstanceOf(RecordBatchError);
    expect(err).toMatchObject({ type: 'CORRUPT_MESSAGE' });
    expect((err as Error).message).toMatch(/offset 0: zstd/);
    const unknown = withBody(6, plain.subarray(61));
    expect(() => decodeRecordSet(unknown, 0n)).toThrow(expect.objectContaining({ type: 'UNSUPPORTED_COMPRESSION_TYPE' }));
  });
});

describe('zstd and the Produce version (KIP-110)', () => {
  it('a zstd batch is refused below Produce v7 with UNSUPPORTED_COMPRESSION_TYPE and stored from v7', async () => {
    const sandbox = await start({ port: 0 });
    try {
      sandbox.broker.createTopic('zstd-orders', 1);
      const batch = withBody(4, tool('zstd', ['-c', '-q'])(plain.subarray(61)));
      const handler = HANDLERS.get(0);
      const produce = async (version: number): Promise<number> => {
        const body = new KafkaWriter().string(null).int16(1).int32(5000).array(['zstd-orders'], (x, t) => x.string(t).array([0], (y, p) => y.int32(p).bytes(batch))).build();
        const ctx = { broker: sandbox.broker, session: { principal: 'User:t', host: '127.0.0.1' }, version, apiKey: 0, apiName: 'Produce', clientId: 't', quiet: false, authorize: () => true } as unknown as RequestContext;
        const reply = await handler?.handle(ctx, handler.decode(new KafkaReader(body), version));
        const w = new KafkaWriter();
        reply?.(w);
        const r = new KafkaReader(w.build());
        r.int32(); // topics
        r.string();
        r.int32(); // partitions
        r.int32(); // partition
        return r.int16();
      };
      expect(await produce(3)).toBe(76);
      expect(await produce(6)).toBe(76);
      expect(await produce(7)).toBe(0);
      expect(sandbox.broker.topics.partition('zstd-orders', 0).logEndOffset).toBe(120);
    } finally {
      await sandbox.close();
    }
  });
});
