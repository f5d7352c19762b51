import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { GENESIS_HASH } from '../domain/audit-chain';
import { canonicalJson } from '../domain/canonical-json';

/**
 * The binary evidence chunk (format 1), one Kafka record of an evidence topic holding ~1 MB of
 * source records. docs/evidence-format.md is the reader's specification; this module is the
 * reference implementation. In short (integers big-endian):
 *
 *     magic "BLEC" | version u8 = 1 | u32 H | header (H bytes, RFC 8785 JSON)
 *     | u32 N | N × (u32 offset delta, 32-byte record hash)          ← the clear index
 *     | u32 C | C bytes AES-256-GCM ciphertext | 16-byte GCM tag
 *
 * - AAD of the GCM pass = every byte before the ciphertext (magic through C), so the index, the
 *   header and the chain link cannot be changed without the decryption failing.
 * - The data key is generated per chunk by Vault transit (`datakey/plaintext`) and stored only
 *   wrapped (`header.wrappedKey`); reading the records needs `decrypt` on the transit key.
 * - The record hashes are in the clear, so the chain and the Merkle root check without any key.
 * - Chain link: `chunkHash = SHA-256(all bytes of the chunk)`; the next chunk of the same
 *   (step, topic, partition) names it as `header.prevHash` (the first names 64 zeros).
 */

/** First bytes of every chunk. */
export const CHUNK_MAGIC = Buffer.from('BLEC', 'latin1');
/** The layout version this module writes and reads. */
export const CHUNK_VERSION = 1;
const TAG_BYTES = 16;
const IV_BYTES = 12;
const INDEX_ENTRY = 4 + 32;

/** The clear JSON header of a chunk. Offsets and timestamps are int64 decimal strings. */
export interface ChunkHeader {
  alg: 'A256GCM';
  incidentId: string;
  stepKey: string;
  topic: string;
  partition: number;
  /** Position of the chunk in its chain, from 0. */
  seq: number;
  firstOffset: string;
  lastOffset: string;
  records: number;
  /** Key, value and header-name/value bytes of the source records (for the bytes-written figure). */
  sourceBytes: number;
  /** Timestamps in the plaintext are deltas from this. */
  baseTimestamp: string;
  /** Hex chunk hash of the previous chunk of the chain (64 zeros for the first). */
  prevHash: string;
  transitKey: string;
  /** The chunk's data key wrapped by Vault transit (`vault:vN:…`). */
  wrappedKey: string;
  /** Base64 GCM nonce (12 bytes). */
  iv: string;
}

/** One source record, its bytes exactly as Kafka delivered them. */
export interface ChunkRecord {
  offset: bigint;
  /** Milliseconds since the epoch, as Kafka stores it. */
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  /** Header names and values in the order of the record (values may repeat a name). */
  headers: Array<[string, Buffer | null]>;
}

/** A chunk read back: everything in the clear, and the sealed part. */
export interface ParsedChunk {
  header: ChunkHeader;
  /** Source offsets and record hashes, in record order. */
  offsets: bigint[];
  recordHashes: Buffer[];
  /** Hex SHA-256 of the whole chunk: its chain link. */
  hash: string;
  aad: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** A chunk that cannot be parsed as format 1. */
export class ChunkFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChunkFormatError';
  }
}

const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

/**
 * SHA-256 of one source record (the Merkle leaf input): u16 topic length ‖ topic ‖ i32 partition
 * ‖ i64 offset ‖ i64 timestamp ‖ i32 key length (-1 null) ‖ key ‖ i32 value length (-1 null) ‖
 * value ‖ i32 header count ‖ per header i32 name length ‖ name ‖ i32 value length ‖ value.
 * Anyone holding the original Kafka record can recompute it.
 */
