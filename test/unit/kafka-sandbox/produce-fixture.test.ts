import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KafkaReader, KafkaWriter } from '../../../src/kafka/wire';
import { PartitionLog } from '../../../src/sandbox/kafka/log/partition-log';
import { recordStamps, splitBatches } from '../../../src/sandbox/kafka/log/record-batch';
import { readRequestHeader } from '../../../src/sandbox/kafka/protocol/header';
import * as produceV3 from '../../../src/sandbox/kafka/protocol/produce/v3';

/** Produce request frames (without the size prefix) captured from kafkajs 2.2.4 `producer.send`. */
const fixture = (name: string): Buffer => Buffer.from(readFileSync(join(__dirname, 'fixtures', name), 'utf8').trim(), 'hex');

describe('captured kafkajs Produce v3 requests', () => {
  it('decodes the header, the request and its batch, indexing record timestamps', () => {
    const r = new KafkaReader(fixture('kafkajs-produce-v3.hex'));
    expect(readRequestHeader(r)).toMatchObject({ apiKey: 0, apiVersion: 3, clientId: 'fixture' });
    const req = produceV3.decode(r);
    expect(r.remaining()).toBe(0);
    expect(req).toMatchObject({ transactionalId: null, acks: 1, timeoutMs: 30000 });
    expect(req.topics.map((t) => t.name)).toEqual(['fixture-topic']);
    const records = req.topics[0]?.partitions[0]?.records;
    const [batch] = splitBatches(records ?? Buffer.alloc(0));
    expect(batch?.recordCount).toBe(2);
    // The second record is older than the first: the index keeps the larger one.
    expect(batch?.maxTimestamp).toBe(1767225600000);
    expect(recordStamps(batch?.data ?? Buffer.alloc(0)).map((s) => s.timestamp)).toEqual([1767225600000, 1767225599000]);
    const payload = batch?.data.toString('latin1') ?? '';
    expect(payload).toContain('{"email":"a@example.com"}');
    expect(payload).toContain('crm');
  });

  it('accepts the gzip batch and serves it back byte-identical except for the assigned base offset', () => {
    const r = new KafkaReader(fixture('kafkajs-produce-v3-gzip.hex'));
    readRequestHeader(r);
    const req = produceV3.decode(r);
    expect(req.acks).toBe(-1);
    const sent = req.topics[0]?.partitions[0]?.records ?? Buffer.alloc(0);
    const log = new PartitionLog();
    log.append(splitBatches(Buffer.from(sent)));
    log.append(splitBatches(Buffer.from(sent)));
    const [, second] = log.read(0, 1 << 20);
    expect(second?.readBigInt64BE(0)).toBe(1n);
    expect(second?.subarray(8)).toEqual(sent.subarray(8));
    expect(recordStamps(second ?? Buffer.alloc(0))).toEqual([{ offsetDelta: 0, timestamp: 1767225601000 }]);
  });

  it('encodes the Produce v3 response kafkajs parses (golden bytes)', () => {
    const w = new KafkaWriter();
    produceV3.encode(w, { topics: [{ name: 't', partitions: [{ partition: 0, errorCode: 0, baseOffset: 5n, logAppendTime: -1n }] }] });
    expect(w.build().toString('hex')).toBe(
      '00000001' + '0001' + '74' + '00000001' + '00000000' + '0000' + '0000000000000005' + 'ffffffffffffffff' + '00000000',
    );
  });
});
