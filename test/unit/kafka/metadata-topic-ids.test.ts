import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeMetadataTopicIds, encodeMetadataAllTopics } from '../../../src/kafka/direct-fetch/metadata-v10';
import { createRequestLogSource } from '../../../src/forensics/sources/request-log/source';
import type { AccessObservation } from '../../../src/domain/access-observations';
import { KafkaReader, KafkaWriter } from '../../../src/kafka/wire';
import { silentLogger } from '../../../src/log/logger';

/*
 * Topic ids for request-log lines of Fetch v13+ (KIP-516): Metadata v10–v12 held to a response
 * assembled field by field from Kafka's MetadataResponse schema, and the request-log source on the
 * KIP-673 fixture's v15 line: named when the cluster's metadata names the id, reported as
 * unmappable (with why) when it does not, never attributed by guess.
 */

// r3IRhpJiTnOM9i0B4tRT5g, the id in the fixture line, as its 16 bytes.
const ORDERS_ID = Buffer.from('r3IRhpJiTnOM9i0B4tRT5g', 'base64url');
const OTHER_ID = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

/** A Metadata response body of `version` (10–12): one broker, `orders` (one partition) and `payments` (none). */
function response(version: number): Buffer {
  const w = new KafkaWriter().int32(0);
  w.compactArray([1], (x) => x.int32(1).compactString('b1').int32(9092).compactString(null).tagBuffer());
  w.compactString('cluster-x').int32(1);
  w.compactArray(
    [
      { name: 'orders', id: ORDERS_ID, partitions: [0] },
      { name: 'payments', id: OTHER_ID, partitions: [] },
    ],
    (x, t) => {
      x.int16(0).compactString(t.name).raw(t.id).boolean(false);
      x.compactArray(t.partitions, (y, p) => {
        y.int16(0).int32(p).int32(1).int32(7);
        for (let i = 0; i < 3; i++) y.compactArray(i === 2 ? [] : [1], (z, n) => z.int32(n));
        y.tagBuffer();
      });
      x.int32(-2147483648).tagBuffer();
    },
  );
  if (version === 10) w.int32(-2147483648);
  return w.tagBuffer().build();
}

describe('Metadata v10–v12: topic ids', () => {
  it.each([10, 11, 12])('v%i: reads every topic\'s name and id (printed as Kafka prints it) to the last byte', (version) => {
    const r = new KafkaReader(response(version));
    expect(decodeMetadataTopicIds(r, version)).toEqual([
      { name: 'orders', topicId: 'r3IRhpJiTnOM9i0B4tRT5g', errorCode: 0 },
      { name: 'payments', topicId: 'ABEiM0RVZneImaq7zN3u_w', errorCode: 0 },
    ]);
    expect(r.remaining()).toBe(0);
  });

  it('asks for every topic: a null compact array, no auto-creation, no authorised operations (v10 has one flag more)', () => {
    const body = (v: number): string => {
      const w = new KafkaWriter();
      encodeMetadataAllTopics(w, v);
      return w.build().toString('hex');
    };
    expect(body(12)).toBe('00' + '00' + '00' + '00');
    expect(body(10)).toBe('00' + '00' + '00' + '00' + '00');
  });
});

describe('request log: Fetch v13+ lines by topic id', () => {
  const dir = mkdtempSync(join(tmpdir(), 'request-log-ids-'));
  const v15 = readFileSync(join(__dirname, '../../fixtures/forensics/request-log-kip673.log'), 'utf8').split('\n').find((l) => l.includes('"topicId"')) as string;
  // The fixture's console consumer, as the compromised principal.
  writeFileSync(join(dir, 'kafka-request.log'), `${v15.replace(/"principal":"[^"]*"/, '"principal":"User:report-exporter"')}\n`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const admin = { fetchTopicOffsets: async () => [{ partition: 2, offset: '75', high: '75', low: '0' }] } as unknown as Admin;
  const query = { principal: 'User:report-exporter', topics: ['orders'], since: '2026-11-21T00:00:00Z', until: '2026-11-22T00:00:00Z', groups: [] };
  const read = async (resolveTopicIds: () => Promise<ReadonlyMap<string, string> | undefined>): Promise<{ seen: AccessObservation[]; source: ReturnType<typeof createRequestLogSource>; asked: number }> => {
    let asked = 0;
    const source = createRequestLogSource({ kind: 'file', pattern: join(dir, 'kafka-request.log*') }, {
      kafka: { brokers: [] } as never,
      admin,
      logger: silentLogger,
      resolveTopicIds: async () => {
        asked++;
        return resolveTopicIds();
      },
    });
    const seen: AccessObservation[] = [];
    for await (const o of source.read(query)) seen.push(o);
    return { seen, source, asked };
  };

  it('names the topic from the cluster\'s metadata and attributes the fetch', async () => {
    const { seen, source, asked } = await read(async () => new Map([['r3IRhpJiTnOM9i0B4tRT5g', 'orders']]));
    expect(asked).toBe(1);
    expect(seen.map((o) => [o.topic, o.partition, o.from, o.to, o.precision])).toEqual([['orders', 2, '0', '75', 'bounded']]);
    expect(source.unmapped?.()).toEqual([]);
  });

  it('reports an id the metadata does not name (a deleted topic) instead of dropping it', async () => {
    const { seen, source } = await read(async () => new Map([['ABEiM0RVZneImaq7zN3u_w', 'payments']]));
    expect(seen).toEqual([]);
    expect(source.unmapped?.()).toEqual([{ source: 'request-log', topicId: 'r3IRhpJiTnOM9i0B4tRT5g', fetches: 1, partitions: [2], reason: 'unknown-topic-id' }]);
  });

  it('reports ids as unmappable when the cluster\'s metadata carries no ids at all', async () => {
    const { seen, source } = await read(async () => undefined);
    expect(seen).toEqual([]);
    expect(source.unmapped?.()).toEqual([{ source: 'request-log', topicId: 'r3IRhpJiTnOM9i0B4tRT5g', fetches: 1, partitions: [2], reason: 'no-topic-ids-in-metadata' }]);
  });
});
