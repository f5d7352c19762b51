import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForensicsActivities, type ForensicFindings } from '../../../activities/forensics';
import type { EventDataMap } from '../../../src/domain/events';
import type { StepOutput } from '../../../src/domain/step-contract';
import { parseSourceSpec } from '../../../src/forensics/sources';
import { createKafka, withCredentials } from '../../../src/kafka/client';
import { silentLogger } from '../../../src/log/logger';
import { ApiKey } from '../../../src/sandbox/kafka/protocol/api-keys';
import { ErrorCode } from '../../../src/sandbox/kafka/protocol/errors';
import { ROGUE_ACCOUNT, seedPoisonedOrders, type PoisonedOrdersScenario } from '../../../src/sandbox/scenario/poisoned-orders';
import { startSandboxes, type ScenarioSandboxes } from '../scenario/helpers';
import { ordersForensics } from './orders-params';

/*
 * Write-side forensics from the request log ALONE, as on a real cluster without the sandbox's
 * `__access_log`: the broker logs every PRODUCE it completes (KIP-673 JSON to rotating files, the
 * older text form shipped to a topic) while the poisoned-orders scenario's three kafkajs producers
 * interleave on `orders`. From the logged base offsets and the batch headers there, `investigate`
 * with `access: write` must yield exactly the forged ranges of the ground truth, labelled exact;
 * an acks=0 produce is reported as unlocated, never given offsets; a logged produce whose batch
 * was deleted stays in the window, labelled bounded.
 */

const params = ordersForensics('write');

let sb: ScenarioSandboxes;
let scenario: PoisonedOrdersScenario;
let logDir: string;
const fileSpec = (): string => `request-log:file:${join(logDir, 'kafka-request.log*')}`;
const topicSpec = 'request-log:topic:kafka-request-log';

beforeAll(async () => {
  logDir = mkdtempSync(join(tmpdir(), 'breachline-produce-log-'));
  sb = await startSandboxes({
    forensicEmit: { requestLog: { format: 'json', file: join(logDir, 'kafka-request.log'), maxFileBytes: 32 * 1024, topic: 'kafka-request-log', topicFormat: 'text' } },
  });
  scenario = await seedPoisonedOrders({ kafka: sb.connection, secrets: sb.secrets });
}, 90_000);

afterAll(async () => {
  await sb?.close();
  rmSync(logDir, { recursive: true, force: true });
});

async function investigate(spec: string, incident: string, topics = params.topics): Promise<{ out: StepOutput; window: EventDataMap['ForensicWindowEstablished'] }> {
  const acts = createForensicsActivities({ kafka: sb.connection, logger: silentLogger, accessSources: [parseSourceSpec(spec)] });
  const out: StepOutput = await new MockActivityEnvironment().run(acts.investigate, {
    incidentId: incident, stepId: 'locate', stepKey: `${incident}/locate`, mode: 'live' as const, principal: `User:${ROGUE_ACCOUNT}`, params: { ...params, topics }, dataSubjectScan: 'fan-out' as const,
  });
  const window = out.events.find((e) => e.type === 'ForensicWindowEstablished')?.data as EventDataMap['ForensicWindowEstablished'];
  return { out, window };
}

const measured = (w: EventDataMap['ForensicWindowEstablished']): Record<string, Array<{ from: string; to: string; records: string; bytes: string }>> =>
  Object.fromEntries(w.partitions.filter((p) => p.ranges.length > 0).map((p) => [String(p.partition), p.ranges.map((r) => ({ from: r.from, to: r.to, records: r.records, bytes: r.bytes }))]));

