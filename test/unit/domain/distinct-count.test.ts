import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DistinctCounter, hllStandardError, type DistinctCounterSnapshot } from '../../../src/domain/distinct-count';
import { SketchMismatchError } from '../../../src/domain/errors';

const sha256 = (value: string): Uint8Array => createHash('sha256').update(value).digest();
const subject = (i: number): string => `ACC-${String(i).padStart(8, '0')}`;

describe('DistinctCounter', () => {
  it('is exact below the threshold and keeps only hashes', () => {
    const c = new DistinctCounter({ hash: sha256, exactThreshold: 1_000 });
    for (let i = 0; i < 500; i++) {
      c.add(subject(i));
      c.add(subject(i));
    }
    expect(c.method).toBe('exact');
    expect(c.count()).toBe(500);
    expect(c.relativeStandardError).toBe(0);
    const snap = c.snapshot();
    expect(JSON.stringify(snap)).not.toContain('ACC-');
    expect(snap.kind === 'exact' && snap.hashes.every((h) => /^[0-9a-f]{16}$/.test(h))).toBe(true);
  });

  it('skips the hash of values it saw lately, and stays exact when that memory is full and forgotten', () => {
    let hashed = 0;
    const counting = (v: string): Uint8Array => {
      hashed++;
      return sha256(v);
    };
    const c = new DistinctCounter({ hash: counting, exactThreshold: 200_000 });
    // 20 orders per client in a row, then 70,000 more clients than the memo holds, then all again.
    for (let i = 0; i < 1_000; i++) for (let k = 0; k < 20; k++) c.add(subject(i));
    expect(hashed).toBe(1_000);
    for (let i = 0; i < 71_000; i++) c.add(subject(i));
    for (let i = 0; i < 71_000; i++) c.add(subject(i));
    expect(c.count()).toBe(71_000);
    // The same snapshot as a counter that saw each client once: the memo changes cost, not counts.
    const once = new DistinctCounter({ hash: sha256, exactThreshold: 200_000 });
    for (let i = 0; i < 71_000; i++) once.add(subject(i));
    expect(c.snapshot()).toEqual(once.snapshot());
    expect(JSON.stringify(c.snapshot())).not.toContain('ACC-');
  });

  it('estimates 100,000 synthetic subjects within 3 standard errors (±2.44 % at precision 14)', () => {
    const c = new DistinctCounter({ hash: sha256, exactThreshold: 10_000, precision: 14 });
    for (let i = 0; i < 100_000; i++) c.add(subject(i));
    // Records repeat: a subject appears in many orders. Repeats must not count.
    for (let i = 0; i < 100_000; i += 7) c.add(subject(i));
    expect(c.method).toBe('hll');
    expect(c.relativeStandardError).toBeCloseTo(0.008125, 6);
    const error = Math.abs(c.count() - 100_000) / 100_000;
    expect(error).toBeLessThanOrEqual(3 * hllStandardError(14));
  });

  it('stays within bound around 2.5·m, where the classic estimator is biased', () => {
    // 41,000 ≈ 2.5 × 16,384: the original HyperLogLog estimate for this very input is +2.55 %.
    const c = new DistinctCounter({ hash: sha256, exactThreshold: 1, precision: 14 });
    for (let i = 0; i < 41_000; i++) c.add(`s0-${i}`);
    expect(Math.abs(c.count() - 41_000) / 41_000).toBeLessThanOrEqual(3 * hllStandardError(14));
    const tiny = new DistinctCounter({ hash: sha256, exactThreshold: 0 });
    for (let i = 0; i < 5; i++) tiny.add(`x${i}`);
    expect(tiny.method).toBe('hll');
    expect(tiny.count()).toBe(5);
  });

  it('stays within bound at every precision it is used with', () => {
    for (const precision of [10, 12, 16]) {
      const c = new DistinctCounter({ hash: sha256, exactThreshold: 1, precision });
      for (let i = 0; i < 100_000; i++) c.add(`p${precision}-${i}`);
      expect(Math.abs(c.count() - 100_000) / 100_000).toBeLessThanOrEqual(3 * hllStandardError(precision));
    }
  });

  it('merges per-chunk counters into the count of the union, exact or sketched', () => {
    const chunks = [0, 1, 2, 3].map(() => new DistinctCounter({ hash: sha256, exactThreshold: 30_000 }));
    // Four chunks of 25,000 subjects overlapping by 5,000 with the next: 85,000 distinct.
    chunks.forEach((c, k) => {
      for (let i = k * 20_000; i < k * 20_000 + 25_000; i++) c.add(subject(i));
    });
    const total = new DistinctCounter({ hash: sha256, exactThreshold: 30_000 });
    for (const c of chunks) total.merge(c);
    expect(total.method).toBe('hll');
    expect(Math.abs(total.count() - 85_000) / 85_000).toBeLessThanOrEqual(3 * total.relativeStandardError);

    const small = [new DistinctCounter({ hash: sha256 }), new DistinctCounter({ hash: sha256 })];
    small[0]!.add('a');
    small[0]!.add('b');
    small[1]!.add('b');
    small[1]!.add('c');
    small[0]!.merge(small[1]!.snapshot());
    expect(small[0]!.count()).toBe(3);
    expect(small[0]!.method).toBe('exact');
  });

  it('a sketch merged with itself does not grow; snapshots round-trip', () => {
    const c = new DistinctCounter({ hash: sha256, exactThreshold: 100 });
    for (let i = 0; i < 5_000; i++) c.add(subject(i));
    const before = c.count();
    c.merge(c.snapshot());
    expect(c.count()).toBe(before);
    const restored = DistinctCounter.fromSnapshot(JSON.parse(JSON.stringify(c.snapshot())) as DistinctCounterSnapshot, sha256);
    expect(restored.count()).toBe(before);
    expect(restored.snapshot()).toEqual(c.snapshot());
  });

  it('refuses sketches of another precision and weak hash functions', () => {
    const a = new DistinctCounter({ hash: sha256, precision: 12 });
    const b = new DistinctCounter({ hash: sha256, precision: 14 });
    expect(() => a.merge(b)).toThrow(SketchMismatchError);
    expect(() => new DistinctCounter({ hash: sha256, precision: 3 })).toThrow(/4\.\.18/);
    const weak = new DistinctCounter({ hash: () => new Uint8Array(4) });
    expect(() => weak.add('x')).toThrow(/at least 8 bytes/);
  });
});
