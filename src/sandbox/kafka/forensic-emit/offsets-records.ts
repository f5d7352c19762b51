/**
 * `__consumer_offsets` records as Kafka's group coordinator writes an offset commit: key v1
 * (INT16 1, group STRING, topic STRING, partition INT32) and value v3 (INT16 3, offset INT64,
 * leader_epoch INT32, metadata STRING, commit_timestamp INT64); strings are INT16 length + UTF-8.
 * Written here independently of the reader in src/forensics, so the two cannot share a mistake;
 * the reader's fixtures come from the schema, not from this encoder.
 */

function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeInt16BE(b.length);
  return Buffer.concat([len, b]);
}

/** The commit key (v1). */
export function commitKey(group: string, topic: string, partition: number): Buffer {
  const version = Buffer.alloc(2);
  version.writeInt16BE(1);
  const p = Buffer.alloc(4);
  p.writeInt32BE(partition);
  return Buffer.concat([version, str(group), str(topic), p]);
}

/** The commit value (v3). */
export function commitValue(offset: bigint, metadata: string, commitTimestamp: number, leaderEpoch = -1): Buffer {
  const head = Buffer.alloc(2 + 8 + 4);
  head.writeInt16BE(3, 0);
  head.writeBigInt64BE(offset, 2);
  head.writeInt32BE(leaderEpoch, 10);
  const ts = Buffer.alloc(8);
  ts.writeBigInt64BE(BigInt(commitTimestamp));
  return Buffer.concat([head, str(metadata), ts]);
}

/** Java's String.hashCode. */
function hashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** The partition of `__consumer_offsets` for a group (Kafka's `Utils.abs(hashCode) % n`). */
export function partitionForGroup(group: string, partitions: number): number {
  const h = hashCode(group);
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitions;
}
