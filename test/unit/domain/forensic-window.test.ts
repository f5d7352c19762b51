import { describe, expect, it } from 'vitest';
import { InvalidOffsetError } from '../../../src/domain/errors';
import { establishWindow, mergeIntervals, windowEdges, type FetchAccessRecord, type ForensicInput } from '../../../src/domain/forensic-window';

const fetch = (partition: number, from: bigint | string, to: bigint | string, bytes: number | string, time = 0): FetchAccessRecord => {
  const f = BigInt(from);
  const t = BigInt(to);
  return { partition, fromOffset: f.toString(), toOffset: t.toString(), records: (t - f).toString(), bytes: String(bytes), time };
};

const log = (partition: number, logStartOffset: string, highWatermark: string) => ({ partition, logStartOffset, highWatermark });

describe('mergeIntervals', () => {
  it('merges overlapping and adjacent ranges and drops empty ones', () => {
    expect(
      mergeIntervals([
        { from: 10n, to: 20n },
        { from: 0n, to: 5n },
        { from: 5n, to: 8n },
        { from: 15n, to: 30n },
        { from: 40n, to: 40n },
        { from: 50n, to: 60n },
      ]),
    ).toEqual([
      { from: 0n, to: 8n },
      { from: 10n, to: 30n },
      { from: 50n, to: 60n },
    ]);
  });
});

