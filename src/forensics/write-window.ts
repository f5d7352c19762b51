import type { PartitionWindow } from '../domain/events';
import type { FetchAccessRecord } from '../domain/forensic-window';
import type { ProduceAccessRecord } from '../kafka/produce-records';
import type { OffsetSpan, ReadRecord } from '../kafka/record-sample';

/**
 * Write-side forensics (`forensics` with `access: write`): the records a principal PRODUCED to a
 * topic — a poisoned topic's forged records, interleaved with legitimate producers' traffic.
 *
 * The broker's access records of the principal's Produce requests say which offsets its batches
 * took (several ranges per partition, one per request); the record batches themselves confirm it:
 * every record in a claimed range must sit in a batch whose v2 header carries the producer id the
 * access record names. A confirmed range is `exact`; one the batches contradict (another producer
 * id, records gone) stays in the window — the broker saw the principal write there — but is
 * labelled `bounded`, so the report does not overstate it. The ranges then go through the same
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