export function recordHash(topic: string, partition: number, r: ChunkRecord): Buffer {
  const h = createHash('sha256');
  const name = Buffer.from(topic, 'utf8');
  const fixed = Buffer.alloc(2 + name.length + 4 + 8 + 8);
  fixed.writeUInt16BE(name.length, 0);
  name.copy(fixed, 2);
  fixed.writeInt32BE(partition, 2 + name.length);
  fixed.writeBigInt64BE(r.offset, 6 + name.length);
  fixed.writeBigInt64BE(r.timestamp, 14 + name.length);
  h.update(fixed);
  const bytes = (b: Buffer | null): void => {
    h.update(int32(b === null ? -1 : b.length));
    if (b !== null) h.update(b);
  };
  bytes(r.key);
  bytes(r.value);
  h.update(int32(r.headers.length));
  for (const [n, v] of r.headers) {
    bytes(Buffer.from(n, 'utf8'));
    bytes(v);
  }
  return h.digest();
}

/** Bytes a record takes in the plaintext, at most (varints counted at their widest). */
function plaintextBound(r: ChunkRecord): number {
  let n = 10 + 5 + (r.key?.length ?? 0) + 5 + (r.value?.length ?? 0) + 5;
  for (const [name, v] of r.headers) n += 5 + Buffer.byteLength(name, 'utf8') + 5 + (v?.length ?? 0);
  return n;
}

/** Limits of one chunk. */
export interface ChunkLimits {
  /** Upper bound of the sealed chunk (under the topic's `max.message.bytes`). @default 900 KiB */
  maxBytes: number;
  /** Upper bound of records per chunk. */
  maxRecords: number;
}

/**
 * Packs records of one source partition into the plaintext of one chunk, hashing each as it
 * goes. Records must come in strictly increasing offset order.
 */
export class ChunkBuilder {
  private buf: Buffer;
  private at = 0;
  readonly offsets: bigint[] = [];
  readonly recordHashes: Buffer[] = [];
  private base: bigint | undefined;
  /** Key + value + header bytes of the source records packed so far. */
  sourceBytes = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly limits: ChunkLimits,
  ) {
    this.buf = Buffer.allocUnsafe(Math.min(limits.maxBytes, 1 << 20));
  }

  get records(): number {
    return this.offsets.length;
  }

  /** Whether `r` still fits (a chunk always takes its first record, whatever its size). */
  fits(r: ChunkRecord): boolean {
    if (this.records === 0) return true;
    if (this.records >= this.limits.maxRecords) return false;
    if (r.offset - (this.offsets[0] as bigint) > 0xffffffffn) return false;
    const sealed = 600 + (this.records + 1) * INDEX_ENTRY + this.at + plaintextBound(r) + TAG_BYTES;
    return sealed <= this.limits.maxBytes;
  }

  /** Appends one record (check {@link fits} first). */
  add(r: ChunkRecord): void {
    const last = this.offsets.at(-1);
    if (last !== undefined && r.offset <= last) throw new RangeError(`offset ${r.offset} after ${last}: records must be in increasing offset order`);
    if (this.base === undefined) this.base = r.timestamp;
    this.reserve(plaintextBound(r));
    this.varlong(Number(r.timestamp - this.base));
    this.bytes(r.key);
    this.bytes(r.value);
    this.varlong(r.headers.length);
    for (const [name, v] of r.headers) {
      this.bytes(Buffer.from(name, 'utf8'));
      this.bytes(v);
    }
    this.offsets.push(r.offset);
    this.recordHashes.push(recordHash(this.topic, this.partition, r));
    this.sourceBytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
    for (const [name, v] of r.headers) this.sourceBytes += Buffer.byteLength(name, 'utf8') + (v?.length ?? 0);
  }

  /** The plaintext packed so far. */
  plaintext(): Buffer {
    return this.buf.subarray(0, this.at);
  }

  baseTimestamp(): bigint {
    return this.base ?? 0n;
  }

  private reserve(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  /** Kafka's zigzag varint (varlong for timestamps), safe for |n| < 2^52. */
  private varlong(n: number): void {
    let z = n >= 0 ? n * 2 : -n * 2 - 1;
    while (z >= 0x80) {
      this.buf[this.at++] = (z % 0x80) | 0x80;
      z = Math.floor(z / 0x80);
    }
    this.buf[this.at++] = z;
  }

  private bytes(b: Buffer | null): void {
    if (b === null) {
      this.varlong(-1);
      return;
    }
    this.varlong(b.length);
    b.copy(this.buf, this.at);
    this.at += b.length;
  }
}