describe('establishWindow', () => {
  it('counts each offset once when fetches repeat and overlap', () => {
    const input: ForensicInput = {
      topic: 'orders',
      partitions: [log(0, '0', '1000')],
      accessRecords: [fetch(0, 100n, 200n, 10_000), fetch(0, 100n, 200n, 10_000), fetch(0, 200n, 300n, 12_000), fetch(0, 150n, 250n, 11_000)],
    };
    const w = establishWindow(input);
    expect(w.partitions).toHaveLength(1);
    expect(w.partitions[0]).toMatchObject({ partition: 0, from: '100', to: '299', records: '200', clampedRecords: '0' });
    expect(w.partitions[0]!.ranges).toHaveLength(1);
    expect(w.totals).toMatchObject({ partitions: 1, ranges: 1, records: '200' });
    // The overlap cuts the union into four 50-offset pieces no single fetch matches, so each takes
    // its share of the first tightest fetch covering it: 100..149 and 150..199 half of 10,000,
    // 200..249 half of 11,000 (the 150..249 fetch), 250..299 half of 12,000.
    expect(w.bytesExact).toBe(false);
    expect(w.partitions[0]!.bytes).toBe(String(5_000 + 5_000 + 5_500 + 6_000));
    expect(w.bytesServed).toBe('43000');
    expect(w.fetches).toBe(4);
  });

  it('is exact on bytes when fetches only repeat or abut', () => {
    const w = establishWindow({
      topic: 'orders',
      partitions: [log(0, '0', '1000')],
      accessRecords: [fetch(0, 0n, 100n, 7_000), fetch(0, 100n, 250n, 9_000), fetch(0, 0n, 100n, 7_000)],
    });
    expect(w.bytesExact).toBe(true);
    expect(w.totals.bytes).toBe('16000');
    expect(w.totals.records).toBe('250');
  });

  it('reports each disjoint range of a partition, and the union totals', () => {
    const input: ForensicInput = {
      topic: 'orders',
      partitions: [log(3, '0', '10000')],
      accessRecords: [fetch(3, 5000n, 6000n, 1_000), fetch(3, 100n, 200n, 100), fetch(3, 7000n, 7001n, 1)],
    };
    expect(windowEdges(input)).toEqual([
      { partition: 3, offset: '100' },
      { partition: 3, offset: '199' },
      { partition: 3, offset: '5000' },
      { partition: 3, offset: '5999' },
      { partition: 3, offset: '7000' },
    ]);
    const w = establishWindow(input, [
      { partition: 3, offset: '100', timestamp: 1_000 },
      { partition: 3, offset: '199', timestamp: 1_990 },
      { partition: 3, offset: '5000', timestamp: 50_000 },
      { partition: 3, offset: '5999', timestamp: 59_990 },
      { partition: 3, offset: 7000n, timestamp: 70_000 },
    ]);
    const p = w.partitions[0]!;
    expect(p.ranges).toEqual([
      { from: '100', to: '199', records: '100', bytes: '100', firstTs: 1_000, lastTs: 1_990 },
      { from: '5000', to: '5999', records: '1000', bytes: '1000', firstTs: 50_000, lastTs: 59_990 },
      { from: '7000', to: '7000', records: '1', bytes: '1', firstTs: 70_000, lastTs: 70_000 },
    ]);
    expect(p).toMatchObject({ from: '100', to: '7000', records: '1101', bytes: '1101', firstTs: 1_000, lastTs: 70_000 });
    expect(w.totals).toEqual({ partitions: 1, ranges: 3, records: '1101', bytes: '1101', firstTs: 1_000, lastTs: 70_000 });
    expect(w.sources).toEqual(['access-records', 'timestamp-index']);
  });

  it('clamps to the log and counts what already aged out', () => {
    const w = establishWindow({
      topic: 'orders',
      partitions: [log(0, '500', '800')],
      accessRecords: [fetch(0, 300n, 600n, 3_000), fetch(0, 700n, 900n, 2_000)],
    });
    const p = w.partitions[0]!;
    expect(p.ranges.map((r) => [r.from, r.to, r.records])).toEqual([
      ['500', '599', '100'],
      ['700', '799', '100'],
    ]);
    expect(p.clampedRecords).toBe('300');
    expect(p.bytes).toBe(String(1_000 + 1_000));
  });

  it('works from committed offsets alone when the attacker never fetched under access logging', () => {
    const w = establishWindow({
      topic: 'orders',
      partitions: [log(0, '0', '5000'), log(1, '0', '5000'), log(2, '0', '5000')],
      committed: [
        { groupId: 'exporter', partition: 0, offset: '4000' },
        { groupId: 'exporter-2', partition: 0, offset: '4500' },
        { groupId: 'exporter', partition: 1, offset: '-1' },
      ],
      readStart: { 0: '1000' },
      averageRecordBytes: 200,
    });
    expect(w.partitions.map((p) => [p.partition, p.from, p.to, p.records])).toEqual([[0, '1000', '4499', '3500']]);
    expect(w.partitions[0]!.bytes).toBe(String(3_500 * 200));
    expect(w.bytesExact).toBe(false);
    expect(w.sources).toEqual(['committed-offsets', 'timestamp-index']);
    expect(w.totals.firstTs).toBeNull();
  });

  it('handles no commits and no fetches: nothing was read', () => {
    const w = establishWindow({ topic: 'orders', partitions: [log(0, '0', '10')], committed: [], accessRecords: [] });
    expect(w.partitions).toEqual([]);
    expect(w.totals).toEqual({ partitions: 0, ranges: 0, records: '0', bytes: '0', firstTs: null, lastTs: null });
  });

  it('stays exact with int64 offsets above 2^53', () => {
    const base = 2n ** 62n + 3n; // 4611686018427387907: a double would round it
    const w = establishWindow({
      topic: 'orders',
      partitions: [log(0, (base - 10n).toString(), (base + 10_000n).toString())],
      accessRecords: [fetch(0, base, base + 5n, 50), fetch(0, base + 3n, base + 9n, 60)],
      committed: [{ groupId: 'g', partition: 0, offset: (base + 12n).toString() }],
      readStart: { 0: (base + 11n).toString() },
    });
    const p = w.partitions[0]!;
    expect(p.ranges.map((r) => [r.from, r.to, r.records])).toEqual([
      ['4611686018427387907', '4611686018427387915', '9'],
      ['4611686018427387918', '4611686018427387918', '1'],
    ]);
    // Through a double both ends would be the same number.
    expect(Number(p.from)).toBe(Number(p.to));
    expect(BigInt(p.to) - BigInt(p.from)).toBe(11n);
  });

  it('refuses offsets that are not int64 strings or bigints', () => {
    expect(() => establishWindow({ topic: 't', partitions: [{ partition: 0, logStartOffset: '0', highWatermark: '9223372036854775808' }] })).toThrow(InvalidOffsetError);
    expect(() => establishWindow({ topic: 't', partitions: [{ partition: 0, logStartOffset: '1.5', highWatermark: '10' }] })).toThrow(/base-10 integer/);
    expect(() =>
      establishWindow({ topic: 't', partitions: [log(0, '0', '10')], accessRecords: [{ ...fetch(0, 0n, 5n, 1), fromOffset: 3 as unknown as string }] }),
    ).toThrow(InvalidOffsetError);
  });

  it('handles twelve partitions and a hundred thousand fetches quickly', () => {
    const accessRecords: FetchAccessRecord[] = [];
    for (let p = 0; p < 12; p++) {
      for (let i = 0n; i < 8_000n; i++) accessRecords.push(fetch(p, i * 500n, (i + 1n) * 500n, 500_000));
      // A restart re-read the first 500 fetches of each partition.
      for (let i = 0n; i < 500n; i++) accessRecords.push(fetch(p, i * 500n, (i + 1n) * 500n, 500_000));
    }
    const partitions = Array.from({ length: 12 }, (_, p) => log(p, '0', '10000000'));
    const started = performance.now();
    const w = establishWindow({ topic: 'orders', partitions, accessRecords });
    const ms = performance.now() - started;
    expect(w.totals.records).toBe(String(12 * 8_000 * 500));
    expect(w.totals.bytes).toBe(String(12 * 8_000 * 500_000));
    expect(w.bytesServed).toBe(String(12 * 8_500 * 500_000));
    expect(w.bytesExact).toBe(true);
    expect(ms).toBeLessThan(5_000);
  });
});
