import type { AccessPrecision, DecimalString } from './events';
import type { FetchAccessRecord } from './forensic-window';
import { offsetString, toOffset, type OffsetInput } from './offsets';

/**
 * What the access-record sources of a cluster say the compromised principal read, and how far each
 * can be trusted (issue 12, item 1). Pure: the sources in `src/forensics/sources` gather the
 * observations; this module merges them into per-partition ranges with a precision label.
 *
 * Precision, from best to worst:
 * - `exact`: the source saw each fetch (request log, the sandbox's access log); the range is what
 *   the broker served.
 * - `bounded`: the source pins the range between two facts (consumer-group commits and the log end
 *   at containment); the truth is inside, the edges may be loose.
 * - `time-derived`: the source only says *when* the principal was allowed to read a topic (audit
 *   logs); offsets come from the timestamp index. The truth is inside, under the stated assumption
 *   that reading began no earlier than the suspected start.
 */

export type { AccessPrecision } from './events';

/** Precisions from best to worst. */
export const PRECISION_ORDER: readonly AccessPrecision[] = ['exact', 'bounded', 'time-derived'];

/** One thing a source says about one partition. */
export interface AccessObservation {
  /** Id of the source that made it, e.g. `request-log`, `consumer-offsets`. */
  source: string;
  /** `User:<name>`. */
  principal: string;
  clientId?: string;
  /** Client IP address (or host:port) where the source records it. */
  clientAddress?: string;
  topic: string;
  partition: number;
  /** First offset (inclusive) that was, or may have been, read. */
  from: DecimalString;
  /** Exclusive end. */
  to: DecimalString;
  /** When the source saw the access (epoch ms; the last time for a range built from several lines). */
  time: number;
  precision: AccessPrecision;
  /** Bytes the broker sent in answer to the fetch(es) behind this range, when the source knows. */
  bytes?: DecimalString;
}

/** One partition's merged ranges. */
export interface PartitionAccess {
  topic: string;
  partition: number;
  /** Disjoint, sorted half-open ranges (`to` exclusive). */
  ranges: Array<{ from: DecimalString; to: DecimalString }>;
  precision: AccessPrecision;
  /** Sources whose observations support the ranges, sorted. */
  sources: string[];
  /** Last time any supporting source saw the access (epoch ms). */
  lastSeen: number;
}

interface Interval {
  from: bigint;
  to: bigint;
}

/** Sorts and merges overlapping or adjacent half-open intervals. */
function union(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.to > i.from).sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
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

/** Intersection of two sorted disjoint interval lists. */
function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as Interval;
    const y = b[j] as Interval;
    const from = x.from > y.from ? x.from : y.from;
    const to = x.to < y.to ? x.to : y.to;
    if (to > from) out.push({ from, to });
    if (x.to < y.to) i++;
    else j++;
  }
  return out;
}

/** True when every interval of `inner` lies inside some interval of `outer` (both unions). */
function covers(outer: readonly Interval[], inner: readonly Interval[]): boolean {
  return inner.every((r) => outer.some((o) => o.from <= r.from && o.to >= r.to));
}

function worst(precisions: readonly AccessPrecision[]): AccessPrecision {
  return precisions.reduce<AccessPrecision>((w, p) => (PRECISION_ORDER.indexOf(p) > PRECISION_ORDER.indexOf(w) ? p : w), 'exact');
}

/** What one source claims about one partition: the union of its ranges, as precise as its worst part. */
interface Claim {
  source: string;
  ranges: Interval[];
  precision: AccessPrecision;
  lastSeen: number;
}

function claimsOf(observations: readonly AccessObservation[]): Claim[] {
  const bySource = new Map<string, AccessObservation[]>();
  for (const o of observations) bySource.set(o.source, [...(bySource.get(o.source) ?? []), o]);
  const claims: Claim[] = [];
  for (const [source, list] of bySource) {
    const merged = union(list.map((o) => ({ from: toOffset(o.from as OffsetInput), to: toOffset(o.to as OffsetInput) })));
    if (merged.length === 0) continue;
    claims.push({ source, ranges: merged, precision: worst(list.map((o) => o.precision)), lastSeen: Math.max(...list.map((o) => o.time)) });
  }
  return claims;
}

