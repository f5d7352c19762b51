import type { DecimalString, PartitionWindow } from './events';

/**
 * Planning the data-subject scan of forensic windows as parallel chunks (design §7). The windows'
 * ranges are cut into at most about `maxChunks` chunks of similar record counts (a long partition
 * range is split, short ones are packed together, a chunk never mixes topics), so W workers scan in
 * parallel, a crash costs one chunk's checkpoint interval, and the workflow history carries at most
 * one small sketch per chunk. Pure and deterministic: the workflow plans, activities scan.
 */

/** One piece of a partition to scan; `to` is exclusive. */
export interface ScanSpan {
  partition: number;
  from: DecimalString;
  to: DecimalString;
}

/** The spans one activity scans, all on one topic. */
export interface ScanChunk {
  /** Stable within the plan: `topic#n`. Part of the activity's step key. */
  id: string;
  topic: string;
  spans: ScanSpan[];
  records: DecimalString;
}

/** Options of {@link planSubjectScan}. */
export interface ScanPlanOptions {
  /** About this many chunks at most (one more per extra topic at worst). @default 64 */
  maxChunks?: number;
  /** Smaller windows are not split below this size per chunk: an activity has a fixed cost. @default 50000 */
  minChunkRecords?: number;
}

/**
 * Largest exact set a chunk returns (16 hex digits per hash, ~80 KB); above it the chunk returns its
 * sketch (2^precision registers). Bounds what each chunk adds to the workflow history, at a price:
 * a chunk with more distinct subjects than this makes the merged count an estimate even when the
 * union would have stayed below the incident's exact threshold.
 */
export const CHUNK_EXACT_LIMIT = 5_000;

/** The chunks for the windows of every topic; partitions with no ranges contribute nothing. */
export function planSubjectScan(topics: ReadonlyArray<{ topic: string; partitions: readonly PartitionWindow[] }>, options: ScanPlanOptions = {}): ScanChunk[] {
  const maxChunks = Math.max(1, options.maxChunks ?? 64);
  const minChunk = BigInt(Math.max(1, options.minChunkRecords ?? 50_000));
  let total = 0n;
  for (const t of topics) for (const p of t.partitions) for (const r of p.ranges) total += rangeLength(r);
  if (total === 0n) return [];
  const byCount = (total + BigInt(maxChunks) - 1n) / BigInt(maxChunks);
  const target = byCount > minChunk ? byCount : minChunk;

  const chunks: ScanChunk[] = [];
  for (const t of topics) {
    let spans: ScanSpan[] = [];
    let size = 0n;
    const close = (): void => {
      if (spans.length === 0) return;
      chunks.push({ id: `${t.topic}#${chunks.filter((c) => c.topic === t.topic).length}`, topic: t.topic, spans, records: size.toString() });
      spans = [];
      size = 0n;
    };
    for (const p of [...t.partitions].sort((a, b) => a.partition - b.partition)) {
      for (const r of p.ranges) {
        let from = BigInt(r.from);
        const end = BigInt(r.to) + 1n;
        while (from < end) {
          const room = target - size;
          const to = end - from > room ? from + room : end;
          spans.push({ partition: p.partition, from: from.toString(), to: to.toString() });
          size += to - from;
          from = to;
          if (size >= target) close();
        }
      }
    }
    close();
  }
  return chunks;
}

/** Records in an inclusive range. */
function rangeLength(r: { from: DecimalString; to: DecimalString }): bigint {
  const n = BigInt(r.to) - BigInt(r.from) + 1n;
  return n > 0n ? n : 0n;
}
