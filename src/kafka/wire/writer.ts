/**
 * Builds Kafka wire payloads (big-endian fixed ints, zigzag varints, classic and compact types).
 * Chunks are collected and concatenated once in {@link KafkaWriter.build}, which keeps writes
 * cheap for large record payloads that are appended by reference.
 */
export class KafkaWriter {
  private readonly chunks: Buffer[] = [];
  private scratch = Buffer.allocUnsafe(256);
  private used = 0;
  private total = 0;

  private reserve(n: number): Buffer {
    if (this.used + n > this.scratch.length) {
      this.flushScratch();
      if (n > this.scratch.length) this.scratch = Buffer.allocUnsafe(Math.max(n, 256));
    }
    return this.scratch;
  }

  private flushScratch(): void {
    if (this.used > 0) {
      this.chunks.push(Buffer.from(this.scratch.subarray(0, this.used)));
      this.scratch = Buffer.allocUnsafe(this.scratch.length);
      this.used = 0;
    }
  }

  private advance(n: number): this {
    this.used += n;
    this.total += n;
    return this;
  }

  /** Total bytes written so far. */
  get length(): number {
    return this.total;
  }

  int8(v: number): this {
    this.reserve(1).writeInt8(v, this.used);
    return this.advance(1);
  }
  int16(v: number): this {
    this.reserve(2).writeInt16BE(v, this.used);
    return this.advance(2);
  }
  int32(v: number): this {
    this.reserve(4).writeInt32BE(v, this.used);
    return this.advance(4);
  }
  uint32(v: number): this {
    this.reserve(4).writeUInt32BE(v >>> 0, this.used);
    return this.advance(4);
  }
  int64(v: bigint): this {
    this.reserve(8).writeBigInt64BE(BigInt.asIntN(64, v), this.used);
    return this.advance(8);
  }
  boolean(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  /** Unsigned LEB128 (no zigzag), as used by compact lengths and tagged fields. */
  uvarint(v: number): this {
    const buf = this.reserve(5);
    let n = v >>> 0;
    let i = this.used;
    while (n >= 0x80) {
      buf[i++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[i++] = n;
    return this.advance(i - this.used);
  }
  /** Zigzag-encoded signed 32-bit varint (record fields). */
  varint(v: number): this {
    return this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }
  /** Zigzag-encoded signed 64-bit varint. */
  varlong(v: bigint): this {
    let n = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    const buf = this.reserve(10);
    let i = this.used;
    while (n >= 0x80n) {
      buf[i++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    buf[i++] = Number(n);
    return this.advance(i - this.used);
  }

  /** INT16 length + UTF-8; null is length -1. */
  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const b = Buffer.from(v, 'utf8');
    return this.int16(b.length).raw(b);
  }
  /** UVARINT(length + 1) + UTF-8; null is 0. */
  compactString(v: string | null): this {
    if (v === null) return this.uvarint(0);
    const b = Buffer.from(v, 'utf8');
    return this.uvarint(b.length + 1).raw(b);
  }
  /** INT32 length + bytes; null is length -1. */
  bytes(v: Buffer | null): this {
    if (v === null) return this.int32(-1);
    return this.int32(v.length).raw(v);
  }
  /** UVARINT(length + 1) + bytes; null is 0. */
  compactBytes(v: Buffer | null): this {
    if (v === null) return this.uvarint(0);
    return this.uvarint(v.length + 1).raw(v);
  }
  /** INT32 count + items; null is -1. */
  array<T>(items: readonly T[] | null, each: (w: KafkaWriter, item: T) => void): this {
    if (items === null) return this.int32(-1);
    this.int32(items.length);
    for (const item of items) each(this, item);
    return this;
  }
  /** UVARINT(count + 1) + items; null is 0. */
  compactArray<T>(items: readonly T[] | null, each: (w: KafkaWriter, item: T) => void): this {
    if (items === null) return this.uvarint(0);
    this.uvarint(items.length + 1);
    for (const item of items) each(this, item);
    return this;
  }
  /** Writes an empty tagged-field section (zero tagged fields). */
  tagBuffer(): this {
    return this.uvarint(0);
  }
  /** Appends bytes as they are; large buffers are kept by reference, not copied. */
  raw(buf: Buffer): this {
    if (buf.length <= 64) {
      buf.copy(this.reserve(buf.length), this.used);
      return this.advance(buf.length);
    }
    this.flushScratch();
    this.chunks.push(buf);
    this.total += buf.length;
    return this;
  }
  /** The payload written so far. */
  build(): Buffer {
    this.flushScratch();
    return this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.total);
  }
  /**
   * The framed payload as a list of buffers (size prefix first) without concatenating them, so a
   * server can hand large referenced payloads to the socket without copying them.
   */
  framedChunks(): Buffer[] {
    this.flushScratch();
    const size = Buffer.allocUnsafe(4);
    size.writeInt32BE(this.total, 0);
    return [size, ...this.chunks];
  }
  /** The payload prefixed with its INT32 size, as sent on the wire. */
  buildFramed(): Buffer {
    this.flushScratch();
    const size = Buffer.allocUnsafe(4);
    size.writeInt32BE(this.total, 0);
    return Buffer.concat([size, ...this.chunks], this.total + 4);
  }
}
