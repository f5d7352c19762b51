import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { produceClaims } from '../../../src/forensics/sources/request-log/produce-source';
import { parseProduceLine, type LoggedProduce } from '../../../src/forensics/sources/request-log/produce-parse';
import { parseRequestLogLine } from '../../../src/forensics/sources/request-log/parse';
import { locateClaims, type ClaimedBatch, type WriteClaim } from '../../../src/forensics/write-window';
import { batchHeaders, lookupBatches } from '../../../src/kafka/direct-fetch/batch-headers';
import { encodeBatch } from '../../../src/sandbox/kafka/log/record-batch';
import { jsonProduceLine, textProduceLine } from '../../../src/sandbox/kafka/forensic-emit/produce-log-lines';

/*
 * The write side of the request log: PRODUCE lines as brokers write them — KIP-673 JSON (Produce v9
 * by topic name from a 3.6 client, v13 by topic id from 4.1, a multi-partition request, errors per
 * partition, acks=0 answered by `""` (3.x) and `null` (4.x), a line cut short) and the older text
 * form (Produce v8 with `numPartitions` at DEBUG, `partitionSizes` at TRACE, an acks=0 line with
 * an empty response, a v5 line of a 2.0 broker without clientInformation) — then the claims they
 * make and their placement by the batch at each base offset.
 */

const fixture = (name: string): string[] => readFileSync(join(__dirname, '../../fixtures/forensics', name), 'utf8').split('\n').filter(Boolean);
const parseAll = (lines: string[]): LoggedProduce[] => lines.map((l) => parseProduceLine(l)).filter((p): p is LoggedProduce => p !== undefined);
const ROGUE = 'User:qa-loadtest';
const ALL_DAY = { since: Date.parse('2026-11-21T00:00:00Z'), until: Date.parse('2026-11-22T00:00:00Z') };

describe('request log — PRODUCE lines, KIP-673 JSON', () => {
  const produces = parseAll(fixture('request-log-produce-kip673.log'));

  it('keeps produces only: not the FETCH line, not the line cut short', () => {
    expect(produces.map((p) => p.correlationId)).toEqual([311, 312, 2, 907, 5120, 5121]);
  });

  it('reads a multi-partition request with its response: base offset per partition, sizes, client', () => {
    expect(produces[0]).toMatchObject({ format: 'json', apiVersion: 9, clientId: 'producer-1', clientAddress: '10.9.8.44', principal: ROGUE, acks: -1, hasResponse: true, time: Date.parse('2026-11-21T09:20:11.031Z') });
    expect(produces[0]?.partitions).toEqual([
      { topic: 'orders', partition: 0, recordsBytes: 1781, baseOffset: 120n, errorCode: 0, logAppendTimeMs: -1 },
      { topic: 'orders', partition: 3, recordsBytes: 612, baseOffset: 47n, errorCode: 0, logAppendTimeMs: -1 },
    ]);
  });

  it('keeps error codes per partition and knows acks=0 lines have no response ("" and null)', () => {
    expect(produces[1]?.partitions.map((p) => [p.topic, p.partition, p.errorCode, p.baseOffset])).toEqual([
      ['payments', 0, 29, -1n],
      ['orders', 1, 19, -1n],
    ]);
    expect(produces[2]).toMatchObject({ acks: 0, hasResponse: false, partitions: [{ topic: 'orders', partition: 2, recordsBytes: 420 }] });
    expect(produces[5]).toMatchObject({ acks: 0, hasResponse: false, partitions: [{ topicId: 'r3IRhpJiTnOM9i0B4tRT5g', partition: 4, recordsBytes: 377 }] });
  });

  it('names Produce v13 topics by id; the broker append time of a LogAppendTime topic is kept', () => {
    expect(produces[4]?.partitions).toEqual([{ topicId: 'r3IRhpJiTnOM9i0B4tRT5g', partition: 2, recordsBytes: 611, baseOffset: 9000n, errorCode: 0, logAppendTimeMs: 1763716815879 }]);
  });

  it('claims only accepted writes of the principal to the topics asked; acks=0 and unknown ids are unlocated', () => {
    const out = produceClaims(produces, { principal: ROGUE, topics: ['orders'], ...ALL_DAY });
    expect(out.claims.map((c) => [c.partition, c.baseOffset, c.bytes, c.clientId])).toEqual([
      [0, 120n, 1781, 'producer-1'],
      [3, 47n, 612, 'producer-1'],
    ]);
    // orders-1 was refused (NOT_ENOUGH_REPLICAS); payments is not asked about.
    expect(out.refused).toBe(1);
    expect(out.unlocated.map((u) => [u.reason, u.topic ?? null, u.partition ?? null])).toEqual([
      ['acks-0', 'orders', 2],
      ['unknown-topic-id', null, 2],
      ['unknown-topic-id', null, 4],
    ]);
    const named = produceClaims(produces, { principal: ROGUE, topics: ['orders'], ...ALL_DAY, topicNames: new Map([['r3IRhpJiTnOM9i0B4tRT5g', 'orders']]) });
    expect(named.claims.map((c) => [c.partition, c.baseOffset])).toEqual([[0, 120n], [3, 47n], [2, 9000n]]);
    expect(named.unlocated.map((u) => [u.reason, u.partition])).toEqual([['acks-0', 2], ['acks-0', 4]]);
  });

  it('lines outside the investigation’s time are not claims; a FETCH parser does not take PRODUCE lines', () => {
    expect(produceClaims(produces, { principal: ROGUE, topics: ['orders'], since: Date.parse('2026-11-21T09:20:12Z'), until: ALL_DAY.until }).claims).toEqual([]);
    expect(fixture('request-log-produce-kip673.log').map((l) => parseRequestLogLine(l)).filter(Boolean)).toHaveLength(1);
  });
});

