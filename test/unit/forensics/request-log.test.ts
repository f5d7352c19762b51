import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientAddressOf, lineTime, parseRequestLogLine, type LoggedFetch } from '../../../src/forensics/sources/request-log/parse';
import { fetchRanges } from '../../../src/forensics/sources/request-log/ranges';
import { rotationOrder, shippedLine } from '../../../src/forensics/sources/request-log/source';

/*
 * The request-log parser on lines in the formats brokers write: KIP-673 JSON (Kafka 2.8+, the
 * generated message JSON with records as `recordsSizeInBytes`, Fetch v12 by topic name and v15 by
 * topic id, an incremental fetch session, a follower fetch, a non-fetch line) and the older text
 * form (Struct snake_case, the hand-written 2.x FetchRequest description, the camelCase
 * generated toString, and KIP-673's own documented LIST_OFFSETS example), then the ranges the
 * successive fetch offsets give.
 */

const fixture = (name: string): string[] => readFileSync(join(__dirname, '../../fixtures/forensics', name), 'utf8').split('\n').filter(Boolean);
const parseAll = (lines: string[]): LoggedFetch[] => lines.map((l) => parseRequestLogLine(l)).filter((f): f is LoggedFetch => f !== undefined);

describe('request log — KIP-673 JSON lines', () => {
  const fetches = parseAll(fixture('request-log-kip673.log'));

  it('keeps consumer fetches only: not LIST_OFFSETS, not a follower (replicaId ≥ 0)', () => {
    expect(fetches.map((f) => f.correlationId)).toEqual([41, 42, 43, 7]);
    expect(fetches.every((f) => f.format === 'json')).toBe(true);
  });

  it('reads header, connection, principal, time and every partition with its response', () => {
    const first = fetches[0] as LoggedFetch;
    expect(first).toMatchObject({ apiVersion: 12, clientId: 'report-exporter', connection: '10.0.0.5:9092-10.9.8.7:53122-12', clientAddress: '10.9.8.7', principal: 'User:report-exporter', time: Date.parse('2026-11-21T09:15:02.114Z'), hasResponse: true });
    expect(first.partitions).toEqual([
      { topic: 'orders', partition: 0, fetchOffset: 100n, highWatermark: 400n, errorCode: 0, recordsBytes: 5120 },
      { topic: 'orders', partition: 1, fetchOffset: 50n, highWatermark: 90n, errorCode: 0, recordsBytes: 2048 },
    ]);
  });

  it('names Fetch v13+ topics by id and reads the replica id from replicaState (v15)', () => {
    const v15 = fetches[3] as LoggedFetch;
    expect(v15.apiVersion).toBe(15);
    expect(v15.partitions).toEqual([{ topicId: 'r3IRhpJiTnOM9i0B4tRT5g', partition: 2, fetchOffset: 0n, highWatermark: 75n, errorCode: 0, recordsBytes: 3000 }]);
  });

  it('gives exact ranges from successive offsets, nothing for an empty answer, and a bounded tail otherwise', () => {
    const ranges = fetchRanges(fetches, { principal: 'User:report-exporter', topics: ['orders'], topicNames: new Map([['r3IRhpJiTnOM9i0B4tRT5g', 'orders']]) });
    const brief = ranges.map((r) => [r.partition, r.from, r.to, r.precision, r.bytes ?? null]);
    expect(brief).toEqual(
      expect.arrayContaining([
        [0, '100', '160', 'exact', '5120'],
        [0, '160', '210', 'exact', '4096'],
        [1, '50', '90', 'exact', '2048'],
        // The v15 consumer's only fetch returned 3000 bytes: where they ended is unknown → up to the high watermark.
        [2, '0', '75', 'bounded', '3000'],
      ]),
    );
    expect(ranges).toHaveLength(4);
    expect(ranges.find((r) => r.partition === 2)?.clientId).toBe('console-consumer');
  });

  it('without the topic id mapping, lines naming topics by id are not attributed to a topic', () => {
    const ranges = fetchRanges(fetches, { principal: 'User:report-exporter', topics: ['orders'] });
    expect(ranges.some((r) => r.partition === 2)).toBe(false);
  });

  it('keeps only the principal asked for and lines inside [since, until]', () => {
    expect(fetchRanges(fetches, { principal: 'User:someone-else', topics: ['orders'] })).toEqual([]);
    const late = fetchRanges(fetches, { principal: 'User:report-exporter', topics: ['orders'], since: Date.parse('2026-11-21T09:15:02.150Z') });
    expect(late.map((r) => [r.partition, r.from, r.to, r.precision])).toEqual([[0, '160', '210', 'exact']]);
  });
});

