import { MockActivityEnvironment } from '@temporalio/testing';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForensicsActivities, type ForensicsCheckpoint, type InvestigateInput } from '../../../activities/forensics';
import type { EventDataMap } from '../../../src/domain/events';
import type { ActionParams } from '../../../src/domain/runbook';
import type { EventDraft, StepOutput } from '../../../src/domain/step-contract';
import { createKafka } from '../../../src/kafka/client';
import { silentLogger } from '../../../src/log/logger';
import { ManualClock } from '../../../src/sandbox/kafka';
import { seedTradingExfiltration, type TradingScenario } from '../../../src/sandbox/scenario/trading-exfiltration';
import { startSandboxes, type ScenarioSandboxes } from '../scenario/helpers';

/*
 * The forensics step against the Kafka sandbox seeded with the trading-exfiltration scenario, with
 * kafkajs over real sockets: its figures must equal the scenario's ground truth exactly, with an
 * attacker that commits offsets and with one that never does; the legal hold must keep records the
 * broker would otherwise delete; a second run must change nothing and report the same figures.
 */

const SCENARIO_END = Date.parse('2026-11-21T12:00:00Z');
const HOUR = 60 * 60 * 1000;
/** Original retention of `orders`: 30 h, so the day of traffic is all there when the step runs. */
const RETENTION_MS = 30 * HOUR;

const params: ActionParams['forensics'] = {
  topics: ['orders'],
  legalHoldRetentionMs: -1,
  piiFields: {
    source: 'inline',
    fields: [
      { path: 'client.name', category: 'name' },
      { path: 'client.email', category: 'contact' },
      { path: 'client.accountId', category: 'account-identifier' },
    ],
  },
  dataSubjectKey: 'client.accountId',
  exactCountThreshold: 100_000,
  hllPrecision: 14,
  useAccessRecords: true,
};

function input(overrides: Partial<InvestigateInput> = {}): InvestigateInput {
  return { incidentId: 'inc-1', stepId: 'forensics', stepKey: 'inc-1/forensics', mode: 'live', principal: 'User:report-exporter', params, ...overrides };
}

/** Runs `investigate` as Temporal would, collecting heartbeats; `details` simulates a retry's checkpoint. */
async function investigate(sb: ScenarioSandboxes, request: InvestigateInput, details?: unknown): Promise<{ out: StepOutput; beats: unknown[] }> {
  const acts = createForensicsActivities({ kafka: sb.connection, logger: silentLogger, now: () => new Date(SCENARIO_END) });
  const env = new MockActivityEnvironment(details === undefined ? {} : { heartbeatDetails: details });
  const beats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => beats.push(d));
  const out: StepOutput = await env.run(acts.investigate, request);
  return { out, beats };
}

function dataOf<T extends EventDraft['type']>(events: EventDraft[], type: T): Array<EventDataMap[T]> {
  return events.filter((e) => e.type === type).map((e) => e.data as EventDataMap[T]);
}

/** The established window in the ground truth's shape. */
function figures(window: EventDataMap['ForensicWindowEstablished']): { partitions: unknown[]; totals: unknown; dataSubjects: number } {
  return {
    partitions: window.partitions.map((p) => ({ partition: p.partition, from: p.from, to: p.to, records: p.records, bytes: p.bytes, firstTs: p.firstTs, lastTs: p.lastTs })),
    totals: { records: window.totals.records, bytes: window.totals.bytes },
    dataSubjects: window.dataSubjects.count,
  };
}

function truthOf(scenario: TradingScenario): { partitions: unknown[]; totals: unknown; dataSubjects: number } {
  return { partitions: scenario.groundTruth.partitions, totals: scenario.groundTruth.totals, dataSubjects: scenario.groundTruth.dataSubjects };
}

async function lowOffsets(sb: ScenarioSandboxes, topic: string): Promise<string[]> {
  const admin = createKafka(sb.connection, { clientId: 'test' }).admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition).map((o) => o.low);
  } finally {
    await admin.disconnect();
  }
}

async function retentionMs(sb: ScenarioSandboxes, topic: string): Promise<string | undefined> {
  return sb.kafka.broker.topics.get(topic)?.configs.get('retention.ms');
}