describe('request log — PRODUCE lines, older text form', () => {
  const produces = parseAll(fixture('request-log-produce-text.log'));

  it('reads the response Struct (DEBUG gives the request only as numPartitions)', () => {
    expect(produces.map((p) => p.correlationId)).toEqual([311, 312, 2, 313, 907]);
    expect(produces[0]).toMatchObject({ format: 'text', apiVersion: 8, clientId: 'producer-1', principal: ROGUE, acks: -1, partitionCount: 2, hasResponse: true });
    expect(produces[0]?.partitions).toEqual([
      { topic: 'orders', partition: 0, baseOffset: 120n, errorCode: 0, logAppendTimeMs: -1 },
      { topic: 'orders', partition: 3, baseOffset: 47n, errorCode: 0, logAppendTimeMs: -1 },
    ]);
  });

  it('an acks=0 line names no partition; a TRACE line gives the sizes; a 2.0 line has no clientInformation', () => {
    expect(produces[2]).toMatchObject({ acks: 0, hasResponse: false, partitions: [], partitionCount: 1 });
    expect(produces[3]?.partitions.map((p) => [p.partition, p.recordsBytes, p.baseOffset])).toEqual([
      [1, 731, 88n],
      [2, 402, 64n],
    ]);
    expect(produces[4]).toMatchObject({ principal: 'User:order-service', apiVersion: 5, partitions: [{ topic: 'orders', partition: 0, baseOffset: 131n, errorCode: 0 }] });
  });

  it('gives the same claims as the JSON form, and an acks=0 produce as unlocated with its partition count', () => {
    const out = produceClaims(produces, { principal: ROGUE, topics: ['orders'], ...ALL_DAY });
    expect(out.claims.map((c) => [c.partition, c.baseOffset])).toEqual([[0, 120n], [3, 47n], [1, 88n], [2, 64n]]);
    expect(out.refused).toBe(1);
    expect(out.unlocated).toEqual([{ source: 'request-log', partitions: 1, clientId: 'producer-2', time: Date.parse('2026-11-21T09:20:12.502Z'), reason: 'acks-0' }]);
  });
});

describe('placing claims by the batch at each base offset', () => {
  const claim = (partition: number, baseOffset: bigint): WriteClaim => ({ source: 'request-log', topic: 'orders', partition, baseOffset, bytes: 500, clientId: 'producer-1', time: 1_000 });
  const batch = (baseOffset: bigint, lastOffsetDelta: number, producerId: bigint): ClaimedBatch => ({ baseOffset, lastOffsetDelta, producerId, bytes: 400 + lastOffsetDelta, control: false });

  it('exact where the batch starts there with the principal’s producer id; bounded, never dropped, otherwise', () => {
    const claims = [claim(0, 10n), claim(0, 20n), claim(0, 30n), claim(1, 5n), claim(1, 9n), claim(2, 40n)];
    const batches = new Map<string, ClaimedBatch | undefined>([
      ['0:10', batch(10n, 2, 7n)],
      ['0:20', batch(20n, 0, 7n)],
      // Another producer's batch sits where the log said the principal's went (a rewritten log).
      ['0:30', batch(30n, 3, 9n)],
      // Gone (deleted, aged out): bounded by the principal's next logged base offset there.
      ['1:5', undefined],
      ['1:9', batch(9n, 1, 7n)],
      // The offset lies inside a batch that starts earlier: not this produce's batch.
      ['2:40', batch(38n, 4, 7n)],
    ]);
    const out = locateClaims(claims, batches, new Map([[0, 100n], [1, 100n], [2, 100n]]));
    expect(out.producerId).toBe('7');
    expect(out.records.map((r) => [r.partition, String(r.fromOffset), String(r.toOffset), r.records, r.precision, r.sources?.join('+')])).toEqual([
      [0, '10', '13', '3', 'exact', 'request-log+record-batch-producer-id'],
      [0, '20', '21', '1', 'exact', 'request-log+record-batch-producer-id'],
      [0, '30', '34', '4', 'bounded', 'request-log'],
      [1, '5', '9', '4', 'bounded', 'request-log'],
      [1, '9', '11', '2', 'exact', 'request-log+record-batch-producer-id'],
      [2, '40', '43', '3', 'bounded', 'request-log'],
    ]);
    expect(out.bounded.map((b) => b.reason)).toEqual(['other-producer-id', 'batch-gone', 'not-a-batch-start']);
    // Exact ranges carry the stored batch's size; bounded ones what the producer said it sent.
    expect(out.records.map((r) => r.bytes)).toEqual(['402', '400', '500', '500', '401', '500']);
  });

  it('a gone batch with no later produce of the principal is bounded by the log end', () => {
    const out = locateClaims([claim(3, 70n)], new Map([['3:70', undefined]]), new Map([[3, 75n]]));
    expect(out.records.map((r) => [String(r.fromOffset), String(r.toOffset), r.precision])).toEqual([['70', '75', 'bounded']]);
    expect(out.producerId).toBeUndefined();
  });
});

