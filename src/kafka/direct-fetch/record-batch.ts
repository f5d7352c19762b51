/*
 * Record batch v2 (magic 2), client side: decoding what a Fetch returns. Byte positions in a batch:
 *   baseOffset INT64 @0, batchLength INT32 @8 (bytes after this field), partitionLeaderEpoch INT32 @12,
 *   magic INT8 @16, crc UINT32 @17 (CRC-32C of bytes 21..end), attributes INT16 @21,
 *   lastOffsetDelta INT32 @23, firstTimestamp INT64 @27, maxTimestamp INT64 @35, producerId INT64 @43,
 *   producerEpoch INT16 @51, baseSequence INT32 @53, recordCount INT32 @57, records @61
 * attributes: bits 0-2 compression (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd), bit 3 timestamp type
 *   (1: log append time = maxTimestamp for every record), bit 4 transactional, bit 5 control.
 * Record: length VARINT, attributes INT8, timestampDelta VARLONG, offsetDelta VARINT,
 *   key (VARINT length, -1 = null), value (same), headers VARINT count × (key, value)
 *
 * A response's last batch may be cut short by the byte limit: it is reported as `truncated`, not
 * decoded, so the caller can fetch it again with a larger limit.
 */
import { crc32c } from '@node-rs/crc32';
import type { ReadRecord } from '../record-sample';
import { CompressionError, decompressRecords } from '../wire/compression';

const HEADER = 61;

/** The batches of one partition's record set, decoded. */
export interface DecodedRecordSet {
  records: ReadRecord[];
  /** Offset after the last complete batch (control batches included); undefined when there is none. */
  nextOffset: bigint | undefined;
  /** A batch was cut short by the byte limit (and nothing after it was decoded). */
  truncated: boolean;
  /** Size of the cut batch as its header announces it, when known. */
  truncatedBatchBytes?: number;
}

/** A batch that cannot be read: bad CRC, another magic, a codec this reader lacks. */
export class RecordBatchError extends Error {
  override readonly name = 'RecordBatchError';
  /** Kafka's name for the condition, e.g. `CORRUPT_MESSAGE`. */
  readonly type: string;
  constructor(message: string, type = 'CORRUPT_MESSAGE') {
    super(message);
    this.type = type;
  }
}

/**
 * Decodes every complete batch of `set`; records below `fromOffset` (the start of a batch fetched
 * from its middle) are left out. Keys and values are views on `set`, not copies. With `only`, just
 * the records at those offsets are decoded (edge lookups: a few records out of whole batches), and
 * batches holding none of them are skipped unread.
 */
export function decodeRecordSet(set: Buffer, fromOffset: bigint, only?: ReadonlySet<bigint>): DecodedRecordSet {
  const records: ReadRecord[] = [];
  let nextOffset: bigint | undefined;
  let pos = 0;
  while (pos < set.length) {
    if (set.length - pos < 12) return { records, nextOffset, truncated: true };
    const size = 12 + set.readInt32BE(pos + 8);
    if (pos + size > set.length) return { records, nextOffset, truncated: true, truncatedBatchBytes: size };
    const batch = set.subarray(pos, pos + size);
    pos += size;
    const end = decodeBatch(batch, fromOffset, records, only);
    nextOffset = end;
  }
  return { records, nextOffset, truncated: false };
}

/** Appends one batch's records at or after `fromOffset` to `out`; returns the offset after the batch. */
function decodeBatch(batch: Buffer, fromOffset: bigint, out: ReadRecord[], only: ReadonlySet<bigint> | undefined): bigint {
  if (batch.length < HEADER) throw new RecordBatchError(`record batch of ${batch.length} bytes is shorter than its header`);
  const baseOffset = batch.readBigInt64BE(0);
  const magic = batch.readInt8(16);
  if (magic !== 2) throw new RecordBatchError(`record batch magic ${magic} is not supported (brokers older than Kafka 0.11)`, 'UNSUPPORTED_VERSION');
  const attributes = batch.readInt16BE(21);
  const end = baseOffset + BigInt(batch.readInt32BE(23)) + 1n;
  if (end <= fromOffset || (attributes & 0x20) !== 0) return end; // all before the cursor, or a control batch
  // Wanted positions in this batch as offset deltas (numbers: no BigInt per record).
  let deltas: Set<number> | undefined;
  if (only !== undefined) {
    deltas = new Set<number>();
    for (const o of only) if (o >= baseOffset && o < end && o >= fromOffset) deltas.add(Number(o - baseOffset));
    if (deltas.size === 0) return end;
  }
  if (crc32c(batch.subarray(21)) >>> 0 !== batch.readUInt32BE(17)) throw new RecordBatchError(`record batch at offset ${baseOffset} fails its CRC-32C`);
  const firstDelta = fromOffset > baseOffset ? Number(fromOffset - baseOffset) : 0;
  const firstTimestamp = Number(batch.readBigInt64BE(27));
  const logAppendTime = (attributes & 0x08) !== 0 ? Number(batch.readBigInt64BE(35)) : undefined;
  const count = batch.readInt32BE(57);
  const producerId = batch.readBigInt64BE(43);
  const body = recordsOf(batch, attributes & 0x07, baseOffset);
  const cursor = { pos: 0 };
  for (let i = 0; i < count; i++) {
    const length = varint(body, cursor);
    const next = cursor.pos + length;
    cursor.pos += 1; // attributes
    if (next > body.length) throw new RecordBatchError(`record ${i} of the batch at offset ${baseOffset} overruns its batch`);
    const timestampDelta = varint(body, cursor);
    const delta = varint(body, cursor);
    if (delta < firstDelta || (deltas !== undefined && !deltas.has(delta))) {
      cursor.pos = next;
      continue;
    }
    const keyLength = varint(body, cursor);
    const key = keyLength < 0 ? null : body.subarray(cursor.pos, (cursor.pos += keyLength));
    const valueLength = varint(body, cursor);
    const value = valueLength < 0 ? null : body.subarray(cursor.pos, (cursor.pos += valueLength));
    if (cursor.pos > next) throw new RecordBatchError(`record ${i} of the batch at offset ${baseOffset} overruns its batch`);
    cursor.pos = next; // headers are not needed
    out.push({ offset: baseOffset + BigInt(delta), timestamp: logAppendTime ?? firstTimestamp + timestampDelta, key, value, producerId });
    if (deltas !== undefined) {
      deltas.delete(delta);
      if (deltas.size === 0) break;
    }
  }
  return end;
}

/** The records section, decompressed (gzip, snappy, lz4, zstd: see wire/compression). */
function recordsOf(batch: Buffer, codec: number, baseOffset: bigint): Buffer {
  try {
    return decompressRecords(codec, batch.subarray(HEADER));
  } catch (err) {
    if (!(err instanceof CompressionError)) throw err;
    throw new RecordBatchError(`record batch at offset ${baseOffset}: ${err.message}`, err.unsupported ? 'UNSUPPORTED_COMPRESSION_TYPE' : 'CORRUPT_MESSAGE');
  }
}

/** Zigzag varint as a JS number (exact to 2^53: enough for lengths, deltas and timestamps). */
function varint(buf: Buffer, cursor: { pos: number }): number {
  let raw = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    const b = buf[cursor.pos++];
    if (b === undefined) throw new RecordBatchError('record truncated inside a varint');
    raw += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    mul *= 128;
  }
  throw new RecordBatchError('varint longer than 10 bytes');
}