describe('investigate — attacker that commits offsets', () => {
  let sb: ScenarioSandboxes;
  let clock: ManualClock;
  let scenario: TradingScenario;
  let first: { out: StepOutput; beats: unknown[] };

  beforeAll(async () => {
    clock = new ManualClock(SCENARIO_END);
    sb = await startSandboxes({ clock });
    scenario = await seedTradingExfiltration({ kafka: sb.connection, secrets: sb.secrets, attacker: 'committing', scenarioEnd: new Date(SCENARIO_END), retentionMs: RETENTION_MS });
    // A control topic with the same retention and no legal hold: proves the broker does delete.
    await sb.kafka.broker.createTopic('control', 1, { 'retention.ms': String(RETENTION_MS) });
    const producer = createKafka(sb.connection, { clientId: 'test' }).producer();
    await producer.connect();
    // Two sends, two batches: retention deletes whole batches.
    await producer.send({ topic: 'control', messages: [{ value: 'old', timestamp: String(SCENARIO_END - 23 * HOUR) }] });
    await producer.send({ topic: 'control', messages: [{ value: 'new', timestamp: String(SCENARIO_END) }] });
    await producer.disconnect();
  }, 60_000);
  afterAll(async () => {
    await sb?.close();
  });

  it('plans the legal hold in dry-run mode and changes nothing', async () => {
    const { out } = await investigate(sb, input({ mode: 'dry-run' }));
    expect(out.events.map((e) => e.type)).toEqual(['StepPlanned']);
    expect(dataOf(out.events, 'StepPlanned')[0]?.changes).toEqual([
      { kind: 'topic.config', target: 'TOPIC:orders', description: `legal hold: retention.ms ${RETENTION_MS} → -1, retention.bytes -1 → -1` },
    ]);
    expect(await retentionMs(sb, 'orders')).toBe(String(RETENTION_MS));
  });

  it('applies the legal hold first, then establishes the window equal to the ground truth', async () => {
    first = await investigate(sb, input());
    expect(first.out.events.map((e) => e.type)).toEqual(['LegalHoldApplied', 'ForensicWindowEstablished']);
    expect(dataOf(first.out.events, 'LegalHoldApplied')[0]).toEqual({ topic: 'orders', previousRetentionMs: String(RETENTION_MS), retentionMs: '-1' });
    expect(await retentionMs(sb, 'orders')).toBe('-1');

    const window = dataOf(first.out.events, 'ForensicWindowEstablished')[0] as EventDataMap['ForensicWindowEstablished'];
    expect(figures(window)).toEqual(truthOf(scenario));
    expect(window.bytesExact).toBe(true);
    expect(window.sources).toEqual(expect.arrayContaining(['committed-offsets', 'access-records', 'timestamp-index']));
    expect(window.dataSubjects).toEqual({ count: scenario.groundTruth.dataSubjects, method: 'exact', relativeStandardError: 0 });
    expect(window.piiCategories).toEqual(['account-identifier', 'contact', 'name']);
    expect(first.out.result).toEqual({ topics: [{ topic: 'orders', partitions: window.partitions }] });
  });

  it('never puts personal data in events or heartbeats', () => {
    const text = JSON.stringify([first.out, first.beats]);
    expect(text).not.toMatch(/@example\.com/);
    expect(text).not.toMatch(/ACC-\d{7}/);
    expect(first.beats.length).toBeGreaterThan(0);
  });

  it('is idempotent: a retry reports the same figures and the hold is changed once', async () => {
    const checkpoint = first.beats[first.beats.length - 1] as ForensicsCheckpoint;
    expect(checkpoint.holds.orders).toEqual({ retentionMs: String(RETENTION_MS), retentionBytes: '-1' });
    const again = await investigate(sb, input(), checkpoint);
    expect(again.out.events).toEqual(first.out.events);
    const alters = sb.kafka.broker.accessLog.query({ kind: 'authorization', resourceName: 'orders' }).filter((r) => r.api === 'AlterConfigs');
    expect(alters).toHaveLength(1);
  });

  it('keeps, under legal hold, records the original retention would delete', async () => {
    expect((await lowOffsets(sb, 'orders')).every((o) => o === '0')).toBe(true);
    clock.advance(10 * HOUR);
    // The control topic loses its 23-hour-old record (33 h old now, retention 30 h)...
    expect(await lowOffsets(sb, 'control')).toEqual(['1']);
    // ...while orders keeps every record, the 24-hour-old ones included (34 h old now).
    expect((await lowOffsets(sb, 'orders')).every((o) => o === '0')).toBe(true);
  });

  it('without access records, derives the window from commits and the timestamp index', async () => {
    const { out } = await investigate(sb, input({ params: { ...params, useAccessRecords: false }, suspectedSince: new Date(scenario.exfiltrationStart).toISOString(), countDataSubjects: false }));
    const window = dataOf(out.events, 'ForensicWindowEstablished')[0] as EventDataMap['ForensicWindowEstablished'];
    const strip = (p: { partition: number; from: string; to: string; records: string; firstTs: number | null; lastTs: number | null }): unknown => ({
      partition: p.partition, from: p.from, to: p.to, records: p.records, firstTs: p.firstTs, lastTs: p.lastTs,
    });
    expect(window.partitions.map(strip)).toEqual(scenario.groundTruth.partitions.map(strip));
    expect(window.sources).toEqual(['committed-offsets', 'timestamp-index']);
    // Bytes are estimated from the sampled records' sizes when no fetch record says.
    expect(window.bytesExact).toBe(false);
    const estimate = Number(window.totals.bytes);
    expect(Math.abs(estimate - Number(scenario.groundTruth.totals.bytes)) / Number(scenario.groundTruth.totals.bytes)).toBeLessThan(0.1);
  });
});