/** What sealing needs besides the records. */
export interface SealContext {
  incidentId: string;
  stepKey: string;
  seq: number;
  prevHash: string;
  transitKey: string;
  wrappedKey: string;
  /** The plaintext data key (32 bytes); the caller zeroes it afterwards. */
  dataKey: Buffer;
}

/** A sealed chunk: its bytes and what the replay keeps of it. */
export interface SealedChunk {
  bytes: Buffer;
  hash: string;
  header: ChunkHeader;
  recordHashes: Buffer[];
  sourceBytes: number;
}

/** Seals a built chunk: one AES-256-GCM pass over its plaintext. */
export function sealChunk(builder: ChunkBuilder, ctx: SealContext): SealedChunk {
  if (builder.records === 0) throw new RangeError('an empty chunk is never sealed');
  const first = builder.offsets[0] as bigint;
  const iv = randomBytes(IV_BYTES);
  const header: ChunkHeader = {
    alg: 'A256GCM',
    incidentId: ctx.incidentId,
    stepKey: ctx.stepKey,
    topic: builder.topic,
    partition: builder.partition,
    seq: ctx.seq,
    firstOffset: first.toString(),
    lastOffset: (builder.offsets.at(-1) as bigint).toString(),
    records: builder.records,
    sourceBytes: builder.sourceBytes,
    baseTimestamp: builder.baseTimestamp().toString(),
    prevHash: ctx.prevHash,
    transitKey: ctx.transitKey,
    wrappedKey: ctx.wrappedKey,
    iv: iv.toString('base64'),
  };
  const headerBytes = Buffer.from(canonicalJson(header), 'utf8');
  const plaintext = builder.plaintext();
  const n = builder.records;
  const aadLength = 4 + 1 + 4 + headerBytes.length + 4 + n * INDEX_ENTRY + 4;
  const out = Buffer.allocUnsafe(aadLength + plaintext.length + TAG_BYTES);
  let at = CHUNK_MAGIC.copy(out, 0);
  out[at++] = CHUNK_VERSION;
  at = out.writeUInt32BE(headerBytes.length, at);
  at += headerBytes.copy(out, at);
  at = out.writeUInt32BE(n, at);
  for (let i = 0; i < n; i++) {
    at = out.writeUInt32BE(Number((builder.offsets[i] as bigint) - first), at);
    at += (builder.recordHashes[i] as Buffer).copy(out, at);
  }
  at = out.writeUInt32BE(plaintext.length, at);
  const cipher = createCipheriv('aes-256-gcm', ctx.dataKey, iv);
  cipher.setAAD(out.subarray(0, aadLength));
  at += cipher.update(plaintext).copy(out, at);
  at += cipher.final().copy(out, at);
  cipher.getAuthTag().copy(out, at);
  return { bytes: out, hash: createHash('sha256').update(out).digest('hex'), header, recordHashes: builder.recordHashes, sourceBytes: builder.sourceBytes };
}

/** Whether a Kafka record value is a format-1 chunk (by its magic). */
export function isChunk(value: Buffer | null): value is Buffer {
  return value !== null && value.length > 5 && value.subarray(0, 4).equals(CHUNK_MAGIC);
}

const HEADER_STRINGS = ['incidentId', 'stepKey', 'topic', 'firstOffset', 'lastOffset', 'baseTimestamp', 'prevHash', 'transitKey', 'wrappedKey', 'iv'] as const;

function checkHeader(h: Record<string, unknown>): ChunkHeader {
  for (const k of HEADER_STRINGS) if (typeof h[k] !== 'string') throw new ChunkFormatError(`header field ${k} is missing or not a string`);
  for (const k of ['partition', 'seq', 'records', 'sourceBytes'] as const) if (!Number.isInteger(h[k])) throw new ChunkFormatError(`header field ${k} is missing or not an integer`);
  if (h.alg !== 'A256GCM') throw new ChunkFormatError(`unknown alg ${String(h.alg)}`);
  return h as unknown as ChunkHeader;
}

