import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DistinctCounter, describeDistinct, hllStandardError, mergeDistinct, type DistinctCounterSnapshot } from '../../../src/domain/distinct-count';
import type { PartitionWindow } from '../../../src/domain/events';
import { CHUNK_EXACT_LIMIT, planSubjectScan } from '../../../src/domain/subject-scan';

/*
 * The data-subject fan-out's pure parts: chunk sketches merge to the count one counter over every
 * record would give (exact below the threshold, within the stated error above it), and the plan
 * covers every window offset exactly once in a bounded number of chunks.
 */

const sha256 = (v: string): Uint8Array => createHash('sha256').update(v).digest();

/** A chunk counter as the activity builds it, fed `ids`. */
function chunk(ids: Iterable<string>, exactThreshold = 100_000, precision = 14): DistinctCounterSnapshot {
  const c = new DistinctCounter({ hash: sha256, exactThreshold: Math.min(exactThreshold, CHUNK_EXACT_LIMIT), precision });
  for (const id of ids) c.add(id);
  return c.snapshot();
}

const ids = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `acct-${from + i}`);

describe('mergeDistinct', () => {
  it('is exact below the threshold: overlapping chunks count each subject once', () => {
    const merged = mergeDistinct([chunk(ids(0, 3000)), chunk(ids(2000, 4500)), chunk(ids(4000, 4200))], { exactThreshold: 100_000, precision: 14 });
    expect(merged).toMatchObject({ count: 4500, method: 'exact', relativeStandardError: 0 });
    expect(describeDistinct(merged)).toBe('4500 data subjects (exact)');
  });

  it('becomes an estimate when the union passes the threshold, within three standard errors', () => {
    const merged = mergeDistinct([chunk(ids(0, 4000)), chunk(ids(3000, 7000))], { exactThreshold: 5_000, precision: 14 });
    expect(merged.method).toBe('hll');
    expect(merged.relativeStandardError).toBeCloseTo(hllStandardError(14), 10);
    expect(Math.abs(merged.count - 7000) / 7000).toBeLessThan(3 * hllStandardError(14));
    expect(describeDistinct(merged)).toMatch(/^≈ \d+ data subjects \(estimate ± 0\.81 % relative standard error\)$/);
  });

  it('merges sketches to exactly the sketch of one counter fed every record', () => {
    const parts = [ids(0, 6_000), ids(4_000, 12_000), ids(10_000, 15_000)];
    const merged = mergeDistinct(parts.map((p) => chunk(p)), { exactThreshold: 10_000, precision: 14 });
    const whole = new DistinctCounter({ hash: sha256, exactThreshold: 10_000, precision: 14 });
    for (const p of parts) for (const id of p) whole.add(id);
    expect(merged.method).toBe('hll');
    expect(merged.count).toBe(whole.count());
    expect(Math.abs(merged.count - 15_000) / 15_000).toBeLessThan(3 * hllStandardError(14));
  });

  it('refuses sketches of another precision rather than miscounting', () => {
    expect(() => mergeDistinct([chunk(ids(0, 6000), 100_000, 12)], { exactThreshold: 100_000, precision: 14 })).toThrow(/precision/);
  });

  it('counts nothing as zero, exactly', () => {
    expect(mergeDistinct([], { exactThreshold: 10, precision: 14 })).toMatchObject({ count: 0, method: 'exact' });
  });
});

function window(partition: number, ranges: Array<[number, number]>): PartitionWindow {
  const r = ranges.map(([from, to]) => ({ from: String(from), to: String(to), records: String(to - from + 1), bytes: '0', firstTs: null, lastTs: null }));
  return { partition, from: String(ranges[0]?.[0] ?? 0), to: String(ranges.at(-1)?.[1] ?? 0), records: '0', bytes: '0', firstTs: null, lastTs: null, ranges: r, clampedRecords: '0' };
}

/** Every offset the chunks cover, per topic/partition, as "topic/p/offset" — duplicates kept. */
function covered(chunks: ReturnType<typeof planSubjectScan>): string[] {
  return chunks.flatMap((c) => c.spans.flatMap((s) => Array.from({ length: Number(BigInt(s.to) - BigInt(s.from)) }, (_, i) => `${c.topic}/${s.partition}/${BigInt(s.from) + BigInt(i)}`)));
}

describe('planSubjectScan', () => {
  const topics = [
    { topic: 'orders', partitions: [window(0, [[0, 9_999]]), window(1, [[100, 199], [500, 2_499]]), window(2, [])] },
    { topic: 'payments', partitions: [window(0, [[10, 3_009]])] },
  ];

  it('covers every window offset exactly once, in chunks of similar size that never mix topics', () => {
    const chunks = planSubjectScan(topics, { maxChunks: 8, minChunkRecords: 1 });
    const offsets = covered(chunks);
    expect(new Set(offsets).size).toBe(offsets.length);
    expect(offsets).toHaveLength(10_000 + 100 + 2_000 + 3_000);
    expect(chunks.length).toBeLessThanOrEqual(8 + 1);
    for (const c of chunks) {
      expect(Number(c.records)).toBeLessThanOrEqual(Math.ceil(15_100 / 8));
      expect(c.spans.reduce((n, s) => n + Number(BigInt(s.to) - BigInt(s.from)), 0)).toBe(Number(c.records));
    }
    expect(new Set(chunks.map((c) => c.id)).size).toBe(chunks.length);
  });

  it('does not cut a small window below the minimum chunk size', () => {
    expect(planSubjectScan(topics, { maxChunks: 64, minChunkRecords: 50_000 }).map((c) => c.topic)).toEqual(['orders', 'payments']);
  });

  it('plans nothing for empty windows', () => {
    expect(planSubjectScan([{ topic: 'orders', partitions: [window(0, [])] }])).toEqual([]);
  });

  it('splits one huge partition (the reference breach: billions of records) into bounded chunks', () => {
    const chunks = planSubjectScan([{ topic: 'orders', partitions: [window(0, [[0, 43_199_999_999]])] }], { maxChunks: 64 });
    expect(chunks).toHaveLength(64);
    expect(chunks[0]?.spans[0]).toEqual({ partition: 0, from: '0', to: '675000000' });
    expect(chunks.at(-1)?.spans[0]?.to).toBe('43200000000');
  });
});
