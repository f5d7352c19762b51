import type { AccessPrecision, DecimalString, EventDataMap, OffsetRange, PartitionWindow } from './events';
import { offsetString, toOffset, type OffsetInput } from './offsets';

/**
 * The forensic window: which offsets of a topic the attacker read, per partition (design §2,
 * "forensics"). Pure arithmetic over what the caller gathered with O(partitions) admin calls:
 * committed offsets of the attacker's groups, broker access records of fetches served to the
 * principal, each partition's log start and high watermark, and the record timestamps at the
 * window's edges. Offsets are int64: they are bigint inside and decimal strings outside.
 *
 * Use in two passes: `windowEdges(input)` tells the caller which offsets to look up timestamps
 * for (ListOffsets / a one-record fetch); `establishWindow(input, timestamps)` does the rest.
 */

/** One fetch the broker served to the attacker's principal. Ranges may overlap and repeat. */
export interface FetchAccessRecord {
  partition: number;
  fromOffset: OffsetInput;
  /** Exclusive. */
  toOffset: OffsetInput;
  records: OffsetInput;
  /** Bytes the broker sent; absent when the source cannot say (the window then estimates them). */
  bytes?: OffsetInput;
  /** When the fetch was served (epoch ms or ISO). */
  time: number | string;
  /** How far the source can be trusted (see access-observations); absent for unlabelled records. */
  precision?: AccessPrecision;
  /** The access-record sources that support this record. */
  sources?: readonly string[];
}

/** The log bounds of one partition at the time of the investigation. */
export interface PartitionLog {
  partition: number;
  logStartOffset: OffsetInput;
  /** The next offset to be written (exclusive end of the log). */
  highWatermark: OffsetInput;
}

/** A committed offset of one of the attacker's consumer groups: the next offset it would read. */
export interface CommittedOffset {
  groupId: string;
  partition: number;
  offset: OffsetInput;
}

/** Everything the window is computed from. */
export interface ForensicInput {
  topic: string;
  partitions: readonly PartitionLog[];
  /** May be empty: an attacker need not commit. */
  committed?: readonly CommittedOffset[];
  /** May be empty: access logging may be off. */
  accessRecords?: readonly FetchAccessRecord[];
  /**
   * Per partition, the offset at the start of the compromise (ListOffsets by timestamp), where
   * reading up to a committed offset began. Absent: the log start, the conservative assumption
   * (a group with `auto.offset.reset=earliest` reads from there).
   */
  readStart?: Readonly<Record<number, OffsetInput>>;
  /** For stretches known only from committed offsets, where no fetch says how many bytes. */
  averageRecordBytes?: number;
}

/** A record timestamp the caller looked up at a window edge. */
export interface EdgeTimestamp {
  partition: number;
  offset: OffsetInput;
  /** Epoch ms of the record at that offset. */
  timestamp: number;
}

/** The window, ready to go into a ForensicWindowEstablished event. */
export interface ForensicWindow {
  topic: string;
  partitions: PartitionWindow[];
  totals: { partitions: number; ranges: number; records: DecimalString; bytes: DecimalString; firstTs: number | null; lastTs: number | null };
  /** False when some bytes were apportioned from partially overlapping fetches or an average. */
  bytesExact: boolean;
  /** Bytes the broker sent, repeats included: the volume that left, as opposed to the data exposed. */
  bytesServed: DecimalString;
  fetches: number;
  sources: Array<'committed-offsets' | 'access-records' | 'timestamp-index'>;
}

interface Interval {
  from: bigint;
  /** Exclusive. */
  to: bigint;
}

interface Fetch extends Interval {
  bytes: bigint;
}

interface MergedRange extends Interval {
  bytes: bigint;
}

interface PartitionRanges {
  partition: number;
  ranges: MergedRange[];
  clamped: bigint;
  bytesExact: boolean;
  label?: { precision: AccessPrecision; sources: string[] };
}

/** Offsets whose record timestamps `establishWindow` needs: the first and last of every range. */
export function windowEdges(input: ForensicInput): Array<{ partition: number; offset: DecimalString }> {
  const out: Array<{ partition: number; offset: DecimalString }> = [];
  for (const p of readRanges(input)) {
    for (const r of p.ranges) {
      out.push({ partition: p.partition, offset: offsetString(r.from) });
      if (r.to - 1n !== r.from) out.push({ partition: p.partition, offset: offsetString(r.to - 1n) });
    }
  }
  return out;
}

/**
 * Computes the window: per partition, every disjoint range read (`to` inclusive), each offset
 * counted once however often it was fetched, clamped to what is still in the log; and totals.
 */
