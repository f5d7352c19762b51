import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeAlterScram,
  decodeDescribeScram,
  encodeAlterScram,
  encodeDescribeScram,
  encodeRequest,
  readResponseHeader,
} from '../../../src/kafka/scram-admin/codecs';
import { KafkaReader, KafkaWriter } from '../../../src/kafka/wire';
import { HANDLERS } from '../../../src/sandbox/kafka/handlers';
import { API_VERSIONS, apiRange } from '../../../src/sandbox/kafka/protocol/api-keys';
import * as alterScramV0 from '../../../src/sandbox/kafka/protocol/alter-user-scram/v0';
import * as describeScramV0 from '../../../src/sandbox/kafka/protocol/describe-user-scram/v0';
import * as findCoordinatorV1 from '../../../src/sandbox/kafka/protocol/find-coordinator/v1';
import * as produceV3 from '../../../src/sandbox/kafka/protocol/produce/v3';
import * as produceV5 from '../../../src/sandbox/kafka/protocol/produce/v5';
import { readRequestHeader } from '../../../src/sandbox/kafka/protocol/header';

/*
 * Byte fixtures, kafkajs style (one frame per file, hex, without the size prefix):
 * - fixtures/wire/<client>-<api>-v<N>-{request,response}.hex: frames captured from the wire between
 *   the sandbox and kcat/confluent-kafka (librdkafka 2.0.2), kafka-python 2.0.2 and kafkajs 2.2.4,
 *   through a recording TCP proxy;
 * - fixtures/schema-*.hex: APIs 50/51 assembled by hand, field by field, from Kafka's message
 *   schemas, so the SCRAM admin client and the broker are each held to Kafka's layout rather than
 *   to one another.
 */
const WIRE = join(__dirname, 'fixtures', 'wire');
const SCHEMA = join(__dirname, 'fixtures');
const hex = (dir: string, name: string): Buffer => Buffer.from(readFileSync(join(dir, name), 'utf8').trim(), 'hex');
const requests = readdirSync(WIRE).filter((f) => f.endsWith('-request.hex')).sort();

/** Decodes a request frame with the broker's own header reader and handler; returns what is left. */
function brokerDecode(frame: Buffer): { apiKey: number; version: number; correlationId: number; body: unknown; left: number } {
  const r = new KafkaReader(frame);
  const h = readRequestHeader(r);
  const range = apiRange(h.apiKey);
  if (!range) throw new Error(`api ${h.apiKey} not served`);
  if (range.flexibleFrom !== undefined && h.apiVersion >= range.flexibleFrom) r.skipTagBuffer();
  const body = HANDLERS.get(h.apiKey)?.decode(r, h.apiVersion);
  return { apiKey: h.apiKey, version: h.apiVersion, correlationId: h.correlationId, body, left: r.remaining() };
}

