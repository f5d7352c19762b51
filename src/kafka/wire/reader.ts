import { KafkaProtocolError } from './errors';

/**
 * Reads Kafka wire payloads. Every read checks bounds and throws {@link KafkaProtocolError} on
 * underflow or malformed lengths, so a server can turn bad input into a closed connection.
 */
export class KafkaReader {
  /** Position of the next byte to read. */
  offset: number;

  constructor(
    private readonly buf: Buffer,
    offset = 0,
  ) {
    this.offset = offset;
  }

  private take(n: number): number {
    if (n < 0 || this.offset + n > this.buf.length) {
      throw new KafkaProtocolError(`buffer underflow: need ${n} bytes at ${this.offset}, have ${this.buf.length - this.offset}`);
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  /** Bytes left after the current position. */
  remaining(): number {
    return this.buf.length - this.offset;
  }

  int8(): number {
    return this.buf.readInt8(this.take(1));
  }
  int16(): number {
    return this.buf.readInt16BE(this.take(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.take(4));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.take(4));
  }
  int64(): bigint {
    return this.buf.readBigInt64BE(this.take(8));
  }
  boolean(): boolean {
    return this.int8() !== 0;
  }

  /** Unsigned LEB128, at most 5 bytes. */
  uvarint(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.buf[this.take(1)] as number;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (result > 0xffffffff) throw new KafkaProtocolError('uvarint out of range');
        return result;
      }
    }
    throw new KafkaProtocolError('uvarint longer than 5 bytes');
  }
  /** Zigzag signed 32-bit varint. */
  varint(): number {
    const n = this.uvarint();
    return (n >>> 1) ^ -(n & 1);
  }
  /** Zigzag signed 64-bit varint. */
  varlong(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.buf[this.take(1)] as number;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        const u = BigInt.asUintN(64, result);
        return BigInt.asIntN(64, (u >> 1n) ^ -(u & 1n));
      }
    }
    throw new KafkaProtocolError('varlong longer than 10 bytes');
  }

  string(): string | null {
    const len = this.int16();
    if (len === -1) return null;
    if (len < -1) throw new KafkaProtocolError(`invalid string length ${len}`);
    const at = this.take(len);
    return this.buf.toString('utf8', at, at + len);
  }
  compactString(): string | null {
    const len = this.uvarint() - 1;
    if (len === -1) return null;
    const at = this.take(len);
    return this.buf.toString('utf8', at, at + len);
  }
  /** INT32-length bytes, returned as a view on the input (no copy). */
  bytes(): Buffer | null {
    const len = this.int32();
    if (len === -1) return null;
    if (len < -1) throw new KafkaProtocolError(`invalid bytes length ${len}`);
    const at = this.take(len);
    return this.buf.subarray(at, at + len);
  }
  compactBytes(): Buffer | null {
    const len = this.uvarint() - 1;
    if (len === -1) return null;
    const at = this.take(len);
    return this.buf.subarray(at, at + len);
  }
  /** Raw bytes view of the given length. */
  raw(len: number): Buffer {
    const at = this.take(len);
    return this.buf.subarray(at, at + len);
  }

  array<T>(each: (r: KafkaReader) => T): T[] | null {
    const n = this.int32();
    if (n === -1) return null;
    return this.items(n, each);
  }
  compactArray<T>(each: (r: KafkaReader) => T): T[] | null {
    const n = this.uvarint() - 1;
    if (n === -1) return null;
    return this.items(n, each);
  }
  private items<T>(n: number, each: (r: KafkaReader) => T): T[] {
    // Every element takes at least one byte, so a count beyond the remaining bytes is malformed;
    // checking first stops a forged count from allocating a huge array.
    if (n < 0 || n > this.remaining()) throw new KafkaProtocolError(`invalid array length ${n}`);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(each(this));
    return out;
  }
  /** Skips a tagged-field section (fields the reader does not know are ignored, as Kafka does). */
  skipTagBuffer(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.take(this.uvarint());
    }
  }
}