/** Parses a chunk's clear part; throws {@link ChunkFormatError} on anything malformed. */
export function parseChunk(bytes: Buffer): ParsedChunk {
  if (!isChunk(bytes)) throw new ChunkFormatError('not an evidence chunk (bad magic)');
  if (bytes[4] !== CHUNK_VERSION) throw new ChunkFormatError(`chunk format ${bytes[4]} is not supported (this reader knows ${CHUNK_VERSION})`);
  const need = (at: number, n: number): void => {
    if (at + n > bytes.length) throw new ChunkFormatError('chunk truncated');
  };
  let at = 5;
  need(at, 4);
  const headerLength = bytes.readUInt32BE(at);
  at += 4;
  need(at, headerLength);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8', at, at + headerLength));
  } catch {
    throw new ChunkFormatError('chunk header is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new ChunkFormatError('chunk header is not an object');
  const header = checkHeader(parsed as Record<string, unknown>);
  at += headerLength;
  need(at, 4);
  const n = bytes.readUInt32BE(at);
  at += 4;
  if (n !== header.records) throw new ChunkFormatError(`index holds ${n} records, the header says ${header.records}`);
  need(at, n * INDEX_ENTRY);
  const first = BigInt(header.firstOffset);
  const offsets: bigint[] = [];
  const recordHashes: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    offsets.push(first + BigInt(bytes.readUInt32BE(at)));
    recordHashes.push(bytes.subarray(at + 4, at + INDEX_ENTRY));
    at += INDEX_ENTRY;
  }
  need(at, 4);
  const c = bytes.readUInt32BE(at);
  at += 4;
  if (at + c + TAG_BYTES !== bytes.length) throw new ChunkFormatError('ciphertext length does not match the chunk size');
  return {
    header,
    offsets,
    recordHashes,
    hash: createHash('sha256').update(bytes).digest('hex'),
    aad: bytes.subarray(0, at),
    ciphertext: bytes.subarray(at, at + c),
    tag: bytes.subarray(at + c),
  };
}

/** Decrypts a chunk with its unwrapped data key and decodes its records; throws when anything was altered. */
export function openChunk(chunk: ParsedChunk, dataKey: Buffer): ChunkRecord[] {
  const decipher = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(chunk.header.iv, 'base64'));
  decipher.setAAD(chunk.aad);
  decipher.setAuthTag(chunk.tag);
  const plain = Buffer.concat([decipher.update(chunk.ciphertext), decipher.final()]);
  return decodeRecords(plain, chunk.offsets, BigInt(chunk.header.baseTimestamp));
}

function decodeRecords(plain: Buffer, offsets: readonly bigint[], base: bigint): ChunkRecord[] {
  let at = 0;
  const varlong = (): number => {
    let z = 0;
    let mul = 1;
    for (;;) {
      if (at >= plain.length) throw new ChunkFormatError('plaintext truncated');
      const b = plain[at++] as number;
      z += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 0x80;
    }
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  };
  const bytes = (): Buffer | null => {
    const len = varlong();
    if (len < 0) return null;
    if (at + len > plain.length) throw new ChunkFormatError('plaintext truncated');
    const b = plain.subarray(at, at + len);
    at += len;
    return b;
  };
  const out: ChunkRecord[] = [];
  for (const offset of offsets) {
    const timestamp = base + BigInt(varlong());
    const key = bytes();
    const value = bytes();
    const count = varlong();
    const headers: Array<[string, Buffer | null]> = [];
    for (let i = 0; i < count; i++) headers.push([(bytes() ?? Buffer.alloc(0)).toString('utf8'), bytes()]);
    out.push({ offset, timestamp, key, value, headers });
  }
  if (at !== plain.length) throw new ChunkFormatError('plaintext holds more than the index names');
  return out;
}

/** The chain's genesis link. */
export const CHAIN_GENESIS = GENESIS_HASH;

/** Kafka record key of a chain's chunks: one key per (step, topic, partition). */
export function chunkKey(stepKey: string, topic: string, partition: number): string {
  return `${stepKey}|${topic}|${partition}`;
}