describe('request log — the older text form', () => {
  const fetches = parseAll(fixture('request-log-text.log'));

  it('parses Struct (snake_case), hand-written FetchRequest and camelCase toString lines; skips other APIs', () => {
    expect(fetches.map((f) => [f.format, f.correlationId])).toEqual([['text', 17], ['text', 18], ['text', 19], ['text', 3]]);
    expect(fetches[0]?.partitions).toEqual([{ topic: 'orders', partition: 0, fetchOffset: 100n, highWatermark: 400n, errorCode: 0, recordsBytes: 5120 }]);
    expect(fetches[2]?.partitions).toEqual([{ topic: 'orders', partition: 0, fetchOffset: 210n, highWatermark: 400n, errorCode: 0, recordsBytes: 0 }]);
    expect(fetches[3]?.partitions).toEqual([{ topic: 'payments', partition: 4, fetchOffset: 7n, highWatermark: 12n, errorCode: 0, recordsBytes: 640 }]);
  });

  it('keeps a principal that contains commas (a TLS distinguished name) whole', () => {
    expect(fetches[3]?.principal).toBe('User:CN=tls-app,OU=payments,O=Example Corp');
    expect(fetches[3]?.clientAddress).toBe('10.9.8.9');
  });

  it('yields the same exact ranges as the JSON form for the same fetches', () => {
    const ranges = fetchRanges(fetches, { principal: 'User:report-exporter', topics: ['orders'] });
    expect(ranges.map((r) => [r.partition, r.from, r.to, r.precision, r.bytes])).toEqual([
      [0, '100', '160', 'exact', '5120'],
      [0, '160', '210', 'exact', '4096'],
    ]);
  });
});

describe('request log — details', () => {
  it('reads log4j times in the broker time zone and ISO prefixes', () => {
    expect(lineTime('[2026-11-21 09:15:02,114] DEBUG x')).toBe(Date.parse('2026-11-21T09:15:02.114Z'));
    expect(lineTime('[2026-11-21 10:15:02,114] DEBUG x', 60)).toBe(Date.parse('2026-11-21T09:15:02.114Z'));
    expect(lineTime('2026-11-21T09:15:02.114Z DEBUG x')).toBe(Date.parse('2026-11-21T09:15:02.114Z'));
    expect(lineTime('no time here')).toBeUndefined();
  });

  it('takes the client address from connection ids of every broker generation', () => {
    expect(clientAddressOf('127.0.0.1:62610-127.0.0.1:62622-3')).toBe('127.0.0.1');
    expect(clientAddressOf('172.80.0.11:9092-172.80.0.43:52486-0-4')).toBe('172.80.0.43');
    expect(clientAddressOf('garbage')).toBeUndefined();
  });

  it('ignores lines cut short and lines that are not request-log lines', () => {
    const line = fixture('request-log-kip673.log')[1] as string;
    expect(parseRequestLogLine(line.slice(0, 300))).toBeUndefined();
    expect(parseRequestLogLine('[2026-11-21 09:15:02,114] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)')).toBeUndefined();
  });

  it('unwraps lines shipped to a topic as JSON envelopes (e.g. a log shipper\'s `message`)', () => {
    expect(shippedLine(Buffer.from(JSON.stringify({ message: 'Completed request:x', host: 'b1' })))).toBe('Completed request:x');
    expect(shippedLine(Buffer.from('[2026-11-21 09:15:02,114] DEBUG Completed request:{}'))).toBe('[2026-11-21 09:15:02,114] DEBUG Completed request:{}');
    expect(shippedLine(null)).toBeUndefined();
  });

  it('a seek backwards after records were served leaves the earlier answer as a bounded tail', () => {
    const f = (offset: bigint, bytes: number, corr: number): LoggedFetch => ({
      format: 'json', time: corr, apiVersion: 12, clientId: 'c', correlationId: corr, connection: 'b:1-c:2-0', principal: 'User:x', hasResponse: true,
      partitions: [{ topic: 't', partition: 0, fetchOffset: offset, highWatermark: 500n, errorCode: 0, recordsBytes: bytes }],
    });
    const ranges = fetchRanges([f(300n, 100, 1), f(10n, 100, 2), f(40n, 0, 3)], { principal: 'User:x', topics: ['t'] });
    expect(ranges.map((r) => [r.from, r.to, r.precision])).toEqual([['300', '500', 'bounded'], ['10', '40', 'exact']]);
  });
});

describe('request log — rotated files', () => {
  it('reads numbered backups oldest first, dated ones in date order, the live file last', () => {
    const files = ['kafka-request.log', 'kafka-request.log.1', 'kafka-request.log.10', 'kafka-request.log.2'];
    expect([...files].sort(rotationOrder)).toEqual(['kafka-request.log.10', 'kafka-request.log.2', 'kafka-request.log.1', 'kafka-request.log']);
    const dated = ['kafka-request.log', 'kafka-request.log.2026-11-21-13', 'kafka-request.log.2026-11-21-12'];
    expect([...dated].sort(rotationOrder)).toEqual(['kafka-request.log.2026-11-21-12', 'kafka-request.log.2026-11-21-13', 'kafka-request.log']);
  });
});
