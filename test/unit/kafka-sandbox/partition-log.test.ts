import { describe, expect, it } from 'vitest';
import { PartitionLog } from '../../../src/sandbox/kafka/log/partition-log';
import { encodeBatch, splitBatches } from '../../../src/sandbox/kafka/log/record-batch';

/** Appends one batch whose records carry the given timestamps. */
function append(log: PartitionLog, timestamps: number[], size = 10): number {
  const batch = encodeBatch(timestamps.map((timestamp) => ({ value: Buffer.alloc(size, 1), timestamp })));
  return log.append(splitBatches(batch));
}

describe('partition log', () => {
  it('assigns consecutive offsets and rewrites the stored base offset', () => {
    const log = new PartitionLog();
    expect(append(log, [1, 2, 3])).toBe(0);
    expect(append(log, [4])).toBe(3);
    expect(log.logEndOffset).toBe(4);
    const [first, second] = log.read(0, 1 << 20);
    expect(first?.readBigInt64BE(0)).toBe(0n);
    expect(second?.readBigInt64BE(0)).toBe(3n);
  });

  it('serves from the batch containing the offset and always returns the first batch whole', () => {
    const log = new PartitionLog();
    append(log, [1, 2, 3], 500);
    append(log, [4], 500);
    expect(log.read(1, 10)).toHaveLength(1);
    expect(log.read(3, 10)[0]?.readBigInt64BE(0)).toBe(3n);
    expect(log.read(0, 1 << 20)).toHaveLength(2);
    expect(log.read(4, 1 << 20)).toEqual([]);
  });

  it('finds the first offset whose record timestamp reaches the target, across unordered batches', () => {
    const log = new PartitionLog();
    append(log, [100, 300, 200]);
    append(log, [150, 400]);
    append(log, [500]);
    const at = (ts: number) => log.offsetForTimestamp(ts);
    expect(at(0)).toEqual({ offset: 0, timestamp: 100 });
    expect(at(120)).toEqual({ offset: 1, timestamp: 300 });
    expect(at(301)).toEqual({ offset: 4, timestamp: 400 });
    expect(at(500)).toEqual({ offset: 5, timestamp: 500 });
    expect(at(501)).toBeNull();
    log.deleteBefore(2);
    // Offsets below the log start are gone even if their batch is still stored.
    expect(at(120)).toEqual({ offset: 2, timestamp: 200 });
  });

  it('deletes whole head batches by time and by size, advancing the log start offset', () => {
    const log = new PartitionLog();
    append(log, [1_000]);
    append(log, [2_000, 2_500]);
    append(log, [3_000]);
    expect(log.applyRetention(3_100, 1_000, -1)).toBe(1);
    expect(log.logStartOffset).toBe(1);
    expect(log.applyRetention(3_100, -1, -1)).toBe(0);
    const perBatch = log.liveBatches()[1]?.data.length ?? 0;
    expect(log.applyRetention(3_100, -1, perBatch)).toBe(1);
    expect(log.logStartOffset).toBe(3);
    expect(log.applyRetention(1e12, 1, -1)).toBe(1);
    expect(log.logStartOffset).toBe(4);
    expect(log.sizeBytes).toBe(0);
    expect(append(log, [5])).toBe(4);
  });
});
