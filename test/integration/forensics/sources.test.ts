import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForensicsActivities, type InvestigateInput } from '../../../activities/forensics';
import type { PartitionAccess } from '../../../src/domain/access-observations';
import type { EventDataMap } from '../../../src/domain/events';
import type { StepOutput } from '../../../src/domain/step-contract';
import { parseSourceSpec, readAccessObservations, type SourceSpec } from '../../../src/forensics/sources';
import { createKafka } from '../../../src/kafka/client';
import { silentLogger } from '../../../src/log/logger';
import { ManualClock } from '../../../src/sandbox/kafka';
import { encodeBatch, splitBatches } from '../../../src/sandbox/kafka/log/record-batch';
import { seedTradingExfiltration, type GroundTruthPartition, type TradingScenario } from '../../../src/sandbox/scenario/trading-exfiltration';
import { startSandboxes, type ScenarioSandboxes } from '../scenario/helpers';
import { ordersForensics } from './orders-params';

/*
 * Each access-record source alone, against the sandbox broker emitting that source's format while
 * the trading-exfiltration scenario runs (kafkajs attacker over real sockets): the request log
 * (KIP-673 JSON to rotating files, the older text form shipped to a topic) must yield exactly the
 * ground truth; `__consumer_offsets` commits a bounded range and Confluent audit events a
 * time-derived range that contain it, each labelled. Then the forensics step end to end with each
 * source alone.
 */

const SCENARIO_END = Date.parse('2026-11-21T12:00:00Z');
const PRINCIPAL = 'User:report-exporter';

let sb: ScenarioSandboxes;
let scenario: TradingScenario;
let logDir: string;

beforeAll(async () => {
  logDir = mkdtempSync(join(tmpdir(), 'breachline-request-log-'));
  sb = await startSandboxes({
    clock: new ManualClock(SCENARIO_END),
    forensicEmit: {
      // Small files, so the attack's lines rotate over several of them.
      requestLog: { format: 'json', file: join(logDir, 'kafka-request.log'), maxFileBytes: 16 * 1024, topic: 'kafka-request-log', topicFormat: 'text' },
      consumerOffsets: { partitions: 50 },
      auditLog: {},
    },
  });
  scenario = await seedTradingExfiltration({ kafka: sb.connection, secrets: sb.secrets, attacker: 'committing', scenarioEnd: new Date(SCENARIO_END) });
}, 90_000);

afterAll(async () => {
  await sb?.close();
  rmSync(logDir, { recursive: true, force: true });
});

const since = (): string => new Date(scenario.exfiltrationStart).toISOString();

async function observe(spec: SourceSpec): Promise<PartitionAccess[]> {
  return observeAs(PRINCIPAL, spec);
}

async function observeAs(principal: string, spec: SourceSpec): Promise<PartitionAccess[]> {
  const admin = createKafka(sb.connection, { clientId: 'test' }).admin();
  await admin.connect();
  try {
    const out = await readAccessObservations({ kafka: sb.connection, admin, logger: silentLogger, sources: [spec] }, { principal, topics: ['orders'], since: since(), until: new Date(SCENARIO_END).toISOString() });
    return out.merged;
  } finally {
    await admin.disconnect();
  }
}

/** The truth as half-open ranges, the shape the merge yields. */
const truthRanges = (): Array<{ partition: number; from: string; to: string }> =>
  scenario.groundTruth.partitions.map((p: GroundTruthPartition) => ({ partition: p.partition, from: p.from, to: (BigInt(p.to) + 1n).toString() }));

function expectContainsTruth(merged: PartitionAccess[], precision: string, source: string): void {
  for (const t of truthRanges()) {
    const m = merged.find((x) => x.partition === t.partition);
    expect(m, `partition ${t.partition}`).toBeDefined();
    expect(m?.precision).toBe(precision);
    expect(m?.sources).toEqual([source]);
    const covering = m?.ranges.find((r) => BigInt(r.from) <= BigInt(t.from) && BigInt(r.to) >= BigInt(t.to));
    expect(covering, `partition ${t.partition} range contains ${t.from}..${t.to}`).toBeDefined();
  }
}