/**
 * Merges one partition's observations. Each source's claim is the union of its ranges, labelled
 * with its worst precision (a request log whose last fetch returned records has a bounded tail).
 * Exact claims win where present (their union is the result). Otherwise every claim contains the
 * truth, so their intersection does too: the result is the intersection, labelled with the best
 * precision among them. A source's silence about a partition is not evidence (it may cover only
 * some brokers), so partitions are merged independently.
 */
function mergePartition(topic: string, partition: number, observations: readonly AccessObservation[]): PartitionAccess | undefined {
  const claims = claimsOf(observations);
  if (claims.length === 0) return undefined;
  const exact = claims.filter((c) => c.precision === 'exact');
  let ranges: Interval[];
  let precision: AccessPrecision;
  let supporting: Claim[];
  if (exact.length > 0) {
    ranges = union(exact.flatMap((c) => c.ranges));
    precision = 'exact';
    // Looser sources support the exact ranges when they contain them.
    supporting = claims.filter((c) => c.precision === 'exact' || covers(c.ranges, ranges));
  } else {
    ranges = claims.map((c) => c.ranges).reduce((acc, r) => intersect(acc, r));
    precision = PRECISION_ORDER.find((p) => claims.some((c) => c.precision === p)) ?? 'time-derived';
    supporting = claims;
    if (ranges.length === 0) {
      // Sources that each contain the truth cannot disagree entirely; if they do, one's assumption
      // (the suspected start) was wrong. Keep everything any of them claims rather than nothing.
      ranges = union(claims.flatMap((c) => c.ranges));
      precision = worst(claims.map((c) => c.precision));
    }
  }
  return {
    topic,
    partition,
    ranges: ranges.map((r) => ({ from: offsetString(r.from), to: offsetString(r.to) })),
    precision,
    sources: [...new Set(supporting.map((c) => c.source))].sort(),
    lastSeen: Math.max(...supporting.map((c) => c.lastSeen)),
  };
}

/**
 * The fetch records `establishWindow` takes for one merged partition, labelled. Where the merge is
 * exact, the exact observations themselves (each fetch with the bytes the broker sent, so byte
 * figures stay exact); otherwise the merged ranges, whose bytes the window estimates.
 */
export function accessRecordsOf(merged: PartitionAccess, observations: readonly AccessObservation[]): FetchAccessRecord[] {
  const label = { precision: merged.precision, sources: merged.sources };
  if (merged.precision === 'exact') {
    return observations
      .filter((o) => o.topic === merged.topic && o.partition === merged.partition && o.precision === 'exact')
      .map((o) => ({ partition: o.partition, fromOffset: o.from, toOffset: o.to, records: offsetString(toOffset(o.to as OffsetInput) - toOffset(o.from as OffsetInput)), time: o.time, ...(o.bytes !== undefined ? { bytes: o.bytes } : {}), ...label }));
  }
  // A merged range that is exactly one observation's keeps the bytes that observation reports.
  const sized = new Map<string, DecimalString>();
  for (const o of observations) if (o.topic === merged.topic && o.partition === merged.partition && o.bytes !== undefined) sized.set(`${o.from}:${o.to}`, o.bytes);
  return merged.ranges.map((r) => {
    const bytes = sized.get(`${r.from}:${r.to}`);
    return { partition: merged.partition, fromOffset: r.from, toOffset: r.to, records: offsetString(toOffset(r.to as OffsetInput) - toOffset(r.from as OffsetInput)), time: merged.lastSeen, ...(bytes !== undefined ? { bytes } : {}), ...label };
  });
}

/** Merges observations of any sources into per-partition ranges, sorted by topic and partition. */
export function mergeObservations(observations: readonly AccessObservation[]): PartitionAccess[] {
  const groups = new Map<string, AccessObservation[]>();
  for (const o of observations) {
    const key = `${o.topic}\u0000${o.partition}`;
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [o]);
    else list.push(o);
  }
  const out: PartitionAccess[] = [];
  for (const list of groups.values()) {
    const first = list[0] as AccessObservation;
    const merged = mergePartition(first.topic, first.partition, list);
    if (merged !== undefined) out.push(merged);
  }
  return out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}