describe('forensics with access: write, from the request log alone', () => {
  it('the log rotated over several files and names the rogue’s produces', () => {
    expect(readdirSync(logDir).filter((f) => f.startsWith('kafka-request.log.')).length).toBeGreaterThan(0);
    const live = readFileSync(join(logDir, 'kafka-request.log'), 'utf8');
    expect(live).toContain('"requestApiKeyName":"PRODUCE"');
  });

  for (const [label, spec] of [['rotated files, KIP-673 JSON', fileSpec], ['shipped topic, older text form', () => topicSpec]] as const) {
    it(`${label}: exactly the forged ranges of the ground truth, labelled exact`, async () => {
      const { out, window } = await investigate(spec(), `inc-${label.length}`);
      expect(measured(window)).toEqual(scenario.truth.forged);
      expect(window.totals.records).toBe(scenario.truth.forgedRecords);
      expect(window.totals.bytes).toBe(scenario.truth.forgedBytes);
      for (const p of window.partitions.filter((x) => x.ranges.length > 0)) {
        expect(p.precision).toBe('exact');
        // The request log placed it and the batch's producer id confirmed it; no sandbox access log.
        expect(p.sources).toEqual(['record-batch-producer-id', 'request-log']);
      }
      expect((out.result as ForensicFindings).firstOffsets).toEqual(scenario.truth.firstForgedOffsets);
      // Every produce was placed: the event says nothing of unplaced writes.
      expect(window.unlocatedWrites).toBeUndefined();
    }, 60_000);
  }

  it('an acks=0 produce has no offsets in the log: reported as unlocated, the window unchanged', async () => {
    const rogue = createKafka(withCredentials(sb.connection, ROGUE_ACCOUNT, scenario.accounts[ROGUE_ACCOUNT]?.password ?? '', 'scram-sha-512'), { clientId: 'qa-loadtest-fire-and-forget', logger: silentLogger });
    const producer = rogue.producer();
    await producer.connect();
    const sentFrom = Date.now();
    await producer.send({ topic: 'orders', acks: 0, messages: [{ partition: 5, value: JSON.stringify({ forged: true }) }] });
    // The proving event: the broker's line for that produce is in the log (no sleep-and-hope).
    const logged = (): boolean => readdirSync(logDir).some((f) => readFileSync(join(logDir, f), 'utf8').includes('"clientId":"qa-loadtest-fire-and-forget"'));
    for (let i = 0; i < 100 && !logged(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    await producer.disconnect();
    expect(logged()).toBe(true);
    const sentBy = Date.now();

    for (const spec of [fileSpec(), topicSpec]) {
      const { out, window } = await investigate(spec, `inc-acks0-${spec.length}`);
      const unlocated = (out.result as ForensicFindings).unlocatedWrites ?? [];
      expect(unlocated.map((u) => u.reason), spec).toEqual(['acks-0']);
      expect(unlocated[0]?.clientId).toBe('qa-loadtest-fire-and-forget');
      // The JSON form names the partition written; the text form at DEBUG only how many.
      if (spec === topicSpec) expect(unlocated[0]).toMatchObject({ partitions: 1 });
      else expect(unlocated[0]).toMatchObject({ topic: 'orders', partition: 5 });
      expect(measured(window)).toEqual(scenario.truth.forged);
      // The event carries it, so the timeline, the report and the drafts say the window is a lower
      // bound: count, reason, partition and time only, never the client id or address.
      expect(window.unlocatedWrites, spec).toEqual([
        spec === topicSpec
          ? { reason: 'acks-0', count: 1, topicNamed: false, partitions: [], firstTs: expect.any(Number), lastTs: expect.any(Number) }
          : { reason: 'acks-0', count: 1, topicNamed: true, partitions: [5], firstTs: expect.any(Number), lastTs: expect.any(Number) },
      ]);
      const at = window.unlocatedWrites?.[0]?.firstTs ?? 0;
      // Log lines carry milliseconds (JSON) or seconds (text form): within the send, to the second.
      expect(at).toBeGreaterThanOrEqual(Math.floor(sentFrom / 1000) * 1000);
      expect(at).toBeLessThanOrEqual(sentBy);
      expect(JSON.stringify(window)).not.toContain('qa-loadtest-fire-and-forget');
    }
  }, 60_000);

  it('over two topics, an acks=0 line naming no topic is stated in both windows and listed once in the findings', async () => {
    // Runs after the acks=0 produce above: its text-form line names neither topic nor partition.
    const admin = createKafka(sb.connection, { clientId: 'test', logger: silentLogger }).admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'order-fills', numPartitions: 2 }] });
    await admin.disconnect();
    for (const spec of [topicSpec, fileSpec()]) {
      const { out } = await investigate(spec, `inc-two-${spec.length}`, ['orders', 'order-fills']);
      const windows = out.events.filter((e) => e.type === 'ForensicWindowEstablished').map((e) => e.data as EventDataMap['ForensicWindowEstablished']);
      const stated = Object.fromEntries(windows.map((w) => [w.topic, (w.unlocatedWrites ?? []).map((u) => `${u.reason}:${u.topicNamed}:${u.count}`)]));
      // The text form cannot say which topic: both windows are lower bounds. The JSON form names orders only.
      expect(stated, spec).toEqual(spec === topicSpec ? { orders: ['acks-0:false:1'], 'order-fills': ['acks-0:false:1'] } : { orders: ['acks-0:true:1'], 'order-fills': [] });
      expect((out.result as ForensicFindings).unlocatedWrites?.length, spec).toBe(1);
    }
  }, 60_000);

  it('a produce the broker refused is logged with its error code and takes no offsets', async () => {
    const rogue = createKafka(withCredentials(sb.connection, ROGUE_ACCOUNT, scenario.accounts[ROGUE_ACCOUNT]?.password ?? '', 'scram-sha-512'), { clientId: 'qa-loadtest-refused', logger: silentLogger });
    const producer = rogue.producer({ retry: { retries: 0 } });
    await producer.connect();
    const ends = async (): Promise<string[]> => {
      const admin = createKafka(sb.connection, { clientId: 'test', logger: silentLogger }).admin();
      await admin.connect();
      try {
        return (await admin.fetchTopicOffsets('orders')).sort((a, b) => a.partition - b.partition).map((o) => o.high);
      } finally {
        await admin.disconnect();
      }
    };
    const before = await ends();
    sb.kafka.broker.faults.failNext(ApiKey.Produce, 1, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    await expect(producer.send({ topic: 'orders', messages: [{ partition: 1, value: JSON.stringify({ forged: true }) }] })).rejects.toThrow();
    await producer.disconnect();
    expect(await ends()).toEqual(before);
    const line = readdirSync(logDir).flatMap((f) => readFileSync(join(logDir, f), 'utf8').split('\n')).find((l) => l.includes('"clientId":"qa-loadtest-refused"') && l.includes('"requestApiKeyName":"PRODUCE"'));
    expect(line).toContain('"errorCode":29');

    const { window } = await investigate(fileSpec(), 'inc-refused');
    expect(measured(window)).toEqual(scenario.truth.forged);
  }, 60_000);

  it('a logged produce whose batch is gone stays in the window, labelled bounded', async () => {
    // The first forged range of partition 0 is deleted (DeleteRecords past its end).
    const first = scenario.truth.forged['0']?.[0];
    expect(first).toBeDefined();
    const admin = createKafka(sb.connection, { clientId: 'test', logger: silentLogger }).admin();
    await admin.connect();
    await admin.fetchTopicMetadata({ topics: ['orders'] });
    await admin.deleteTopicRecords({ topic: 'orders', partitions: [{ partition: 0, offset: String(BigInt(first?.to ?? '0') + 1n) }] });
    await admin.disconnect();

    const { window } = await investigate(fileSpec(), 'inc-gone');
    const p0 = window.partitions.find((p) => p.partition === 0);
    expect(p0?.precision).toBe('bounded');
    // Its batch can no longer say where it ended: the window runs from what is left of the log up
    // to the rogue's next logged base offset there, which that batch cannot have passed.
    const second = scenario.truth.forged['0']?.[1];
    expect(p0?.ranges[0]?.from).toBe(String(BigInt(first?.to ?? '0') + 1n));
    expect(BigInt(p0?.ranges[0]?.to ?? '0')).toBeGreaterThanOrEqual(BigInt(second?.from ?? '0'));
    expect(p0?.sources).toEqual(['record-batch-producer-id', 'request-log']);
    // Kept, not dropped: partition 0's later forged ranges are still there, and the others exact.
    const later = scenario.truth.forged['0']?.slice(1) ?? [];
    for (const f of later) expect(p0?.ranges.some((r) => BigInt(r.from) <= BigInt(f.from) && BigInt(r.to) >= BigInt(f.to))).toBe(true);
    for (const p of window.partitions.filter((x) => x.partition !== 0 && x.ranges.length > 0)) expect(p.precision).toBe('exact');
  }, 60_000);
});
