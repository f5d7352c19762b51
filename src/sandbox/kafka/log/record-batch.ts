/*
 * RecordBatch v2 (magic 2), byte offsets within one batch:
 *   baseOffset INT64 @0, batchLength INT32 @8 (bytes after this field), partitionLeaderEpoch INT32 @12,
 *   magic INT8 @16, crc UINT32 @17 (CRC-32C of bytes 21..end), attributes INT16 @21,
 *   lastOffsetDelta INT32 @23, firstTimestamp INT64 @27, maxTimestamp INT64 @35, producerId INT64 @43,
 *   producerEpoch INT16 @51, baseSequence INT32 @53, recordCount INT32 @57, records @61
 * attributes: bits 0-2 compression (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd), bit 3 timestamp type,
 *   bit 4 transactional, bit 5 control. When compressed, everything after recordCount is compressed.
 * Record: length VARINT, attributes INT8, timestampDelta VARLONG, offsetDelta VARINT,
 *   key (VARINT length, -1 = null), value (same), headers VARINT count × (key VARINT len + UTF-8, value VARINT len + bytes)
 */
import { gzipSync } from 'node:zlib';
import { crc32c } from '@node-rs/crc32';
import { KafkaWriter } from '../../../kafka/wire';
import { CompressionError, decompressRecords } from '../../../kafka/wire/compression';
import { BrokerError, ErrorCode } from '../protocol/errors';

/** Size of the batch header before the records. */
export const BATCH_HEADER_SIZE = 61;
/** Compression codec ids as carried in the attributes. */
export const Codec = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;

/** What the broker needs to know about one stored batch. */
export interface BatchSummary {
  /** The batch bytes (a private copy). */
  data: Buffer;
  recordCount: number;
  lastOffsetDelta: number;
  /** Largest record timestamp, computed from the records themselves (not the header). */
  maxTimestamp: number;
}

/** One record's position and time, as decoded for the timestamp index. */
export interface RecordStamp {
  offsetDelta: number;
  timestamp: number;
}

/** Reads a zigzag varint as a JS number (exact to 2^53, enough for timestamps and deltas). */
function readVarNum(buf: Buffer, pos: number): [number, number] {
  let raw = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    const b = buf[pos++];
    if (b === undefined) throw new BrokerError(ErrorCode.CORRUPT_MESSAGE, 'truncated record');
    raw += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) {
      const half = Math.floor(raw / 2);
      return [raw % 2 === 0 ? half : -half - 1, pos];
    }
    mul *= 128;
  }
  throw new BrokerError(ErrorCode.CORRUPT_MESSAGE, 'varint too long');
}

/** The records section of a batch, decompressed. */
function recordsSection(batch: Buffer): Buffer {
  const codec = batch.readInt16BE(21) & 0x07;
  const body = batch.subarray(BATCH_HEADER_SIZE);
  // Decompressed only to validate and index the records; the batch is stored as the producer sent it.
  try {
    return decompressRecords(codec, body);
  } catch (err) {
    if (!(err instanceof CompressionError)) throw err;
    throw new BrokerError(err.unsupported ? ErrorCode.UNSUPPORTED_COMPRESSION_TYPE : ErrorCode.CORRUPT_MESSAGE, err.message);
  }
}

/** Decodes each record's offset delta and timestamp (firstTimestamp + delta). */
export function recordStamps(batch: Buffer): RecordStamp[] {
  const first = Number(batch.readBigInt64BE(27));
  const count = batch.readInt32BE(57);
  const records = recordsSection(batch);
  const out: RecordStamp[] = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const [len, bodyAt] = readVarNum(records, pos);
    const end = bodyAt + len;
    if (len < 0 || end > records.length) throw new BrokerError(ErrorCode.CORRUPT_MESSAGE, 'record length exceeds batch');
    const [tsDelta, p1] = readVarNum(records, bodyAt + 1);
    const [offsetDelta] = readVarNum(records, p1);
    out.push({ offsetDelta, timestamp: first + tsDelta });
    pos = end;
  }
  if (pos !== records.length) throw new BrokerError(ErrorCode.CORRUPT_MESSAGE, 'bytes after the last record');
  return out;
}

/**
 * Splits a produced record set into batches and validates each one (magic 2, CRC-32C, record
 * count, codec). Throws a BrokerError with the code Kafka would answer for the partition.
 */
