import { describe, expect, it } from 'vitest';
import { accessRecordsOf, mergeObservations, type AccessObservation } from '../../../src/domain/access-observations';
import { establishWindow } from '../../../src/domain/forensic-window';

/*
 * Merging what several access-record sources say about one partition: exact sources win, looser
 * ones are intersected (each contains the truth), each result names its precision and sources,
 * and the window computed from the merge carries the label.
 */

const obs = (source: string, from: number, to: number, precision: AccessObservation['precision'], extra: Partial<AccessObservation> = {}): AccessObservation => ({
  source, principal: 'User:x', topic: 't', partition: 0, from: String(from), to: String(to), time: 1000, precision, ...extra,
});

describe('mergeObservations', () => {
  it('exact wins: the union of exact ranges, supported by looser sources that contain it', () => {
    const merged = mergeObservations([obs('request-log', 100, 160, 'exact'), obs('request-log', 160, 210, 'exact'), obs('consumer-offsets', 50, 400, 'bounded'), obs('confluent-audit', 150, 400, 'time-derived')]);
    expect(merged).toEqual([{ topic: 't', partition: 0, ranges: [{ from: '100', to: '210' }], precision: 'exact', sources: ['consumer-offsets', 'request-log'], lastSeen: 1000 }]);
  });

  it('a request log with a bounded tail is bounded as a whole; then looser claims are intersected', () => {
    const merged = mergeObservations([obs('request-log', 100, 160, 'exact'), obs('request-log', 160, 400, 'bounded'), obs('confluent-audit', 0, 300, 'time-derived')]);
    expect(merged[0]).toMatchObject({ ranges: [{ from: '100', to: '300' }], precision: 'bounded', sources: ['confluent-audit', 'request-log'] });
  });

  it('time-derived alone stays time-derived', () => {
    expect(mergeObservations([obs('confluent-audit', 10, 90, 'time-derived')])[0]).toMatchObject({ precision: 'time-derived', ranges: [{ from: '10', to: '90' }] });
  });

  it('disjoint containing claims (a wrong assumption somewhere) keep everything, at the worst precision', () => {
    expect(mergeObservations([obs('consumer-offsets', 0, 10, 'bounded'), obs('confluent-audit', 20, 30, 'time-derived')])[0]).toMatchObject({
      ranges: [{ from: '0', to: '10' }, { from: '20', to: '30' }],
      precision: 'time-derived',
    });
  });

  it('merges partitions and topics independently and drops empty ranges', () => {
    const merged = mergeObservations([obs('a', 5, 5, 'exact'), obs('a', 0, 3, 'exact', { partition: 2 }), obs('a', 0, 3, 'exact', { topic: 'b' })]);
    expect(merged.map((m) => [m.topic, m.partition])).toEqual([['b', 0], ['t', 2]]);
  });
});

describe('the window from merged observations', () => {
  const partitions = [{ partition: 0, logStartOffset: '0', highWatermark: '400' }];

  it('keeps exact fetches with their bytes and labels the partition exact', () => {
    const observations = [obs('request-log', 100, 160, 'exact', { bytes: '600' }), obs('request-log', 160, 210, 'exact', { bytes: '500' })];
    const [merged] = mergeObservations(observations);
    const window = establishWindow({ topic: 't', partitions, accessRecords: accessRecordsOf(merged!, observations) });
    expect(window.partitions[0]).toMatchObject({ from: '100', to: '209', records: '110', bytes: '1100', precision: 'exact', sources: ['request-log'] });
    expect(window.bytesExact).toBe(true);
  });

  it('estimates bytes of bounded ranges and says so', () => {
    const observations = [obs('consumer-offsets', 100, 400, 'bounded')];
    const [merged] = mergeObservations(observations);
    const window = establishWindow({ topic: 't', partitions, accessRecords: accessRecordsOf(merged!, observations), averageRecordBytes: 10 });
    expect(window.partitions[0]).toMatchObject({ from: '100', to: '399', bytes: '3000', precision: 'bounded', sources: ['consumer-offsets'] });
    expect(window.bytesExact).toBe(false);
  });

  it('a commit beyond the exact ranges makes the partition bounded, with the commits named', () => {
    const observations = [obs('request-log', 100, 160, 'exact', { bytes: '600' })];
    const [merged] = mergeObservations(observations);
    const window = establishWindow({ topic: 't', partitions, accessRecords: accessRecordsOf(merged!, observations), committed: [{ groupId: 'g', partition: 0, offset: '250' }], readStart: { 0: '100' }, averageRecordBytes: 10 });
    expect(window.partitions[0]).toMatchObject({ from: '100', to: '249', precision: 'bounded', sources: ['committed-offsets', 'request-log'] });
  });

  it('unlabelled records (callers before the sources existed) produce no label', () => {
    const window = establishWindow({ topic: 't', partitions, accessRecords: [{ partition: 0, fromOffset: '0', toOffset: '10', records: '10', bytes: '100', time: 1 }] });
    expect(window.partitions[0]?.precision).toBeUndefined();
    expect(window.partitions[0]?.sources).toBeUndefined();
  });
});
