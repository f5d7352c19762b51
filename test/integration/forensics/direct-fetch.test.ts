import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, withCredentials } from '../../../src/kafka/client';
import { DirectFetchReader, directTimestampsAt, type DirectFetchStats } from '../../../src/kafka/direct-fetch';
import { committedOffsets, logBounds, offsetsAtTime, recordTimestampsAt } from '../../../src/kafka/offsets';
import { encodeBatch, splitBatches } from '../../../src/sandbox/kafka/log/record-batch';
import { ErrorCode } from '../../../src/kafka/wire';
import { seedTradingExfiltration, type TradingScenario } from '../../../src/sandbox/scenario/trading-exfiltration';
import { startSandboxes, type ScenarioSandboxes } from '../scenario/helpers';

/*
 * The direct fetch reader against the Kafka sandbox over real sockets, judged by kafkajs: the
 * timestamps it reads at the window's edges equal those a kafkajs consumer reads, the bytes it
 * fetches for them stay bounded by its per-partition limit (a kafkajs consumer fetches up to 1 MB
 * per partition), a range read hands over exactly the records in the range, and a principal without
 * READ gets a precise authorisation error, not a hang.
 */


describe('direct fetch reader', () => {
  let sb: ScenarioSandboxes;
  let scenario: TradingScenario;
  let admin: Admin;

  beforeAll(async () => {
    sb = await startSandboxes();
    scenario = await seedTradingExfiltration({ kafka: sb.connection, secrets: sb.secrets, attacker: 'committing', volume: { partitions: 24, recordsPerPartition: 400 } });
    admin = createKafka(sb.connection, { clientId: 'test' }).admin();
    await admin.connect();
  }, 60_000);
  afterAll(async () => {
    await admin?.disconnect();
    await sb?.close();
  });

  it('reads the timestamps at the window edges that kafkajs reads, one Fetch per round, bytes bounded', async () => {
    const points = scenario.groundTruth.partitions.flatMap((p) => [
      { partition: p.partition, offset: p.from },
      { partition: p.partition, offset: p.to },
    ]);
    const fromKafkajs = await recordTimestampsAt(sb.connection, 'orders', points);
    const stats: DirectFetchStats = { requests: 0, bytes: 0 };
    const direct = await directTimestampsAt(sb.connection, admin, 'orders', points, { stats });

    const byOffset = (a: { partition: number; offset: string | bigint }, b: { partition: number; offset: string | bigint }): number => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset));
    expect(direct.timestamps).toEqual([...fromKafkajs.timestamps].sort(byOffset));
    expect(direct.timestamps).toHaveLength(points.length);
    expect(direct.averageRecordBytes).toBeCloseTo(fromKafkajs.averageRecordBytes, 6);
    // Ground truth: the first and last timestamps of each partition's window.
    for (const p of scenario.groundTruth.partitions) {
      expect(direct.timestamps.find((t) => t.partition === p.partition && t.offset === p.from)?.timestamp).toBe(p.firstTs);
      expect(direct.timestamps.find((t) => t.partition === p.partition && t.offset === p.to)?.timestamp).toBe(p.lastTs);
    }
    // One broker: every round is one Fetch for all partitions; at most two rounds (two edges each).
    expect(stats.requests).toBeLessThanOrEqual(2);
    // At most one stored batch per edge comes back (the sandbox answers with whole batches).
    const largestBatch = Math.max(...[...(sb.kafka.broker.topics.get('orders')?.partitions ?? [])].map((log) => largestBatchOf(log)));
    expect(stats.bytes).toBeLessThanOrEqual(points.length * Math.max(32 * 1024, largestBatch));
    const topicBytes = [...(sb.kafka.broker.topics.get('orders')?.partitions ?? [])].reduce((n, log) => n + bytesOf(log), 0);
    expect(stats.bytes).toBeLessThan(topicBytes / 2);
  });

  it('leaves offsets without a record out, as kafkajs does', async () => {
    const bounds = await logBounds(admin, 'orders');
    const end = bounds.map((b) => ({ partition: b.partition, offset: b.highWatermark }));
    const direct = await directTimestampsAt(sb.connection, admin, 'orders', end);
    expect(direct.timestamps).toEqual([]);
  });

  it('streams ranges: exactly the records in each span, checkpoints that never pass the span end', async () => {
    const reader = new DirectFetchReader(sb.connection, admin, { rangeBytes: 4096 });
    const spans = scenario.groundTruth.partitions.slice(0, 6).map((p) => ({ partition: p.partition, from: BigInt(p.from), to: BigInt(p.to) + 1n }));
    const seen = new Map<number, bigint[]>();
    const checkpoints = new Map<number, bigint>();
    try {
      await reader.readRanges('orders', spans, (partition, records, next) => {
        const list = seen.get(partition) ?? [];
        for (const r of records) list.push(r.offset);
        seen.set(partition, list);
        const previous = checkpoints.get(partition);
        if (previous !== undefined) expect(next).toBeGreaterThan(previous);
        checkpoints.set(partition, next);
      });
    } finally {
      await reader.close();
    }
    for (const s of spans) {
      const expected = Array.from({ length: Number(s.to - s.from) }, (_, i) => s.from + BigInt(i));
      expect(seen.get(s.partition)).toEqual(expected);
      expect(checkpoints.get(s.partition)).toBe(s.to);
    }
    // A small per-partition limit means several rounds, each one request for all six partitions.
    expect(reader.stats.requests).toBeGreaterThan(1);
  });

  it('reads log bounds and the timestamp index with plain ListOffsets, equal to what kafkajs admin answers', async () => {
    const reader = new DirectFetchReader(sb.connection, admin);
    try {
      expect(await reader.logBounds('orders')).toEqual(await logBounds(admin, 'orders'));
      const firsts = scenario.groundTruth.partitions.map((p) => p.firstTs);
      // A time inside the log, one before it, one after every record (no record: the high watermark).
      for (const time of [Math.min(...firsts) + 1, 0, Date.now() + 3_600_000]) {
        expect(await reader.offsetsAtTime('orders', time)).toEqual(await offsetsAtTime(admin, 'orders', time));
      }
      // Two timestamps × one broker: every call is one request per timestamp, none per partition.
      expect(reader.stats.requests).toBe(2 + 3 * 2);
    } finally {
      await reader.close();
    }
  });

  it('reads edges out of responses larger than the pooled-frame threshold, twice in a row, one stored batch per edge', async () => {
    // 64 partitions × 8 batches of ~13 KB (100 records, as a producer with the default 16 KB batch.size
    // writes): one edge round brings back ~0.8 MB, so the response is read from a pooled buffer,
    // which the second call reuses; a reused buffer that leaked into a result would corrupt it.
    sb.kafka.broker.createTopic('edges-large', 64, {});
    const logs = sb.kafka.broker.topics.get('edges-large')?.partitions ?? [];
    const base = Date.now() - 3_600_000 * 2; // inside the default retention
    logs.forEach((log, p) => {
      for (let b = 0; b < 8; b++) {
        const records = Array.from({ length: 100 }, (_, i) => ({ key: null, value: Buffer.from(JSON.stringify({ p, b, i, pad: 'x'.repeat(100) })), timestamp: base + p * 10_000 + b * 100 + i }));
        log.append(splitBatches(encodeBatch(records)));
      }
    });
    const points = logs.flatMap((_, p) => [{ partition: p, offset: 150n + BigInt(p) }, { partition: p, offset: 720n - BigInt(p) }]);
    const expected = points.map((pt) => ({ partition: pt.partition, offset: pt.offset.toString(), timestamp: base + pt.partition * 10_000 + Math.floor(Number(pt.offset) / 100) * 100 + (Number(pt.offset) % 100) }));
    const reader = new DirectFetchReader(sb.connection, admin);
    try {
      const first = await reader.timestampsAt('edges-large', points);
      const second = await reader.timestampsAt('edges-large', points);
      expect(first.timestamps).toEqual(expected);
      expect(second.timestamps).toEqual(expected);
      expect(second.averageRecordBytes).toBe(first.averageRecordBytes);
      // Two rounds per call (the edges are in different batches), one request each; one batch per edge.
      expect(reader.stats.requests).toBe(4);
      expect(reader.stats.bytes).toBeLessThanOrEqual(2 * points.length * Math.max(...logs.map((log) => largestBatchOf(log))));
      expect(reader.stats.bytes / 2).toBeGreaterThan(256 * 1024);
    } finally {
      await reader.close();
    }
  });

  it.each([1, 2])('finds every point once with %i edge slot(s): points sharing a batch, more points than slots, points past the end', async (edgeSlots) => {
    const topic = `edges-many-${edgeSlots}`;
    sb.kafka.broker.createTopic(topic, 4, {});
    const logs = sb.kafka.broker.topics.get(topic)?.partitions ?? [];
    const base = Date.now() - 3_600_000;
    logs.forEach((log, p) => {
      for (let b = 0; b < 4; b++) log.append(splitBatches(encodeBatch(Array.from({ length: 50 }, (_, i) => ({ key: null, value: Buffer.from(`v${p}-${b}-${i}`), timestamp: base + p * 1000 + b * 50 + i })))));
    });
    // Per partition: three points in the first batch, one in each later batch, one at the high watermark.
    const offsets = [3n, 17n, 40n, 60n, 120n, 199n, 200n];
    const points = logs.flatMap((_, p) => offsets.map((offset) => ({ partition: p, offset })));
    // A 1-byte limit: every first ask is cut short and asked again with the batch's size; with two
    // slots both bring back the first batch on their own and its points must be counted once.
    const reader = new DirectFetchReader(sb.connection, admin, { edgeBytes: 1, edgeSlots });
    try {
      const got = await reader.timestampsAt(topic, points);
      expect(got.timestamps).toEqual(points.filter((pt) => pt.offset < 200n).map((pt) => ({ partition: pt.partition, offset: pt.offset.toString(), timestamp: base + pt.partition * 1000 + Number(pt.offset) })));
      expect(got.averageRecordBytes).toBeGreaterThan(0);
      // Requests carry every partition (never one per point), however many rounds the limits take.
      expect(reader.stats.requests).toBeLessThan(points.length);
    } finally {
      await reader.close();
    }
  });

  it('reads committed offsets with FindCoordinator + OffsetFetch, equal to kafkajs admin, one lookup per group', async () => {
    // A second group with commits on two topics, and a group that never committed anything.
    sb.kafka.broker.createTopic('committed-b', 3, {});
    // Committed in the coordinator directly (kafkajs' setOffsets waits out a join).
    sb.kafka.broker.groups.commit('audit-reader', 'orders', 0, 7n, null);
    sb.kafka.broker.groups.commit('audit-reader', 'orders', 5, 11n, 'free text');
    sb.kafka.broker.groups.commit('audit-reader', 'committed-b', 2, 0n, null);
    const groups = ['audit-reader', 'never-committed', 'report-exporter'];
    const reader = new DirectFetchReader(sb.connection, admin);
    try {
      const first = await reader.committedOffsets(groups, ['orders', 'committed-b']);
      for (const topic of ['orders', 'committed-b']) {
        expect(first.get(topic)).toEqual(byGroupAndPartition(await committedOffsets(admin, groups, topic)));
      }
      // The attacker committed where its reading ended on every partition it read (ground truth).
      const attacker = first.get('orders')?.filter((c) => c.groupId === 'report-exporter') ?? [];
      expect(attacker.length).toBeGreaterThan(0);
      for (const c of attacker) expect(BigInt(c.offset) - 1n).toBe(BigInt(scenario.groundTruth.partitions.find((p) => p.partition === c.partition)?.to ?? -1));
      expect(first.get('committed-b')).toEqual([{ groupId: 'audit-reader', partition: 2, offset: '0' }]);
      // One FindCoordinator and one OffsetFetch (both topics in it) per group; the second call asks
      // the remembered coordinators directly.
      expect(reader.stats.requests).toBe(2 * groups.length);
      expect(await reader.committedOffsets(groups, ['orders', 'committed-b'])).toEqual(first);
      expect(reader.stats.requests).toBe(3 * groups.length);
    } finally {
      await reader.close();
    }
  });

  it('asks again when the coordinator moved or is loading, and names the group when it may not be described', async () => {
    const reader = new DirectFetchReader(sb.connection, admin);
    try {
      const expected = byGroupAndPartition(await committedOffsets(admin, ['report-exporter'], 'orders'));
      sb.kafka.broker.faults.failNext(9, 1, ErrorCode.NOT_COORDINATOR);
      sb.kafka.broker.faults.failNext(10, 1, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
      const got = await reader.committedOffsets(['report-exporter'], ['orders']);
      expect(got.get('orders')).toEqual(expected);
      // Lookup refused once, lookup, fetch refused (moved), lookup again, fetch.
      expect(reader.stats.requests).toBe(5);
    } finally {
      sb.kafka.broker.faults.reset();
      await reader.close();
    }
    const outsider = withCredentials(sb.connection, 'order-service', scenario.accounts['order-service']?.password ?? '');
    const outsiderAdmin = createKafka(outsider, { clientId: 'test' }).admin();
    await outsiderAdmin.connect();
    const outsiderReader = new DirectFetchReader(outsider, outsiderAdmin);
    try {
      const err = await outsiderReader.committedOffsets(['report-exporter'], ['orders']).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'DirectFetchError', type: 'GROUP_AUTHORIZATION_FAILED', code: ErrorCode.GROUP_AUTHORIZATION_FAILED });
      expect((err as Error).message).toContain('report-exporter');
    } finally {
      await outsiderReader.close();
      await outsiderAdmin.disconnect();
    }
  });

  it('says the cluster\'s metadata carries no topic ids when the broker serves no Metadata v10+ (the sandbox)', async () => {
    const reader = new DirectFetchReader(sb.connection, admin);
    try {
      expect(await reader.topicIds()).toBeUndefined();
      expect(reader.stats.requests).toBe(0);
    } finally {
      await reader.close();
    }
  });

  it('fails with the authorisation error, naming the partition, when the principal may not READ', async () => {
    const exporter = scenario.accounts['report-exporter'];
    if (exporter === undefined) throw new Error('scenario has no report-exporter');
    const outsider = withCredentials(sb.connection, 'order-service', scenario.accounts['order-service']?.password ?? '');
    // order-service writes orders but is not granted READ on them in the scenario.
    const outsiderAdmin = createKafka(outsider, { clientId: 'test' }).admin();
    await outsiderAdmin.connect();
    try {
      const err = await directTimestampsAt(outsider, outsiderAdmin, 'orders', [{ partition: 0, offset: 0n }]).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'DirectFetchError', type: 'TOPIC_AUTHORIZATION_FAILED', code: ErrorCode.TOPIC_AUTHORIZATION_FAILED });
      expect((err as Error).message).toContain('orders/0');
    } finally {
      await outsiderAdmin.disconnect();
    }
  });
});

/** kafkajs keeps the broker's partition order; the reader sorts by group, then partition. */
function byGroupAndPartition<T extends { groupId: string; partition: number }>(list: T[]): T[] {
  return [...list].sort((a, b) => a.groupId.localeCompare(b.groupId) || a.partition - b.partition);
}

function largestBatchOf(log: unknown): number {
  const batches = (log as { batches?: Array<{ data: Buffer }> }).batches ?? [];
  return Math.max(0, ...batches.map((b) => b.data.length));
}

function bytesOf(log: unknown): number {
  const batches = (log as { batches?: Array<{ data: Buffer }> }).batches ?? [];
  return batches.reduce((n, b) => n + b.data.length, 0);
}
