import type { PartitionWindow } from '../domain/events';
import type { FetchAccessRecord } from '../domain/forensic-window';
import type { ProduceAccessRecord } from '../kafka/produce-records';
import type { OffsetSpan, ReadRecord } from '../kafka/record-sample';

/**
 * Write-side forensics (`forensics` with `access: write`): the records a principal PRODUCED to a
 * topic — a poisoned topic's forged records, interleaved with legitimate producers' traffic.
 *
 * Two kinds of records say where the principal's Produce requests went (several ranges per
 * partition, one per request), and the record batches themselves confirm it:
 * - the sandbox's access records give each range and the producer id: every record in it must
 *   sit in a batch whose v2 header carries that id ({@link checkProducerIds});
 * - the request log's PRODUCE lines give only the base offset per partition (the broker's answer):
 *   the batch starting there gives the range and must carry the producer id the principal's
 *   batches carry ({@link locateClaims}).
 * A confirmed range is `exact`; one the batches contradict (another producer id, records gone)
 * stays in the window — the broker saw the principal write there — but is labelled `bounded`, so
 * the report does not overstate it. The ranges then go through the same
 * window arithmetic as reads (`establishWindow`), as access records without commits, so the
 * ForensicWindowEstablished event, the evidence replay and the report treat them alike.
 */

/** Source label of ranges whose producer id the record batches confirmed. */
export const PRODUCER_ID_SOURCE = 'record-batch-producer-id';

/** The outcome of checking the batches of the claimed ranges. */
export interface ProducerIdCheck {
  /** Keys (`partition:from`) of produce records whose every record carries the claimed producer id. */
  confirmed: Set<string>;
  /** Records read to check. */
  recordsRead: number;
}

const keyOf = (p: { partition: number; fromOffset: bigint }): string => `${p.partition}:${p.fromOffset}`;