describe('requests captured from real clients', () => {
  it('covers librdkafka, kafka-python and kafkajs', () => {
    for (const client of ['librdkafka', 'kafka-python', 'kafkajs']) expect(requests.some((f) => f.startsWith(`${client}-`))).toBe(true);
  });

  it.each(requests)('%s is an advertised version and decodes to the last byte', (file) => {
    const { apiKey, version, left } = brokerDecode(hex(WIRE, file));
    const range = apiRange(apiKey);
    expect(version).toBeGreaterThanOrEqual(range?.min ?? Infinity);
    expect(version).toBeLessThanOrEqual(range?.max ?? -1);
    expect(left).toBe(0);
  });

  it.each(requests.map((f) => f.replace('-request.hex', '-response.hex')).filter((f) => readdirSync(WIRE).includes(f)))(
    '%s answers with the request\'s correlation id and the header version Kafka uses',
    (file) => {
      const req = brokerDecode(hex(WIRE, file.replace('-response.hex', '-request.hex')));
      const res = hex(WIRE, file);
      expect(res.readInt32BE(0)).toBe(req.correlationId);
      const range = apiRange(req.apiKey);
      const flexible = range?.flexibleFrom !== undefined && req.version >= range.flexibleFrom;
      // ApiVersions keeps response header v0 even when the request was flexible (v3): its body
      // starts right after the correlation id with error_code 0.
      if (req.apiKey === 18) expect(res.readInt16BE(4)).toBe(0);
      else if (flexible) expect(res[4]).toBe(0);
    },
  );

  it('keeps librdkafka\'s ApiVersions v3 request: header v2 with tags, client software name and version', () => {
    const frame = hex(WIRE, 'librdkafka-api-versions-v3-request.hex');
    const decoded = brokerDecode(frame);
    expect(decoded).toMatchObject({ apiKey: 18, version: 3, left: 0, body: { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' } });
  });

  it('keeps the SaslHandshake requests: v1 from librdkafka and kafkajs, v0 from kafka-python', () => {
    expect(brokerDecode(hex(WIRE, 'librdkafka-sasl-handshake-v1-request.hex')).body).toEqual({ mechanism: 'SCRAM-SHA-512' });
    expect(brokerDecode(hex(WIRE, 'kafkajs-sasl-handshake-v1-request.hex')).body).toEqual({ mechanism: 'SCRAM-SHA-512' });
    expect(brokerDecode(hex(WIRE, 'kafka-python-sasl-handshake-v0-request.hex'))).toMatchObject({ version: 0, body: { mechanism: 'SCRAM-SHA-512' } });
  });
});

/**
 * Bodies for the advertised versions no captured client sends (older versions kept for other
 * clients), laid out from Kafka's schemas. Together with the captured requests they make every
 * advertised (api, version) pair decodable, so nothing is advertised that is not served.
 */
const SCHEMA_BODIES: Record<string, (w: KafkaWriter) => void> = {
  '3/2': (w) => w.array(['t'], (x, s) => x.string(s)),
  '3/3': (w) => w.array(['t'], (x, s) => x.string(s)),
  '9/2': (w) => w.string('g').array(['t'], (x, s) => x.string(s).array([0], (y, p) => y.int32(p))),
  '11/0': (w) => w.string('g').int32(10_000).string('').string('consumer').array(['range'], (x, s) => x.string(s).bytes(Buffer.alloc(0))),
  '11/1': (w) => w.string('g').int32(10_000).int32(30_000).string('').string('consumer').array(['range'], (x, s) => x.string(s).bytes(Buffer.alloc(0))),
  '12/0': (w) => w.string('g').int32(1).string('m'),
  '13/0': (w) => w.string('g').string('m'),
  '14/0': (w) => w.string('g').int32(1).string('m').array([['m', Buffer.alloc(0)]] as const, (x, [m, a]) => x.string(m).bytes(a)),
  '18/1': () => undefined,
  '19/0': (w) => w.array(['t'], (x, s) => x.string(s).int32(1).int16(1).array([], () => undefined).array([['retention.ms', '1000']] as const, (y, [k, v]) => y.string(k).string(v))).int32(5000),
  '19/1': (w) => w.array(['t'], (x, s) => x.string(s).int32(2).int16(1).array([], () => undefined).array([], () => undefined)).int32(5000).boolean(true),
  // v2–v4 requests are v1's layout; v4 may leave partitions and replication at -1.
  '19/2': (w) => w.array(['t'], (x, s) => x.string(s).int32(1).int16(1).array([], () => undefined).array([], () => undefined)).int32(5000).boolean(false),
  '19/3': (w) => w.array(['t'], (x, s) => x.string(s).int32(1).int16(1).array([], () => undefined).array([], () => undefined)).int32(5000).boolean(true),
  '19/4': (w) => w.array(['t'], (x, s) => x.string(s).int32(-1).int16(-1).array([], () => undefined).array([], () => undefined)).int32(5000).boolean(false),
  '20/0': (w) => w.array(['t'], (x, s) => x.string(s)).int32(5000),
  '20/1': (w) => w.array(['t'], (x, s) => x.string(s)).int32(5000),
  '20/2': (w) => w.array(['t'], (x, s) => x.string(s)).int32(5000),
  '20/3': (w) => w.array(['t'], (x, s) => x.string(s)).int32(5000),
  '29/0': (w) => w.int8(2).string('t').string(null).string(null).int8(1).int8(1),
  '30/0': (w) => w.array([0], (x) => x.int8(2).string('t').string('User:bob').string('*').int8(3).int8(3)),
  '31/0': (w) => w.array([0], (x) => x.int8(2).string('t').string(null).string(null).int8(1).int8(1)),
  '32/0': (w) => w.array(['t'], (x, s) => x.int8(2).string(s).array(null, () => undefined)),
  '36/2': (w) => w.compactBytes(Buffer.from('\0bob\0pw')).tagBuffer(),
  '42/0': (w) => w.array(['g'], (x, s) => x.string(s)),
  // Produce v4–v7 requests are v3's layout (transactional_id, acks, timeout, topics); FindCoordinator
  // v1–v2 add key_type; DeleteGroups v1 is v0. Versions Java clients of Kafka 4.x send.
  '0/4': (w) => produceBody(w),
  '0/5': (w) => produceBody(w),
  '0/6': (w) => produceBody(w),
  '10/1': (w) => w.string('g').int8(0),
  '42/1': (w) => w.array(['g'], (x, s) => x.string(s)),
  // OffsetCommit v1 (Sarama's default): generation and member, and a commit timestamp per partition.
  '8/1': (w) => w.string('g').int32(1).string('m').array(['t'], (x, s) => x.string(s).array([0], (y, p) => y.int32(p).int64(5n).int64(-1n).string(null))),
};

function produceBody(w: KafkaWriter): void {
  w.string(null).int16(-1).int32(30_000).array(['t'], (x, s) => x.string(s).array([0], (y, p) => y.int32(p).bytes(Buffer.from('not a batch: decoding stops at the bytes field'))));
}

describe('every advertised version is served', () => {
  const captured = new Set(requests.map((f) => {
    const d = brokerDecode(hex(WIRE, f));
    return `${d.apiKey}/${d.version}`;
  }));
  captured.add('50/0').add('51/0'); // the schema fixtures below
  const pairs = API_VERSIONS.flatMap((a) => Array.from({ length: a.max - a.min + 1 }, (_, i) => `${a.key}/${a.min + i}`));

  it.each(pairs)('api/version %s has a captured or schema-built request the broker decodes', (pair) => {
    if (captured.has(pair)) return;
    const build = SCHEMA_BODIES[pair];
    expect(build, `no request fixture for ${pair}`).toBeDefined();
    const [key, version] = pair.split('/').map(Number) as [number, number];
    const w = new KafkaWriter().int16(key).int16(version).int32(1).string('schema');
    const range = apiRange(key);
    if (range?.flexibleFrom !== undefined && version >= range.flexibleFrom) w.tagBuffer();
    build?.(w);
    expect(brokerDecode(w.build()).left).toBe(0);
  });

  it('has no schema body for a pair that is not advertised', () => {
    for (const pair of Object.keys(SCHEMA_BODIES)) expect(pairs).toContain(pair);
  });
});

describe('Describe/AlterUserScramCredentials v0 against bytes built from Kafka\'s schemas', () => {
  const describeReq = hex(SCHEMA, 'schema-describe-user-scram-v0-request.hex');
  const describeAll = hex(SCHEMA, 'schema-describe-user-scram-v0-all-request.hex');
  const describeRes = hex(SCHEMA, 'schema-describe-user-scram-v0-response.hex');
  const alterReq = hex(SCHEMA, 'schema-alter-user-scram-v0-request.hex');
  const alterRes = hex(SCHEMA, 'schema-alter-user-scram-v0-response.hex');
  const describeResult = {
    errorCode: 0,
    errorMessage: null,
    results: [
      { user: 'alice', errorCode: 0, errorMessage: null, credentials: [{ mechanism: 2, iterations: 4096 }, { mechanism: 1, iterations: 8192 }] },
      { user: 'bob', errorCode: 91, errorMessage: 'unknown user', credentials: [] },
    ],
  };
  const alterRequest = {
    deletions: [{ name: 'bob', mechanism: 1 }],
    upsertions: [{ name: 'alice', mechanism: 2, iterations: 4096, salt: Buffer.from([1, 2, 3, 4]), saltedPassword: Buffer.alloc(64, 0xab) }],
  };
  const alterResults = [{ user: 'bob', errorCode: 0, errorMessage: null }, { user: 'alice', errorCode: 0, errorMessage: null }];
  const header = (apiKey: number, correlationId: number) => ({ apiKey, apiVersion: 0, correlationId, clientId: 'schema', flexible: true });

  it('the broker decodes both requests (50 with a user list and with null = all users, 51)', () => {
    expect(brokerDecode(describeReq)).toMatchObject({ apiKey: 50, version: 0, left: 0, body: { users: ['alice', 'bob'] } });
    expect(brokerDecode(describeAll)).toMatchObject({ apiKey: 50, left: 0, body: { users: null } });
    expect(brokerDecode(alterReq)).toMatchObject({ apiKey: 51, left: 0, body: alterRequest });
  });

  it('the broker encodes both responses to the schema bytes (response header v1)', () => {
    const d = new KafkaWriter().int32(7).tagBuffer();
    describeScramV0.encode(d, describeResult);
    expect(d.build().toString('hex')).toBe(describeRes.toString('hex'));
    const a = new KafkaWriter().int32(8).tagBuffer();
    alterScramV0.encode(a, { results: alterResults });
    expect(a.build().toString('hex')).toBe(alterRes.toString('hex'));
  });

  it('the SCRAM admin client encodes both requests to the schema bytes', () => {
    expect(encodeRequest(header(50, 7), (w) => encodeDescribeScram(w, ['alice', 'bob'])).subarray(4).toString('hex')).toBe(describeReq.toString('hex'));
    expect(encodeRequest(header(50, 9), (w) => encodeDescribeScram(w, null)).subarray(4).toString('hex')).toBe(describeAll.toString('hex'));
    expect(encodeRequest(header(51, 8), (w) => encodeAlterScram(w, alterRequest)).subarray(4).toString('hex')).toBe(alterReq.toString('hex'));
  });

  it('the SCRAM admin client decodes both responses from the schema bytes', () => {
    const d = new KafkaReader(describeRes);
    expect(readResponseHeader(d, true)).toBe(7);
    expect(decodeDescribeScram(d)).toEqual(describeResult);
    expect(d.remaining()).toBe(0);
    const a = new KafkaReader(alterRes);
    expect(readResponseHeader(a, true)).toBe(8);
    expect(decodeAlterScram(a)).toEqual(alterResults);
    expect(a.remaining()).toBe(0);
  });
});

/*
 * What a Java client of Kafka 4.x can speak, per API the producer, consumer and admin client use
 * against this broker: Kafka's message schemas (clients/src/main/resources/common/message/*.json,
 * 3.9 line) mark the versions KIP-896 removed in 4.0 as `deprecatedVersions`; the 4.x client's
 * range starts after them and ends at the schema's last valid version. The 4.x client negotiates
 * min(its max, ours), which must not fall below its min.
 */
const JAVA_4_CLIENT: ReadonlyArray<{ key: number; api: string; min: number; max: number }> = [
  { key: 0, api: 'Produce', min: 7, max: 11 },
  { key: 1, api: 'Fetch', min: 4, max: 17 },
  { key: 2, api: 'ListOffsets', min: 1, max: 10 },
  { key: 3, api: 'Metadata', min: 4, max: 12 },
  { key: 8, api: 'OffsetCommit', min: 2, max: 9 },
  { key: 9, api: 'OffsetFetch', min: 1, max: 9 },
  { key: 10, api: 'FindCoordinator', min: 1, max: 6 },
  { key: 11, api: 'JoinGroup', min: 2, max: 9 },
  { key: 12, api: 'Heartbeat', min: 0, max: 4 },
  { key: 13, api: 'LeaveGroup', min: 0, max: 5 },
  { key: 14, api: 'SyncGroup', min: 0, max: 5 },
  { key: 15, api: 'DescribeGroups', min: 0, max: 5 },
  { key: 16, api: 'ListGroups', min: 0, max: 5 },
  { key: 17, api: 'SaslHandshake', min: 1, max: 1 },
  { key: 18, api: 'ApiVersions', min: 0, max: 4 },
  { key: 19, api: 'CreateTopics', min: 2, max: 7 },
  { key: 20, api: 'DeleteTopics', min: 1, max: 6 },
  { key: 21, api: 'DeleteRecords', min: 0, max: 2 },
  { key: 22, api: 'InitProducerId', min: 0, max: 5 },
  { key: 29, api: 'DescribeAcls', min: 1, max: 3 },
  { key: 30, api: 'CreateAcls', min: 1, max: 3 },
  { key: 31, api: 'DeleteAcls', min: 1, max: 3 },
  { key: 32, api: 'DescribeConfigs', min: 1, max: 4 },
  { key: 33, api: 'AlterConfigs', min: 0, max: 2 },
  { key: 36, api: 'SaslAuthenticate', min: 0, max: 2 },
  { key: 37, api: 'CreatePartitions', min: 0, max: 3 },
  { key: 42, api: 'DeleteGroups', min: 1, max: 2 },
];

describe('a Java client of Kafka 4.x finds a common version for every API it uses', () => {
  it.each(JAVA_4_CLIENT)('$api ($key): the version it would pick is advertised and at least its minimum', ({ key, min, max }) => {
    const ours = apiRange(key);
    expect(ours, 'served').toBeDefined();
    const picked = Math.min(max, ours?.max ?? -1);
    expect(picked).toBeGreaterThanOrEqual(min);
    expect(picked).toBeGreaterThanOrEqual(ours?.min ?? Infinity);
  });
});

describe('the layouts added for Java clients of Kafka 4.x, against bytes laid out from the schemas', () => {
  it('Produce v5–v7 answers carry log_start_offset after log_append_time; v4 does not', () => {
    const result = { topics: [{ name: 't', partitions: [{ partition: 0, errorCode: 0, baseOffset: 5n, logAppendTime: -1n, logStartOffset: 2n }] }] };
    const expected = (withStart: boolean): string => {
      const w = new KafkaWriter().array(['t'], (x, s) => x.string(s).array([0], (y) => {
        y.int32(0).int16(0).int64(5n).int64(-1n);
        if (withStart) y.int64(2n);
      }));
      return w.int32(0).build().toString('hex');
    };
    const v5 = new KafkaWriter();
    produceV5.encode(v5, result);
    expect(v5.build().toString('hex')).toBe(expected(true));
    const v3 = new KafkaWriter();
    produceV3.encode(v3, result);
    expect(v3.build().toString('hex')).toBe(expected(false));
  });

  it('FindCoordinator v1 reads key_type and answers throttle, error, error_message, node, host, port', () => {
    const req = new KafkaWriter().string('orders-readers').int8(1).build();
    expect(findCoordinatorV1.decode(new KafkaReader(req))).toEqual({ key: 'orders-readers', keyType: 1 });
    const w = new KafkaWriter();
    findCoordinatorV1.encode(w, { errorCode: 42, errorMessage: 'no', nodeId: -1, host: '', port: -1 });
    expect(w.build().toString('hex')).toBe(new KafkaWriter().int32(0).int16(42).string('no').int32(-1).string('').int32(-1).build().toString('hex'));
  });
});
