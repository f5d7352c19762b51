/*
 * The record-batch codecs (attributes bits 0-2), decompression only, shared by the direct fetch
 * reader and the sandbox broker so both read what real producers write:
 *   1 gzip   – RFC 1952 (node:zlib)
 *   2 snappy – the Java client's xerial framing (magic 0x82 "SNAPPY" 0x00, version INT32, compatible
 *              INT32, then blocks of INT32 length + raw Snappy), or one raw Snappy block (librdkafka
 *              writes that); told apart by the magic
 *   3 lz4    – an LZ4 frame (magic v2 batches: the frame header checksum is the standard one, KIP-57)
 *   4 zstd   – a Zstandard frame
 * Pure-JS decoders (snappyjs, lz4js, fzstd): nothing to build natively in CI.
 */
import { gunzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { decompress as lz4Decompress } from 'lz4js';
import { uncompress as snappyUncompress } from 'snappyjs';

/** Codec ids as record batch v2 attributes carry them. */
export const CompressionCodec = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
const NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** Largest decompressed records section accepted: a batch that inflates beyond it is refused, not allocated. */
export const MAX_DECOMPRESSED_BYTES = 128 * 1024 * 1024;

/** Why a records section could not be decompressed; `unsupported` when the codec id is unknown. */
export class CompressionError extends Error {
  override readonly name = 'CompressionError';
  constructor(
    message: string,
    readonly unsupported = false,
  ) {
    super(message);
  }
}

/** The codec's name (`snappy`), or `codec <n>`. */
export function codecName(codec: number): string {
  return NAMES[codec] ?? `codec ${codec}`;
}

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

/** Decompresses a batch's records section (everything after recordCount). Codec 0 returns `body`. */
export function decompressRecords(codec: number, body: Buffer, maxBytes = MAX_DECOMPRESSED_BYTES): Buffer {
  if (codec === CompressionCodec.none) return body;
  try {
    switch (codec) {
      case CompressionCodec.gzip:
        return gunzipSync(body, { maxOutputLength: maxBytes });
      case CompressionCodec.snappy:
        return snappy(body, maxBytes);
      case CompressionCodec.lz4:
        return fromBytes(lz4Decompress(body, maxBytes));
      case CompressionCodec.zstd:
        return fromBytes(zstdDecompress(body));
    }
  } catch (err) {
    if (err instanceof CompressionError) throw err;
    throw new CompressionError(`${codecName(codec)} records could not be decompressed: ${err instanceof Error ? err.message : String(err)}`);
  }
  throw new CompressionError(`compression ${codecName(codec)} is not a Kafka codec`, true);
}

function snappy(body: Buffer, maxBytes: number): Buffer {
  if (body.length < 16 || !body.subarray(0, 8).equals(XERIAL_MAGIC)) return snappyUncompress(body, maxBytes);
  const blocks: Buffer[] = [];
  let total = 0;
  for (let pos = 16; pos < body.length; ) {
    if (pos + 4 > body.length) throw new CompressionError('snappy (xerial) block length cut short');
    const length = body.readInt32BE(pos);
    pos += 4;
    if (length < 0 || pos + length > body.length) throw new CompressionError(`snappy (xerial) block of ${length} bytes overruns the records`);
    const block = snappyUncompress(body.subarray(pos, pos + length), maxBytes - total);
    pos += length;
    total += block.length;
    blocks.push(block);
  }
  return blocks.length === 1 ? (blocks[0] as Buffer) : Buffer.concat(blocks, total);
}

function fromBytes(bytes: Uint8Array): Buffer {
  const out = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (out.length > MAX_DECOMPRESSED_BYTES) throw new CompressionError(`records inflate beyond ${MAX_DECOMPRESSED_BYTES} bytes`);
  return out;
}