export function splitBatches(recordSet: Buffer): BatchSummary[] {
  const out: BatchSummary[] = [];
  let pos = 0;
  while (pos < recordSet.length) {
    if (recordSet.length - pos < BATCH_HEADER_SIZE) throw new BrokerError(ErrorCode.CORRUPT_MESSAGE, 'truncated record batch');
    const total = recordSet.readInt32BE(pos + 8) + 12;
    if (total < BATCH_HEADER_SIZE || pos + total > recordSet.length) throw new BrokerError(ErrorCode.CORRUPT_MESSAGE, 'record batch length exceeds the record set');
    const view = recordSet.subarray(pos, pos + total);
    pos += total;
    const magic = view.readInt8(16);
    if (magic !== 2) throw new BrokerError(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, `record batch magic ${magic} is not supported (only 2)`);
    if (crc32c(view.subarray(21)) !== view.readUInt32BE(17)) throw new BrokerError(ErrorCode.CORRUPT_MESSAGE, 'record batch CRC mismatch');
    const recordCount = view.readInt32BE(57);
    const lastOffsetDelta = view.readInt32BE(23);
    const stamps = recordStamps(view);
    if (stamps.length !== recordCount || recordCount === 0) throw new BrokerError(ErrorCode.INVALID_RECORD, 'record count does not match the batch');
    let maxTimestamp = -1;
    for (let i = 0; i < stamps.length; i++) {
      const s = stamps[i] as RecordStamp;
      if (s.offsetDelta !== i) throw new BrokerError(ErrorCode.INVALID_RECORD, 'record offset deltas must be consecutive from 0');
      if (s.timestamp > maxTimestamp) maxTimestamp = s.timestamp;
    }
    if (lastOffsetDelta !== recordCount - 1) throw new BrokerError(ErrorCode.INVALID_RECORD, 'lastOffsetDelta does not match the record count');
    out.push({ data: Buffer.from(view), recordCount, lastOffsetDelta, maxTimestamp });
  }
  if (out.length === 0) throw new BrokerError(ErrorCode.CORRUPT_MESSAGE, 'empty record set');
  return out;
}

/** A record the broker writes itself (internal topics, tests). */
export interface OutgoingRecord {
  key?: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  headers?: ReadonlyArray<{ key: string; value: Buffer | null }>;
}

/** Encodes records as one RecordBatch v2 (uncompressed unless gzip is asked for), baseOffset 0. */
export function encodeBatch(records: readonly OutgoingRecord[], options: { gzip?: boolean } = {}): Buffer {
  if (records.length === 0) throw new Error('a batch needs at least one record');
  const first = records[0] as OutgoingRecord;
  let maxTs = first.timestamp;
  const body = new KafkaWriter();
  records.forEach((rec, i) => {
    if (rec.timestamp > maxTs) maxTs = rec.timestamp;
    const w = new KafkaWriter().int8(0).varlong(BigInt(rec.timestamp - first.timestamp)).varint(i);
    if (rec.key == null) w.varint(-1);
    else w.varint(rec.key.length).raw(rec.key);
    if (rec.value === null) w.varint(-1);
    else w.varint(rec.value.length).raw(rec.value);
    const headers = rec.headers ?? [];
    w.varint(headers.length);
    for (const h of headers) {
      const k = Buffer.from(h.key, 'utf8');
      w.varint(k.length).raw(k);
      if (h.value === null) w.varint(-1);
      else w.varint(h.value.length).raw(h.value);
    }
    const rec_ = w.build();
    body.varint(rec_.length).raw(rec_);
  });
  let payload = body.build();
  if (options.gzip) payload = gzipSync(payload);
  const afterCrc = new KafkaWriter()
    .int16(options.gzip ? Codec.gzip : Codec.none)
    .int32(records.length - 1)
    .int64(BigInt(first.timestamp))
    .int64(BigInt(maxTs))
    .int64(-1n)
    .int16(-1)
    .int32(-1)
    .int32(records.length)
    .raw(payload)
    .build();
  return new KafkaWriter()
    .int64(0n)
    .int32(afterCrc.length + 9)
    .int32(0)
    .int8(2)
    .uint32(crc32c(afterCrc))
    .raw(afterCrc)
    .build();
}