export function establishWindow(input: ForensicInput, timestamps: readonly EdgeTimestamp[] = []): ForensicWindow {
  const ts = new Map<string, number>();
  for (const t of timestamps) ts.set(`${t.partition}:${toOffset(t.offset)}`, t.timestamp);
  const at = (partition: number, offset: bigint): number | null => ts.get(`${partition}:${offset}`) ?? null;

  const partitions: PartitionWindow[] = [];
  let bytesExact = true;
  for (const p of readRanges(input)) {
    bytesExact &&= p.bytesExact;
    if (p.ranges.length === 0 && p.clamped === 0n) continue;
    const ranges: OffsetRange[] = p.ranges.map((r) => ({
      from: offsetString(r.from),
      to: offsetString(r.to - 1n),
      records: offsetString(r.to - r.from),
      bytes: offsetString(r.bytes),
      firstTs: at(p.partition, r.from),
      lastTs: at(p.partition, r.to - 1n),
    }));
    const first = p.ranges[0];
    const last = p.ranges[p.ranges.length - 1];
    partitions.push({
      partition: p.partition,
      from: first === undefined ? '-1' : offsetString(first.from),
      to: last === undefined ? '-1' : offsetString(last.to - 1n),
      records: offsetString(sum(p.ranges.map((r) => r.to - r.from))),
      bytes: offsetString(sum(p.ranges.map((r) => r.bytes))),
      firstTs: minOf(ranges.map((r) => r.firstTs)),
      lastTs: maxOf(ranges.map((r) => r.lastTs)),
      ranges,
      clampedRecords: offsetString(p.clamped),
      ...(p.label !== undefined ? { precision: p.label.precision, sources: p.label.sources } : {}),
    });
  }

  const access = input.accessRecords ?? [];
  const sources: ForensicWindow['sources'] = [];
  if ((input.committed ?? []).some((c) => toOffset(c.offset, true) > 0n)) sources.push('committed-offsets');
  if (access.length > 0) sources.push('access-records');
  if (input.readStart !== undefined || timestamps.length > 0) sources.push('timestamp-index');

  return {
    topic: input.topic,
    partitions,
    totals: {
      partitions: partitions.filter((p) => p.ranges.length > 0).length,
      ranges: partitions.reduce((n, p) => n + p.ranges.length, 0),
      records: offsetString(sum(partitions.map((p) => BigInt(p.records)))),
      bytes: offsetString(sum(partitions.map((p) => BigInt(p.bytes)))),
      firstTs: minOf(partitions.map((p) => p.firstTs)),
      lastTs: maxOf(partitions.map((p) => p.lastTs)),
    },
    bytesExact,
    bytesServed: offsetString(sum(access.map((a) => (a.bytes === undefined ? 0n : toOffset(a.bytes))))),
    fetches: access.length,
    sources,
  };
}

/**
 * The ForensicWindowEstablished payload: the window, the distinct data subjects counted over the
 * records in it (a count, never the identifiers), and the PII categories those records hold.
 */
export function forensicEventData(
  window: ForensicWindow,
  dataSubjects: { count: number; method: 'exact' | 'hll'; relativeStandardError: number },
  piiCategories: readonly string[],
): EventDataMap['ForensicWindowEstablished'] {
  return {
    topic: window.topic,
    partitions: window.partitions,
    totals: window.totals,
    bytesExact: window.bytesExact,
    sources: window.sources,
    dataSubjects: { count: dataSubjects.count, method: dataSubjects.method, relativeStandardError: dataSubjects.relativeStandardError },
    piiCategories: [...new Set(piiCategories)].sort(),
  };
}

/** Merges everything known about each partition into disjoint, clamped ranges with bytes. */
function readRanges(input: ForensicInput): PartitionRanges[] {
  const out: PartitionRanges[] = [];
  const fetchesOf = new Map<number, Fetch[]>();
  /** Ranges whose bytes no source gave: they count as read, their bytes are estimated. */
  const unsizedOf = new Map<number, Interval[]>();
  for (const a of input.accessRecords ?? []) {
    const from = toOffset(a.fromOffset);
    const to = toOffset(a.toOffset);
    if (to <= from) continue;
    if (a.bytes === undefined) {
      unsizedOf.set(a.partition, [...(unsizedOf.get(a.partition) ?? []), { from, to }]);
      continue;
    }
    const f = { from, to, bytes: toOffset(a.bytes) };
    const list = fetchesOf.get(a.partition);
    if (list === undefined) fetchesOf.set(a.partition, [f]);
    else list.push(f);
  }
  // Commits by partition once: filtering the whole list per partition is O(partitions²).
  const commitsOf = new Map<number, bigint[]>();
  for (const c of input.committed ?? []) {
    const list = commitsOf.get(c.partition);
    const offset = toOffset(c.offset, true);
    if (list === undefined) commitsOf.set(c.partition, [offset]);
    else list.push(offset);
  }
  for (const log of [...input.partitions].sort((a, b) => a.partition - b.partition)) {
    const logStart = toOffset(log.logStartOffset);
    const logEnd = toOffset(log.highWatermark);
    const fetches = fetchesOf.get(log.partition) ?? [];

    const intervals: Interval[] = [...fetches.map(({ from, to }) => ({ from, to })), ...(unsizedOf.get(log.partition) ?? [])];
    const observed = mergeIntervals(intervals);
    const committed = commitsOf.get(log.partition) ?? [];
    const highestCommit = committed.length > 0 ? committed.reduce((a, b) => (b > a ? b : a)) : -1n;
    const start = input.readStart?.[log.partition] !== undefined ? toOffset(input.readStart[log.partition] as OffsetInput) : logStart;
    if (highestCommit > start) intervals.push({ from: start, to: highestCommit });

    const union = mergeIntervals(intervals);
    let clamped = 0n;
    const ranges: MergedRange[] = [];
    let bytesExact = true;
    for (const u of union) {
      const from = u.from > logStart ? u.from : logStart;
      const to = u.to < logEnd ? u.to : logEnd;
      const kept = to > from ? to - from : 0n;
      clamped += u.to - u.from - kept;
      if (kept === 0n) continue;
      const b = bytesOf({ from, to }, fetches, input.averageRecordBytes);
      bytesExact &&= b.exact;
      ranges.push({ from, to, bytes: b.bytes });
    }
    const label = labelOf(input.accessRecords ?? [], log.partition, observed, union);
    out.push({ partition: log.partition, ranges, clamped, bytesExact, ...(label !== undefined ? { label } : {}) });
  }
  return out;
}