describe('batch headers and the lookup by offset', () => {
  const rec = (n: number): Array<{ key: null; value: Buffer; timestamp: number }> => Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`r${i}`), timestamp: 1_000 + i }));
  const at = (base: bigint, n: number, producerId: bigint): Buffer => {
    const b = encodeBatch(rec(n));
    b.writeBigInt64BE(base, 0);
    b.writeBigInt64BE(producerId, 43);
    return b;
  };

  it('reads base offset, extent, producer id and size without decoding records; a cut header is not read', () => {
    const set = Buffer.concat([at(10n, 3, 7n), at(13n, 2, 9n)]);
    expect(batchHeaders(set).map((h) => [h.baseOffset, h.lastOffsetDelta, h.producerId, h.control])).toEqual([
      [10n, 2, 7n, false],
      [13n, 1, 9n, false],
    ]);
    expect(batchHeaders(set.subarray(0, set.length - 3)).length).toBe(2);
    expect(batchHeaders(set.subarray(0, 40)).length).toBe(0);
  });

  it('settles several offsets of a partition from one answer, and out-of-range offsets as gone', async () => {
    const log = Buffer.concat([at(10n, 3, 7n), at(13n, 2, 9n), at(15n, 1, 7n)]);
    const asked: Array<Array<[number, bigint]>> = [];
    const out = await lookupBatches([{ partition: 0, offset: 13n }, { partition: 0, offset: 10n }, { partition: 1, offset: 2n }], {
      edgeBytes: 16_384,
      grow: (c) => c * 2,
      fetch: (wants) => {
        asked.push(wants.map((w) => [w.partition, w.offset]));
        return Promise.resolve(new Map(wants.map((w) => [w.partition, w.partition === 0 ? { errorCode: 0, highWatermark: 16n, records: log } : { errorCode: 1, highWatermark: 9n, records: Buffer.alloc(0) }])));
      },
    });
    expect(asked).toEqual([[[0, 10n], [1, 2n]]]);
    expect(out.get('0:10')?.producerId).toBe(7n);
    expect(out.get('0:13')?.producerId).toBe(9n);
    expect(out.has('1:2') && out.get('1:2') === undefined).toBe(true);
  });
});

describe('the sandbox’s PRODUCE lines parse as the real ones do', () => {
  const ctx = { time: Date.parse('2026-11-21T09:20:11.031Z'), apiVersion: 7, clientId: 'qa-loadtest', correlationId: 5, connection: '127.0.0.1:9092-127.0.0.1:50000-3', principal: ROGUE, listener: 'SASL_PLAINTEXT', securityProtocol: 'SASL_PLAINTEXT', totalTimeMs: 1 };
  const req = { transactionalId: null, acks: -1, timeoutMs: 30000, topics: [{ name: 'orders', partitions: [{ partition: 0, records: Buffer.alloc(300) }, { partition: 4, records: Buffer.alloc(200) }] }] };
  const res = { topics: [{ name: 'orders', partitions: [{ partition: 0, errorCode: 0, baseOffset: 12n, logAppendTime: -1n, logStartOffset: 0n }, { partition: 4, errorCode: 29, baseOffset: -1n, logAppendTime: -1n, logStartOffset: -1n }] }] };

  it('in both formats, with and without a response', () => {
    for (const line of [jsonProduceLine(ctx, req, res), textProduceLine(ctx, req, res)]) {
      const out = produceClaims([parseProduceLine(line) as LoggedProduce], { principal: ROGUE, topics: ['orders'], ...ALL_DAY });
      expect(out.claims.map((c) => [c.partition, c.baseOffset])).toEqual([[0, 12n]]);
      expect(out.refused).toBe(1);
    }
    expect(parseProduceLine(jsonProduceLine(ctx, { ...req, acks: 0 }, null))).toMatchObject({ hasResponse: false, acks: 0 });
    expect(parseProduceLine(textProduceLine(ctx, { ...req, acks: 0 }, null))).toMatchObject({ hasResponse: false, acks: 0, partitions: [], partitionCount: 2 });
  });
});
