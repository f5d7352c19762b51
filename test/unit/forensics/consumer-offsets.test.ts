import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeOffsetKey, decodeOffsetValue, offsetsPartitionFor, OffsetsCodecError } from '../../../src/forensics/sources/consumer-offsets/codec';

/*
 * `__consumer_offsets` records, laid out by Kafka's GroupMetadataManager schemas (the fixture
 * states the layout; the bytes were written from it independently of the decoder): commit keys
 * v0/v1, values v0–v3, a group-metadata key v2 to skip and a tombstone.
 */

interface FixtureRecord {
  note: string;
  key: string;
  value: string | null;
}
const records = (JSON.parse(readFileSync(join(__dirname, '../../fixtures/forensics/consumer-offsets-records.json'), 'utf8')) as { records: FixtureRecord[] }).records;
const hex = (s: string): Buffer => Buffer.from(s, 'hex');

describe('__consumer_offsets codec', () => {
  it('decodes commit keys v1 and v0', () => {
    expect(decodeOffsetKey(hex((records[0] as FixtureRecord).key))).toEqual({ kind: 'offset-commit', version: 1, group: 'report-exporter', topic: 'orders', partition: 3 });
    expect(decodeOffsetKey(hex((records[2] as FixtureRecord).key))).toEqual({ kind: 'offset-commit', version: 0, group: 'legacy', topic: 'orders', partition: 0 });
  });

  it('decodes values v3 (leader epoch), v1 (expire timestamp), v0 and v2', () => {
    expect(decodeOffsetValue(hex((records[0] as FixtureRecord).value as string))).toEqual({ version: 3, offset: 420n, leaderEpoch: 0, metadata: '', commitTimestamp: 1795252502114 });
    expect(decodeOffsetValue(hex((records[1] as FixtureRecord).value as string))).toEqual({ version: 1, offset: 380n, metadata: 'm', commitTimestamp: 1795252400000, expireTimestamp: 1795338800000 });
    expect(decodeOffsetValue(hex((records[2] as FixtureRecord).value as string))).toEqual({ version: 0, offset: 17n, metadata: '', commitTimestamp: 1430000000000 });
    expect(decodeOffsetValue(hex((records[3] as FixtureRecord).value as string))).toEqual({ version: 2, offset: 9n, metadata: '', commitTimestamp: 1795252000000 });
  });

  it('recognises group-metadata keys (v2) as not commits', () => {
    expect(decodeOffsetKey(hex((records[4] as FixtureRecord).key))).toEqual({ kind: 'group-metadata', group: 'report-exporter' });
  });

  it('rejects truncated records and unknown value versions with a codec error, not a crash', () => {
    const v3 = (records[0] as FixtureRecord).value as string;
    expect(() => decodeOffsetValue(hex(v3.slice(0, 12)))).toThrow(OffsetsCodecError);
    expect(() => decodeOffsetValue(hex('0009' + v3.slice(4)))).toThrow(/version 9/);
    expect(() => decodeOffsetKey(hex('00'))).toThrow(OffsetsCodecError);
  });

  it('places a group on the partition Kafka does (abs(String.hashCode) % partitions)', () => {
    // "hello".hashCode() is 99162322 in Java; 99162322 % 50 = 22.
    expect(offsetsPartitionFor('hello', 50)).toBe(22);
    // A negative hash: "polygenelubricants".hashCode() is Integer.MIN_VALUE, Utils.abs maps it to 0.
    expect(offsetsPartitionFor('polygenelubricants', 50)).toBe(0);
    // "analytics-consumer".hashCode() is -1043791267: abs → 1043791267 % 50 = 17 (a bit mask would give 31).
    expect(offsetsPartitionFor('analytics-consumer', 50)).toBe(17);
  });
});
