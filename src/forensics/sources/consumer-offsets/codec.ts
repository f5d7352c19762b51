/**
 * The records of `__consumer_offsets`, as the group coordinator writes them (Kafka's
 * `GroupMetadataManager`). Big-endian throughout; strings are INT16 length + UTF-8.
 *
 * Key (INT16 version first):
 *   v0, v1  offset commit   group STRING, topic STRING, partition INT32
 *   v2      group metadata  group STRING                   (not a commit: skipped)
 * Value of an offset commit (INT16 version first; a null value is a tombstone: offset deleted):
 *   v0      offset INT64, metadata STRING, commit_timestamp INT64
 *   v1      offset INT64, metadata STRING, commit_timestamp INT64, expire_timestamp INT64
 *   v2      offset INT64, metadata STRING, commit_timestamp INT64
 *   v3      offset INT64, leader_epoch INT32, metadata STRING, commit_timestamp INT64
 */

/** A decoded commit key. */
export interface OffsetCommitKey {
  kind: 'offset-commit';
  version: 0 | 1;
  group: string;
  topic: string;
  partition: number;
}

/** A decoded commit value. */
export interface OffsetCommitValue {
  version: 0 | 1 | 2 | 3;
  offset: bigint;
  metadata: string;
  commitTimestamp: number;
  expireTimestamp?: number;
  leaderEpoch?: number;
}

/** Raised for bytes that are not a key or value of a known version. */
export class OffsetsCodecError extends Error {
  override readonly name = 'OffsetsCodecError';
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new OffsetsCodecError(`record ends at byte ${this.buf.length}, ${n} more needed at ${this.pos}`);
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  int64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  string(): string {
    const len = this.int16();
    if (len < 0) return '';
    this.need(len);
    const v = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return v;
  }
}

/** Decodes a key: an offset commit, or `{ kind: 'group-metadata' }` / `{ kind: 'other' }` to skip. */
export function decodeOffsetKey(key: Buffer): OffsetCommitKey | { kind: 'group-metadata'; group: string } | { kind: 'other'; version: number } {
  const r = new Reader(key);
  const version = r.int16();
  if (version === 0 || version === 1) return { kind: 'offset-commit', version, group: r.string(), topic: r.string(), partition: r.int32() };
  if (version === 2) return { kind: 'group-metadata', group: r.string() };
  return { kind: 'other', version };
}

/** Decodes a commit value of versions 0–3. */
export function decodeOffsetValue(value: Buffer): OffsetCommitValue {
  const r = new Reader(value);
  const version = r.int16();
  switch (version) {
    case 0:
    case 2:
      return { version, offset: r.int64(), metadata: r.string(), commitTimestamp: Number(r.int64()) };
    case 1:
      return { version, offset: r.int64(), metadata: r.string(), commitTimestamp: Number(r.int64()), expireTimestamp: Number(r.int64()) };
    case 3: {
      const offset = r.int64();
      const leaderEpoch = r.int32();
      return { version, offset, leaderEpoch, metadata: r.string(), commitTimestamp: Number(r.int64()) };
    }
    default:
      throw new OffsetsCodecError(`unknown offset commit value version ${version}`);
  }
}

/** Java's `String.hashCode` (UTF-16 code units, int32 overflow). */
function javaHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * The `__consumer_offsets` partition that holds a group's commits: `Utils.abs(hashCode) %
 * partitions`, where Kafka's `Utils.abs` maps Integer.MIN_VALUE to 0 and is Math.abs otherwise.
 */
export function offsetsPartitionFor(group: string, partitions: number): number {
  const h = javaHashCode(group);
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitions;
}
