import { describe, expect, it } from 'vitest';
import { establishWindow } from '../../../src/domain/forensic-window';
import { checkProducerIds, firstOffsets, spansToCheck, writeAccessRecords } from '../../../src/forensics/write-window';
import type { ProduceAccessRecord } from '../../../src/kafka/produce-records';
import type { ReadRecord } from '../../../src/kafka/record-sample';

const produce = (partition: number, from: bigint, to: bigint, producerId = 7n): ProduceAccessRecord => ({
  topic: 'orders', partition, fromOffset: from, toOffset: to, records: Number(to - from), bytes: 100 * Number(to - from), producerId, clientId: 'qa-loadtest', time: 1_000,
});
const records = (from: bigint, to: bigint, producerId: bigint): ReadRecord[] =>
  Array.from({ length: Number(to - from) }, (_, i) => ({ offset: from + BigInt(i), timestamp: 0, key: null, value: null, producerId }));

describe('write window', () => {
  it('confirms a range only when every record carries the claimed producer id', () => {
    const produces = [produce(0, 5n, 7n), produce(0, 12n, 15n), produce(1, 3n, 4n)];
    const read = new Map([
      [0, [...records(5n, 7n, 7n), ...records(12n, 14n, 7n), ...records(14n, 15n, 9n)]],
      [1, [] as ReadRecord[]],
    ]);
    const check = checkProducerIds(produces, read);
    expect([...check.confirmed]).toEqual(['0:5']);
    const labelled = writeAccessRecords(produces, check, 'sandbox-access-log');
    expect(labelled.map((r) => r.precision)).toEqual(['exact', 'bounded', 'bounded']);
    // A contradicted range stays in the window (the broker saw the write) but not as exact.
    const w = establishWindow({ topic: 'orders', partitions: [{ partition: 0, logStartOffset: '0', highWatermark: '20' }, { partition: 1, logStartOffset: '0', highWatermark: '20' }], committed: [], accessRecords: labelled });
    expect(w.partitions.map((p) => [p.partition, p.precision, p.ranges.map((r) => `${r.from}-${r.to}`)])).toEqual([
      [0, 'bounded', ['5-6', '12-14']],
      [1, 'bounded', ['3-3']],
    ]);
  });

  it('merges back-to-back writes into one range and reports the first offset per partition', () => {
    const produces = [produce(2, 10n, 12n), produce(2, 12n, 13n), produce(0, 4n, 6n)];
    const check = checkProducerIds(produces, new Map([[2, records(10n, 13n, 7n)], [0, records(4n, 6n, 7n)]]));
    const w = establishWindow({ topic: 'orders', partitions: [0, 2].map((p) => ({ partition: p, logStartOffset: '0', highWatermark: '30' })), committed: [], accessRecords: writeAccessRecords(produces, check, 'sandbox-access-log') });
    expect(w.partitions.find((p) => p.partition === 2)?.ranges.map((r) => [r.from, r.to, r.records, r.bytes])).toEqual([['10', '12', '3', '300']]);
    expect(firstOffsets(w.partitions)).toEqual({ '0': '4', '2': '10' });
  });

  it('reads only what is still below the log end', () => {
    expect(spansToCheck([produce(0, 8n, 12n), produce(0, 2n, 4n)], new Map([[0, 10n]]))).toEqual([
      { partition: 0, from: 2n, to: 4n },
      { partition: 0, from: 8n, to: 10n },
    ]);
  });
});