/** The spans to read to check `produces` (`to` exclusive), in offset order per partition. */
export function spansToCheck(produces: readonly ProduceAccessRecord[], logEnd: ReadonlyMap<number, bigint>): OffsetSpan[] {
  return [...produces]
    .map((p) => ({ partition: p.partition, from: p.fromOffset, to: p.toOffset < (logEnd.get(p.partition) ?? p.toOffset) ? p.toOffset : (logEnd.get(p.partition) ?? p.toOffset) }))
    .filter((s) => s.to > s.from)
    .sort((a, b) => a.partition - b.partition || (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
}

/**
 * Folds the records read over the claimed ranges into a check: a produce record is confirmed when
 * all its offsets were read and each carried its producer id. Pure; `records` per partition.
 */
export function checkProducerIds(produces: readonly ProduceAccessRecord[], read: ReadonlyMap<number, readonly ReadRecord[]>): ProducerIdCheck {
  const confirmed = new Set<string>();
  let recordsRead = 0;
  for (const list of read.values()) recordsRead += list.length;
  for (const p of produces) {
    const records = (read.get(p.partition) ?? []).filter((r) => r.offset >= p.fromOffset && r.offset < p.toOffset);
    const complete = BigInt(records.length) === p.toOffset - p.fromOffset;
    if (complete && records.every((r) => r.producerId === p.producerId)) confirmed.add(keyOf(p));
  }
  return { confirmed, recordsRead };
}

/** The principal's produces as labelled access records for `establishWindow`. */
export function writeAccessRecords(produces: readonly ProduceAccessRecord[], check: ProducerIdCheck, source: string): FetchAccessRecord[] {
  return produces.map((p) => {
    const exact = check.confirmed.has(keyOf(p));
    return {
      partition: p.partition,
      fromOffset: p.fromOffset,
      toOffset: p.toOffset,
      records: String(p.records),
      bytes: String(p.bytes),
      time: p.time,
      precision: exact ? 'exact' : 'bounded',
      sources: exact ? [source, PRODUCER_ID_SOURCE] : [source],
    };
  });
}

/** Partition → offset of the first located record (the `firstOffsets` output). */
export function firstOffsets(partitions: readonly PartitionWindow[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of [...partitions].sort((a, b) => a.partition - b.partition)) {
    const first = p.ranges[0];
    if (first !== undefined) out[String(p.partition)] = first.from;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Produces known only by where they began (the request log's PRODUCE lines)

/**
 * A produce a log line reports: the partition and base offset the broker answered with. How many
 * offsets it took and its producer id are read from the batch at that offset.
 */
export interface WriteClaim {
  /** Source id, e.g. `request-log`. */
  source: string;
  topic: string;
  partition: number;
  baseOffset: bigint;
  /** Bytes the producer sent (`recordsSizeInBytes`), when the line gives them. */
  bytes?: number;
  clientId: string;
  clientAddress?: string;
  /** Epoch ms of the line. */
  time: number;
}

/** A produce of the principal that the log reports but cannot place at offsets. */
export interface UnlocatedWrite {
  source: string;
  /** Absent when the line does not name it (text form at DEBUG). */
  topic?: string;
  partition?: number;
  /** Partitions written, when the line gives only their number. */
  partitions?: number;
  bytes?: number;
  clientId: string;
  time: number;
  /** `acks-0`: the broker sends no response to acks=0, so the log has no offsets for it. */
  reason: 'acks-0' | 'unknown-topic-id';
}

/** The batch at a claimed offset (see src/kafka/direct-fetch/batch-headers). */
export interface ClaimedBatch {
  baseOffset: bigint;
  lastOffsetDelta: number;
  producerId: bigint;
  bytes: number;
  control: boolean;
}

/** Claims placed at offsets, labelled; and the producer id(s) they were checked against. */
export interface LocatedWrites {
  records: FetchAccessRecord[];
  /** The producer id most of the principal's batches carry (decimal), when any batch was found. */
  producerId?: string;
  /** Claims labelled bounded, with why (for the log and the report). */
  bounded: Array<{ partition: number; baseOffset: string; reason: 'batch-gone' | 'not-a-batch-start' | 'other-producer-id' }>;
}

const claimKey = (partition: number, offset: bigint): string => `${partition}:${offset}`;

/** The value most often seen; ties go to the first seen. */
function mode<T>(values: readonly T[]): T | undefined {
  const counts = new Map<T, number>();
  let best: T | undefined;
  for (const v of values) {
    const n = (counts.get(v) ?? 0) + 1;
    counts.set(v, n);
    if (best === undefined || n > (counts.get(best) ?? 0)) best = v;
  }
  return best;
}

/**
 * Places each claim at the offsets of the batch starting at its base offset. A request of
 * Produce v3+ carries one batch per partition, so that batch is the whole append: its
 * `lastOffsetDelta` gives the range, and its producer id must be the one the principal's batches
 * carry (the most common among them). Such a claim is `exact`. A claim whose batch is gone, does
 * not start there, or carries another producer id stays in the window — the broker logged the
 * write — labelled `bounded`: up to the end of the batch found there, or, with no batch, up to the
 * principal's next logged base offset on the partition (or the log end), which its batch cannot
 * have passed.
 */
export function locateClaims(claims: readonly WriteClaim[], batches: ReadonlyMap<string, ClaimedBatch | undefined>, logEnd: ReadonlyMap<number, bigint>): LocatedWrites {
  const startsHere = (c: WriteClaim): ClaimedBatch | undefined => {
    const b = batches.get(claimKey(c.partition, c.baseOffset));
    return b !== undefined && b.baseOffset === c.baseOffset && !b.control ? b : undefined;
  };
  const unique = [...new Map(claims.map((c) => [claimKey(c.partition, c.baseOffset), c])).values()];
  const expected = mode(unique.map(startsHere).filter((b): b is ClaimedBatch => b !== undefined).map((b) => b.producerId));
  const ownStarts = new Map<number, bigint[]>();
  for (const c of unique) {
    const list = ownStarts.get(c.partition);
    if (list === undefined) ownStarts.set(c.partition, [c.baseOffset]);
    else list.push(c.baseOffset);
  }
  const out: LocatedWrites = { records: [], bounded: [], ...(expected !== undefined ? { producerId: expected.toString() } : {}) };
  for (const c of unique) {
    const found = batches.get(claimKey(c.partition, c.baseOffset));
    const batch = startsHere(c);
    const exact = batch !== undefined && batch.producerId === expected;
    let to: bigint;
    if (found !== undefined) to = found.baseOffset + BigInt(found.lastOffsetDelta) + 1n;
    else {
      const later = (ownStarts.get(c.partition) ?? []).filter((o) => o > c.baseOffset);
      to = later.length > 0 ? later.reduce((m, o) => (o < m ? o : m)) : (logEnd.get(c.partition) ?? c.baseOffset + 1n);
    }
    if (to <= c.baseOffset) to = c.baseOffset + 1n;
    if (!exact) out.bounded.push({ partition: c.partition, baseOffset: c.baseOffset.toString(), reason: found === undefined ? 'batch-gone' : batch === undefined ? 'not-a-batch-start' : 'other-producer-id' });
    const bytes = exact ? batch.bytes : c.bytes;
    out.records.push({
      partition: c.partition,
      fromOffset: c.baseOffset,
      toOffset: to,
      records: String(to - c.baseOffset),
      ...(bytes !== undefined ? { bytes: String(bytes) } : {}),
      time: c.time,
      precision: exact ? 'exact' : 'bounded',
      sources: exact ? [c.source, PRODUCER_ID_SOURCE] : [c.source],
    });
  }
  return out;
}
