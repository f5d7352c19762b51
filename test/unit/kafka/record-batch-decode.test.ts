import { describe, expect, it } from 'vitest';
import { decodeRecordSet, RecordBatchError } from '../../../src/kafka/direct-fetch/record-batch';
import { encodeBatch } from '../../../src/sandbox/kafka/log/record-batch';

/*
 * The direct fetch reader's batch decoder, against batches encoded by the sandbox broker's own
 * encoder (the broker stores what producers send): a record set cut short by a byte limit is
 * reported as truncated with the size the next fetch needs, never decoded half; edge lookups decode
 * only the wanted records; a corrupted batch fails its CRC instead of yielding wrong records.
 */

const T0 = 1_700_000_000_000;

/** A batch of `n` records at offsets base..base+n-1, values `v<offset>`. */
function batch(base: number, n: number, options: { gzip?: boolean } = {}): Buffer {
  const b = encodeBatch(Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`v${base + i}`), timestamp: T0 + (base + i) * 1000 })), options);
  b.writeBigInt64BE(BigInt(base), 0); // the broker assigns the base offset (outside the CRC)
  return b;
}

describe('decodeRecordSet', () => {
  it('decodes whole batches from the fetch offset on, and says where the next fetch starts', () => {
    const set = Buffer.concat([batch(0, 10), batch(10, 10, { gzip: true })]);
    const d = decodeRecordSet(set, 5n);
    expect(d.records.map((r) => Number(r.offset))).toEqual(Array.from({ length: 15 }, (_, i) => i + 5));
    expect(d.records[0]).toMatchObject({ timestamp: T0 + 5000 });
    expect(d.records[0]?.value?.toString()).toBe('v5');
    expect(d).toMatchObject({ nextOffset: 20n, truncated: false });
  });

  it('reports a batch cut short by the byte limit with its full size, and decodes nothing of it', () => {
    const first = batch(0, 10);
    const second = batch(10, 10);
    const d = decodeRecordSet(Buffer.concat([first, second.subarray(0, second.length - 7)]), 0n);
    expect(d.records).toHaveLength(10);
    expect(d).toMatchObject({ nextOffset: 10n, truncated: true, truncatedBatchBytes: second.length });

    const only = decodeRecordSet(second.subarray(0, 40), 10n);
    expect(only).toMatchObject({ records: [], nextOffset: undefined, truncated: true, truncatedBatchBytes: second.length });
  });

  it('with `only`, decodes just the wanted offsets and skips batches without any', () => {
    const set = Buffer.concat([batch(0, 10), batch(10, 10), batch(20, 10)]);
    const d = decodeRecordSet(set, 0n, new Set([3n, 27n]));
    expect(d.records.map((r) => [Number(r.offset), r.timestamp])).toEqual([[3, T0 + 3000], [27, T0 + 27000]]);
    expect(d.nextOffset).toBe(30n);
  });

  it('refuses a batch whose CRC does not match rather than return altered records', () => {
    const b = batch(0, 5);
    b.writeUInt8((b.readUInt8(b.length - 1) ^ 0xff) & 0xff, b.length - 1);
    expect(() => decodeRecordSet(b, 0n)).toThrow(RecordBatchError);
  });
});