/**
 * The precision of one partition's window, from the labels its access records carry (none: no
 * label). Where the committed offsets reach beyond what the records cover, the window holds a
 * stretch only a commit vouches for, so it is at best `bounded` and the commits join the sources.
 */
function labelOf(records: readonly FetchAccessRecord[], partition: number, observed: readonly Interval[], window: readonly Interval[]): PartitionRanges['label'] {
  const labelled = records.filter((r) => r.partition === partition && r.precision !== undefined);
  if (labelled.length === 0) return undefined;
  const order: AccessPrecision[] = ['exact', 'bounded', 'time-derived'];
  let precision = labelled.map((r) => r.precision as AccessPrecision).reduce((w, p) => (order.indexOf(p) > order.indexOf(w) ? p : w), 'exact');
  const sources = new Set(labelled.flatMap((r) => r.sources ?? []));
  const beyond = window.some((w) => !observed.some((o) => o.from <= w.from && o.to >= w.to));
  if (beyond) {
    if (precision === 'exact') precision = 'bounded';
    sources.add('committed-offsets');
  }
  return { precision, sources: [...sources].sort() };
}

/** Sorts and merges overlapping or adjacent half-open intervals. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].filter((i) => i.to > i.from).sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && i.from <= last.to) {
      if (i.to > last.to) last.to = i.to;
    } else {
      out.push({ from: i.from, to: i.to });
    }
  }
  return out;
}

/**
 * Bytes of the distinct offsets in `range`. The range is cut at every fetch boundary; a piece
 * that some fetch covers exactly takes that fetch's bytes (exact); otherwise the bytes of the
 * tightest covering fetch are apportioned by offset count, or the average record size is used
 * where only a committed offset says the records were read (both estimates).
 */
function bytesOf(range: Interval, fetches: readonly Fetch[], averageRecordBytes = 0): { bytes: bigint; exact: boolean } {
  const inside = fetches.filter((f) => f.from < range.to && f.to > range.from);
  const exactly = new Map<string, bigint>();
  for (const f of inside) exactly.set(`${f.from}:${f.to}`, f.bytes);
  const cuts = new Set<bigint>([range.from, range.to]);
  for (const f of inside) {
    if (f.from > range.from) cuts.add(f.from);
    if (f.to < range.to) cuts.add(f.to);
  }
  const points = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const byStart = [...inside].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));

  let bytes = 0n;
  let exact = true;
  let next = 0;
  const active: Fetch[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const from = points[i] as bigint;
    const to = points[i + 1] as bigint;
    while (next < byStart.length && (byStart[next] as Fetch).from <= from) active.push(byStart[next++] as Fetch);
    const exactBytes = exactly.get(`${from}:${to}`);
    if (exactBytes !== undefined) {
      bytes += exactBytes;
      continue;
    }
    exact = false;
    let tightest: Fetch | undefined;
    for (const f of active) if (f.to >= to && (tightest === undefined || f.to - f.from < tightest.to - tightest.from)) tightest = f;
    const len = to - from;
    if (tightest === undefined) {
      bytes += len * BigInt(Math.round(averageRecordBytes));
    } else {
      const whole = tightest.to - tightest.from;
      bytes += (tightest.bytes * len * 2n + whole) / (2n * whole);
    }
    // Fetches that ended cannot cover later pieces.
    for (let k = active.length - 1; k >= 0; k--) if ((active[k] as Fetch).to <= to) active.splice(k, 1);
  }
  return { bytes, exact };
}

function sum(values: readonly bigint[]): bigint {
  return values.reduce((a, b) => a + b, 0n);
}

function minOf(values: ReadonlyArray<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : Math.min(...known);
}

function maxOf(values: ReadonlyArray<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : Math.max(...known);
}