describe('each source alone yields the ground truth, or a labelled range containing it', () => {
  /*
   * The attacker got each partition's records in one fetch and stopped: no later fetch says where
   * that answer ended, so the request log bounds it by the high watermark of the response — which
   * here is the truth's end. The label says bounded, the range is the truth.
   */
  it('request log from rotated files (KIP-673 JSON): the ground truth, bounded by the last answer\'s high watermark', async () => {
    const merged = await observe(parseSourceSpec(`request-log:file:${join(logDir, 'kafka-request.log*')}`));
    expect(merged.map((m) => ({ partition: m.partition, from: m.ranges[0]?.from, to: m.ranges[0]?.to }))).toEqual(truthRanges());
    expect(merged.every((m) => m.precision === 'bounded' && m.ranges.length === 1 && m.sources.join() === 'request-log')).toBe(true);
  });

  it('request log shipped to a topic (older text form): the same', async () => {
    const merged = await observe(parseSourceSpec('request-log:topic:kafka-request-log'));
    expect(merged.map((m) => ({ partition: m.partition, from: m.ranges[0]?.from, to: m.ranges[0]?.to }))).toEqual(truthRanges());
    expect(merged.every((m) => m.precision === 'bounded')).toBe(true);
  });

  it('a consumer that keeps fetching leaves chains of fetches: exact ranges, across rotated files and in the text form', async () => {
    // A second reader of `orders` (the admin, with small fetches) reads every partition to its end
    // and keeps polling until the request log shows a fetch at each end offset (the proving line).
    const admin = createKafka(sb.connection, { clientId: 'test' }).admin();
    await admin.connect();
    const bounds = new Map((await admin.fetchTopicOffsets('orders')).map((o) => [o.partition, { low: o.low, high: o.high }]));
    await admin.disconnect();
    const consumer = createKafka(sb.connection, { clientId: 'chain-reader' }).consumer({ groupId: 'chain-reader', maxWaitTimeInMs: 20, maxBytesPerPartition: 4096, maxBytes: 4096 * 12 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders', fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatch: async () => Promise.resolve() });
    const atEnd = async (): Promise<boolean> => {
      const merged = await observeAs('User:admin', parseSourceSpec('request-log:topic:kafka-request-log'));
      return [...bounds].every(([p, b]) => merged.some((m) => m.partition === p && m.precision === 'exact' && m.ranges.length === 1 && m.ranges[0]?.to === b.high));
    };
    try {
      for (let i = 0; i < 600 && !(await atEnd()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await consumer.disconnect();
    }
    for (const spec of [`request-log:file:${join(logDir, 'kafka-request.log*')}`, 'request-log:topic:kafka-request-log']) {
      const merged = await observeAs('User:admin', parseSourceSpec(spec));
      expect(merged.map((m) => [m.partition, m.ranges, m.precision]), spec).toEqual([...bounds].sort((a, b) => a[0] - b[0]).map(([p, b]) => [p, [{ from: b.low, to: b.high }], 'exact']));
    }
    expect(readdirSync(logDir).filter((f) => f.startsWith('kafka-request.log.')).length).toBeGreaterThan(0);
  }, 90_000);

  it('__consumer_offsets commits: bounded ranges containing the truth', async () => {
    expectContainsTruth(await observe(parseSourceSpec('consumer-offsets')), 'bounded', 'consumer-offsets');
  });

  it('Confluent audit events: time-derived ranges containing the truth', async () => {
    expectContainsTruth(await observe(parseSourceSpec('confluent-audit')), 'time-derived', 'confluent-audit');
  });

  it('a request log of another principal says nothing about this one', async () => {
    const admin = createKafka(sb.connection, { clientId: 'test' }).admin();
    await admin.connect();
    try {
      const out = await readAccessObservations({ kafka: sb.connection, admin, logger: silentLogger, sources: [parseSourceSpec('request-log:topic:kafka-request-log')] }, { principal: 'User:analytics-consumer', topics: ['orders'], since: since() });
      expect(out.merged.every((m) => m.sources.join() === 'request-log')).toBe(true);
      expect(out.observations.every((o) => o.principal === 'User:analytics-consumer')).toBe(true);
    } finally {
      await admin.disconnect();
    }
  });
});

const params = ordersForensics();

async function investigate(sources: SourceSpec[], withSince = true): Promise<EventDataMap['ForensicWindowEstablished']> {
  const acts = createForensicsActivities({ kafka: sb.connection, logger: silentLogger, now: () => new Date(SCENARIO_END), accessSources: sources });
  const input: InvestigateInput = {
    incidentId: 'inc-src',
    stepId: 'forensics',
    stepKey: 'inc-src/forensics',
    mode: 'live',
    principal: PRINCIPAL,
    params,
    countDataSubjects: false,
    ...(withSince ? { suspectedSince: since() } : {}),
  };
  const out: StepOutput = await new MockActivityEnvironment().run(acts.investigate, input);
  const window = out.events.find((e) => e.type === 'ForensicWindowEstablished')?.data as EventDataMap['ForensicWindowEstablished'] | undefined;
  if (window === undefined) throw new Error('no window established');
  return window;
}

describe('the forensics step end to end, with each source alone', () => {
  it('request log alone: the ground truth exactly, bytes included, labelled bounded (the attacker\'s last answer had no successor)', async () => {
    const window = await investigate([parseSourceSpec(`request-log:file:${join(logDir, 'kafka-request.log*')}`)]);
    expect(window.partitions.map((p) => ({ partition: p.partition, from: p.from, to: p.to, records: p.records, bytes: p.bytes, firstTs: p.firstTs, lastTs: p.lastTs }))).toEqual(scenario.groundTruth.partitions);
    expect(window.totals.records).toBe(scenario.groundTruth.totals.records);
    expect(window.bytesExact).toBe(true);
    expect(new Set(window.partitions.map((p) => p.precision))).toEqual(new Set(['bounded']));
    expect(window.partitions[0]?.sources).toEqual(['request-log']);
  });

  it('request log shipped to a topic alone: the ground truth exactly', async () => {
    const window = await investigate([parseSourceSpec('request-log:topic:kafka-request-log')]);
    expect(window.partitions.map((p) => ({ partition: p.partition, from: p.from, to: p.to, records: p.records, bytes: p.bytes }))).toEqual(
      scenario.groundTruth.partitions.map((p) => ({ partition: p.partition, from: p.from, to: p.to, records: p.records, bytes: p.bytes })),
    );
  });

  for (const [spec, precision] of [['consumer-offsets', 'bounded'], ['confluent-audit', 'time-derived']] as const) {
    it(`${spec} alone: every partition of the truth inside a ${precision} range, bytes stated as estimated`, async () => {
      const window = await investigate([parseSourceSpec(spec)]);
      for (const t of scenario.groundTruth.partitions) {
        const p = window.partitions.find((x) => x.partition === t.partition);
        expect(p?.precision, `partition ${t.partition}`).toBe(precision);
        expect(p?.sources).toContain(spec);
        expect(BigInt(p?.from ?? '-1')).toBeLessThanOrEqual(BigInt(t.from));
        expect(BigInt(p?.to ?? '-1')).toBeGreaterThanOrEqual(BigInt(t.to));
      }
      expect(BigInt(window.totals.records)).toBeGreaterThanOrEqual(BigInt(scenario.groundTruth.totals.records));
      expect(window.bytesExact).toBe(false);
    });
  }

  it('all sources together: the intersection of what each vouches for, the truth, with every source named', async () => {
    const window = await investigate(['request-log:topic:kafka-request-log', 'consumer-offsets', 'confluent-audit'].map(parseSourceSpec));
    expect(window.partitions.map((p) => ({ partition: p.partition, from: p.from, to: p.to, records: p.records, bytes: p.bytes }))).toEqual(
      scenario.groundTruth.partitions.map((p) => ({ partition: p.partition, from: p.from, to: p.to, records: p.records, bytes: p.bytes })),
    );
    for (const p of window.partitions) {
      expect(p.precision).toBe('bounded');
      expect(p.sources).toEqual(['confluent-audit', 'consumer-offsets', 'request-log']);
    }
  });
});

describe('suspectedSince bounds what the sources read (issue 12)', () => {
  it('an access record older than the suspected start is not read; the window stays the truth', async () => {
    // An access log holding, first, an older fetch by the principal (a read before the suspected
    // start, of offsets the attack did not read) and then every record the broker logged.
    const sinceMs = Date.parse(since());
    const early = scenario.groundTruth.partitions.find((p) => BigInt(p.from) > 0n);
    if (early === undefined) throw new Error('the scenario has no partition read from above offset 0');
    sb.kafka.broker.createTopic('access-log-since', 1, {});
    const log = sb.kafka.broker.topics.get('access-log-since')?.partitions[0];
    if (log === undefined) throw new Error('no access-log-since partition');
    const older = { time: sinceMs - 3_600_000, kind: 'fetch', principal: PRINCIPAL, resourceType: 'TOPIC', resourceName: 'orders', decision: 'ALLOW', partition: early.partition, fromOffset: '0', toOffset: early.from, records: Number(early.from), bytes: 1000 };
    log.append(splitBatches(encodeBatch([{ key: null, value: Buffer.from(JSON.stringify(older)), timestamp: older.time }])));
    let newer = 0;
    for (const source of sb.kafka.broker.topics.get('__access_log')?.partitions ?? []) {
      for (const b of source.liveBatches()) {
        log.append(splitBatches(Buffer.from(b.data)));
        newer += b.lastOffset - b.baseOffset + 1;
      }
    }
    const spec = parseSourceSpec('sandbox-access-log:access-log-since');
    const admin = createKafka(sb.connection, { clientId: 'test' }).admin();
    await admin.connect();
    try {
      const read = (from?: string) =>
        readAccessObservations(
          { kafka: sb.connection, admin, logger: silentLogger, sources: [spec] },
          { principal: PRINCIPAL, topics: ['orders'], ...(from !== undefined ? { since: from } : {}), until: new Date(SCENARIO_END).toISOString() },
        );
      const bounded = await read(since());
      const everything = await read();
      // What the source consumed: the records from the suspected start, not the older one.
      expect(bounded.recordsRead).toBe(newer);
      expect(everything.recordsRead).toBe(newer + 1);
      // The older read would widen the window; from the suspected start it is the truth.
      expect(everything.merged.find((m) => m.partition === early.partition)?.ranges[0]?.from).toBe('0');
      expect(bounded.merged.map((m) => ({ partition: m.partition, from: m.ranges[0]?.from, to: m.ranges[m.ranges.length - 1]?.to }))).toEqual(
        truthRanges().map((t) => ({ partition: t.partition, from: t.from, to: t.to })),
      );
    } finally {
      await admin.disconnect();
    }
    // The step end to end, suspectedSince given: the window is the truth, the older read left out.
    const window = await investigate([spec], true);
    expect(window.partitions.map((p) => ({ partition: p.partition, from: p.from, to: p.to, records: p.records }))).toEqual(
      scenario.groundTruth.partitions.map((p) => ({ partition: p.partition, from: p.from, to: p.to, records: p.records })),
    );
  });
});
