/**
 * The headers of record batches v2 as a Fetch returns them, without decoding (or decompressing)
 * their records: enough to know which offsets a batch took and which producer wrote it. Byte
 * positions: baseOffset INT64 @0, batchLength INT32 @8, magic INT8 @16, attributes INT16 @21,
 * lastOffsetDelta INT32 @23, maxTimestamp INT64 @35, producerId INT64 @43, producerEpoch INT16 @51,
 * recordCount INT32 @57; the header is 61 bytes.
 */

/** One batch, as its header describes it. */
export interface BatchHeader {
  baseOffset: bigint;
  lastOffsetDelta: number;
  /** -1 for a producer without idempotence. */
  producerId: bigint;
  producerEpoch: number;
  /** The whole batch's size (log overhead included), as stored. */
  bytes: number;
  maxTimestamp: number;
  /** A transaction marker, not data a producer sent. */
  control: boolean;
}

const HEADER = 61;

/** The headers of the batches in `set` whose header arrived whole (the last batch may be cut short). */
export function batchHeaders(set: Buffer): BatchHeader[] {
  const out: BatchHeader[] = [];
  let pos = 0;
  while (pos + HEADER <= set.length) {
    const size = 12 + set.readInt32BE(pos + 8);
    if (set.readInt8(pos + 16) !== 2) break;
    out.push({
      baseOffset: set.readBigInt64BE(pos),
      lastOffsetDelta: set.readInt32BE(pos + 23),
      producerId: set.readBigInt64BE(pos + 43),
      producerEpoch: set.readInt16BE(pos + 51),
      bytes: size,
      maxTimestamp: Number(set.readBigInt64BE(pos + 35)),
      control: (set.readInt16BE(pos + 21) & 0x20) !== 0,
    });
    pos += size;
  }
  return out;
}

/** What {@link lookupBatches} needs of the reader: one Fetch round on the topic. */
export interface BatchLookupDeps {
  fetch(wants: ReadonlyArray<{ partition: number; offset: bigint; maxBytes: number }>): Promise<Map<number, { errorCode: number; highWatermark: bigint; records: Buffer }>>;
  /** First byte limit per partition (one producer batch of the default size). */
  edgeBytes: number;
  grow(current: number, batchBytes: number | undefined, partition: number): number;
}

/** Key of an offset in the answer of {@link lookupBatches}. */
export const batchKey = (partition: number, offset: bigint): string => `${partition}:${offset}`;

/**
 * The batch holding each of `offsets` (`partition:offset` → header), or undefined where no batch
 * holds it any more (below the log start, past the log end, or compacted away). One Fetch per
 * round carries every partition; an answer's batches settle every asked offset they cover, so
 * a partition's produces close together cost one round.
 */
export async function lookupBatches(offsets: ReadonlyArray<{ partition: number; offset: bigint }>, deps: BatchLookupDeps): Promise<Map<string, BatchHeader | undefined>> {
  const out = new Map<string, BatchHeader | undefined>();
  const pending = new Map<number, bigint[]>();
  for (const o of offsets) {
    const list = pending.get(o.partition);
    if (list === undefined) pending.set(o.partition, [o.offset]);
    else list.push(o.offset);
  }
  for (const [p, list] of pending) pending.set(p, [...new Set(list)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  const limit = new Map<number, number>();
  while (pending.size > 0) {
    const wants = [...pending].map(([partition, list]) => ({ partition, offset: list[0] as bigint, maxBytes: limit.get(partition) ?? deps.edgeBytes }));
    const answers = await deps.fetch(wants);
    for (const want of wants) {
      const answer = answers.get(want.partition);
      const list = pending.get(want.partition) as bigint[];
      const headers = answer === undefined || answer.errorCode !== 0 ? [] : batchHeaders(answer.records);
      if (answer !== undefined && answer.errorCode === 0 && headers.length === 0 && answer.records.length > 0) {
        // Not even the first header arrived whole: ask again with room for it.
        limit.set(want.partition, deps.grow(want.maxBytes, undefined, want.partition));
        continue;
      }
      limit.delete(want.partition);
      const first = headers[0];
      // Out of range, nothing there, or the next batch starts past it: no batch holds the offset now.
      if (first === undefined || first.baseOffset > want.offset) out.set(batchKey(want.partition, want.offset), undefined);
      for (const h of headers) {
        const end = h.baseOffset + BigInt(h.lastOffsetDelta);
        for (const o of list) if (o >= h.baseOffset && o <= end) out.set(batchKey(want.partition, o), h);
      }
      const rest = list.filter((o) => !out.has(batchKey(want.partition, o)));
      if (rest.length === 0) pending.delete(want.partition);
      else pending.set(want.partition, rest);
    }
  }
  return out;
}
