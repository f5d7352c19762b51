import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeFindCoordinator,
  decodeOffsetFetch,
  encodeFindCoordinator,
  encodeOffsetFetch,
  FIND_COORDINATOR_API_KEY,
  FIND_COORDINATOR_VERSION,
  OFFSET_FETCH_API_KEY,
  OFFSET_FETCH_VERSION,
} from '../../../src/kafka/direct-fetch/offset-fetch-v3';
import { encodeRequest, readResponseHeader } from '../../../src/kafka/scram-admin/codecs';
import { KafkaReader, type KafkaWriter } from '../../../src/kafka/wire';
import * as offsetFetchV3 from '../../../src/sandbox/kafka/protocol/offset-fetch/v3';

/*
 * The committed-offset calls of the direct reader held to bytes other software wrote: the frames
 * kafkajs 2.2.4 exchanged with the sandbox (recorded through a TCP proxy, the sandbox's wire
 * fixtures), and a response assembled field by field from Kafka's OffsetFetchResponse schema (v3)
 * with what the sandbox never sends: several topics, commit metadata, partition and group errors.
 */
const WIRE = join(__dirname, '..', 'kafka-sandbox', 'fixtures', 'wire');
const frame = (name: string): Buffer => Buffer.from(readFileSync(join(WIRE, `${name}.hex`), 'utf8').trim(), 'hex');

/** Our request frame with the header kafkajs used (correlation id 27, client id "fixture"), without the size prefix. */
function ours(apiKey: number, apiVersion: number, body: (w: KafkaWriter) => void): Buffer {
  return encodeRequest({ apiKey, apiVersion, correlationId: 27, clientId: 'fixture', flexible: false }, body).subarray(4);
}

describe('FindCoordinator v2 and OffsetFetch v3 against recorded frames', () => {
  it('writes the same FindCoordinator request kafkajs wrote, byte for byte, and reads its answer', () => {
    expect(ours(FIND_COORDINATOR_API_KEY, FIND_COORDINATOR_VERSION, (w) => encodeFindCoordinator(w, 'capkg')).toString('hex')).toBe(frame('kafkajs-find-coordinator-v2-request').toString('hex'));
    const r = new KafkaReader(frame('kafkajs-find-coordinator-v2-response'));
    expect(readResponseHeader(r, false)).toBe(27);
    expect(decodeFindCoordinator(r)).toEqual({ errorCode: 0, errorMessage: null, nodeId: 1, host: '127.0.0.1', port: 33187 });
    expect(r.remaining()).toBe(0);
  });

  it('writes the same all-topics OffsetFetch request kafkajs wrote, and reads its answer to the last byte', () => {
    expect(ours(OFFSET_FETCH_API_KEY, OFFSET_FETCH_VERSION, (w) => encodeOffsetFetch(w, 'capkg', null)).toString('hex')).toBe(frame('kafkajs-offset-fetch-v3-request').toString('hex'));
    const r = new KafkaReader(frame('kafkajs-offset-fetch-v3-response'));
    expect(readResponseHeader(r, false)).toBe(27);
    expect(decodeOffsetFetch(r)).toEqual({ errorCode: 0, partitions: [{ topic: 'capk', partition: 0, offset: 2n, errorCode: 0 }] });
    expect(r.remaining()).toBe(0);
  });

  it('names topics and partitions as the schema lays them out, and the broker reads them back', () => {
    const body = ours(OFFSET_FETCH_API_KEY, OFFSET_FETCH_VERSION, (w) => encodeOffsetFetch(w, 'g', [{ topic: 'ab', partitions: [0, 3] }, { topic: 'c', partitions: [] }])).subarray(2 + 2 + 4 + 2 + 7);
    // group_id "g"; topics: 2 × (name, partition_indexes)
    expect(body.toString('hex')).toBe(['000167', '00000002', '00026162', '00000002', '00000000', '00000003', '000163', '00000000'].join(''));
    expect(offsetFetchV3.decode(new KafkaReader(body))).toEqual({ groupId: 'g', topics: [{ name: 'ab', partitions: [0, 3] }, { name: 'c', partitions: [] }] });
  });

  it('reads a schema-built answer: two topics, commit metadata, no commit, a partition error and the group error', () => {
    const hex = [
      '00000000', // throttle_time_ms
      '00000002', // topics
      '00026162', '00000002', // "ab", 2 partitions
      '00000000', '0000000000000064', '00046a6f6221', '0000', // p0, offset 100, metadata "job!", no error
      '00000003', 'ffffffffffffffff', 'ffff', '0000', // p3, no commit (-1), null metadata
      '000163', '00000001', // "c", 1 partition
      '00000001', 'ffffffffffffffff', '0000', '001d', // p1, TOPIC_AUTHORIZATION_FAILED (29)
      '0000', // group error_code
    ].join('');
    const r = new KafkaReader(Buffer.from(hex, 'hex'));
    expect(decodeOffsetFetch(r)).toEqual({
      errorCode: 0,
      partitions: [
        { topic: 'ab', partition: 0, offset: 100n, errorCode: 0 },
        { topic: 'ab', partition: 3, offset: -1n, errorCode: 0 },
        { topic: 'c', partition: 1, offset: -1n, errorCode: 29 },
      ],
    });
    expect(r.remaining()).toBe(0);
    // A coordinator that is loading answers with the group error and (from v2 on) no topics.
    expect(decodeOffsetFetch(new KafkaReader(Buffer.from('00000000' + '00000000' + '000e', 'hex')))).toEqual({ errorCode: 14, partitions: [] });
  });
});