describe('investigate — after containment removed the principal\'s ACLs', () => {
  let sb: ScenarioSandboxes;
  let scenario: TradingScenario;

  beforeAll(async () => {
    sb = await startSandboxes({ clock: new ManualClock(SCENARIO_END) });
    scenario = await seedTradingExfiltration({ kafka: sb.connection, secrets: sb.secrets, attacker: 'committing', scenarioEnd: new Date(SCENARIO_END), retentionMs: RETENTION_MS });
    // What the contain step leaves behind: no ALLOW for report-exporter, DENY ALL on its resources.
    const admin = createKafka(sb.connection, { clientId: 'test' }).admin();
    await admin.connect();
    const mine = { principal: 'User:report-exporter', host: '*', resourcePatternType: ResourcePatternTypes.LITERAL };
    await admin.deleteAcls({ filters: [{ ...mine, resourceType: AclResourceTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ALLOW, resourcePatternType: ResourcePatternTypes.ANY }] });
    await admin.createAcls({
      acl: [
        { ...mine, resourceType: AclResourceTypes.TOPIC, resourceName: 'orders', operation: AclOperationTypes.ALL, permissionType: AclPermissionTypes.DENY },
        { ...mine, resourceType: AclResourceTypes.GROUP, resourceName: 'report-exporter', operation: AclOperationTypes.ALL, permissionType: AclPermissionTypes.DENY },
      ],
    });
    await admin.disconnect();
  }, 60_000);
  afterAll(async () => {
    await sb?.close();
  });

  it('leaves report-exporter with DENY bindings only (the containment this test assumes)', async () => {
    const admin = createKafka(sb.connection, { clientId: 'test' }).admin();
    await admin.connect();
    try {
      const acls = await admin.describeAcls({
        principal: 'User:report-exporter',
        resourceType: AclResourceTypes.ANY,
        resourcePatternType: ResourcePatternTypes.ANY,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      });
      const permissions = acls.resources.flatMap((r) => r.acls.map((a) => a.permissionType));
      expect(permissions).toEqual([AclPermissionTypes.DENY, AclPermissionTypes.DENY]);
    } finally {
      await admin.disconnect();
    }
  });

  it('still finds the principal\'s group and establishes the window equal to the ground truth', async () => {
    const { out } = await investigate(sb, input());
    const window = dataOf(out.events, 'ForensicWindowEstablished')[0] as EventDataMap['ForensicWindowEstablished'];
    expect(figures(window)).toEqual(truthOf(scenario));
    expect(window.sources).toContain('committed-offsets');
  });
});

describe('investigate — attacker that never commits', () => {
  let sb: ScenarioSandboxes;
  let scenario: TradingScenario;

  beforeAll(async () => {
    sb = await startSandboxes({ clock: new ManualClock(SCENARIO_END) });
    scenario = await seedTradingExfiltration({ kafka: sb.connection, secrets: sb.secrets, attacker: 'non-committing', scenarioEnd: new Date(SCENARIO_END), retentionMs: RETENTION_MS });
  }, 60_000);
  afterAll(async () => {
    await sb?.close();
  });

  it('establishes the window from access records, equal to the ground truth', async () => {
    const { out } = await investigate(sb, input());
    const window = dataOf(out.events, 'ForensicWindowEstablished')[0] as EventDataMap['ForensicWindowEstablished'];
    expect(figures(window)).toEqual(truthOf(scenario));
    expect(window.bytesExact).toBe(true);
    expect(window.sources).not.toContain('committed-offsets');
    expect(window.sources).toContain('access-records');
  });

  it('reads the PII tags from the published schema when the runbook says topic-config', async () => {
    const { out } = await investigate(sb, input({ params: { ...params, piiFields: { source: 'topic-config' }, dataSubjectKey: 'unused.by.schema' } }));
    const window = dataOf(out.events, 'ForensicWindowEstablished')[0] as EventDataMap['ForensicWindowEstablished'];
    expect(window.piiCategories).toEqual(['account-identifier', 'contact', 'name']);
    expect(window.dataSubjects.count).toBe(scenario.groundTruth.dataSubjects);
  });

  it('counts data subjects with a sketch above the exact threshold, stating its error', async () => {
    const { out } = await investigate(sb, input({ params: { ...params, exactCountThreshold: 100, hllPrecision: 12 } }));
    const window = dataOf(out.events, 'ForensicWindowEstablished')[0] as EventDataMap['ForensicWindowEstablished'];
    expect(window.dataSubjects.method).toBe('hll');
    expect(window.dataSubjects.relativeStandardError).toBeCloseTo(1.04 / 64, 6);
    const truth = scenario.groundTruth.dataSubjects;
    expect(Math.abs(window.dataSubjects.count - truth) / truth).toBeLessThan(3 * window.dataSubjects.relativeStandardError);
  });
});
