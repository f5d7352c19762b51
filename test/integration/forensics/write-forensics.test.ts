import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForensicsActivities, type ForensicFindings } from '../../../activities/forensics';
import type { EventDataMap } from '../../../src/domain/events';
import type { StepOutput } from '../../../src/domain/step-contract';
import { silentLogger } from '../../../src/log/logger';
import { seedPoisonedOrders, type PoisonedOrdersScenario } from '../../../src/sandbox/scenario/poisoned-orders';
import { startSandboxes, type ScenarioSandboxes } from '../scenario/helpers';
import { ordersForensics } from './orders-params';

/*
 * Write-side forensics against the Kafka sandbox: the poisoned-orders scenario's three kafkajs
 * producers interleave on `orders` (the rogue and order-gateway idempotent, each with its own
 * producer id; order-service without). `investigate` with `access: write` must find exactly the
 * rogue's records — ranges taken from the producers' own answers — and none of order-gateway's
 * or order-service's, each range confirmed by the producer id in the batches.
 */

const params = ordersForensics('write');

describe('forensics with access: write', () => {
  let sb: ScenarioSandboxes;
  let scenario: PoisonedOrdersScenario;
  let out: StepOutput;
  let window: EventDataMap['ForensicWindowEstablished'];

  beforeAll(async () => {
    sb = await startSandboxes();
    scenario = await seedPoisonedOrders({ kafka: sb.connection, secrets: sb.secrets });
    const acts = createForensicsActivities({ kafka: sb.connection, logger: silentLogger });
    out = await new MockActivityEnvironment().run(acts.investigate, {
      incidentId: 'inc-w', stepId: 'locate', stepKey: 'inc-w/locate', mode: 'live' as const, principal: 'User:qa-loadtest', params, dataSubjectScan: 'fan-out' as const,
    });
    window = out.events.find((e) => e.type === 'ForensicWindowEstablished')?.data as EventDataMap['ForensicWindowEstablished'];
  }, 90_000);
  afterAll(async () => {
    await sb?.close();
  });

  it('the scenario interleaves: forged ranges are several per partition, with legitimate records between', () => {
    const forged = scenario.truth.forged;
    expect(Object.keys(forged).length).toBe(5);
    expect(Object.values(forged).some((ranges) => ranges.length >= 3)).toBe(true);
    expect(forged['5']).toBeUndefined();
  });

  it('locates exactly the rogue producer’s records, per partition and range', () => {
    const measured = Object.fromEntries(window.partitions.filter((p) => p.ranges.length > 0).map((p) => [String(p.partition), p.ranges.map((r) => ({ from: r.from, to: r.to, records: r.records, bytes: r.bytes }))]));
    expect(measured).toEqual(scenario.truth.forged);
    expect(window.totals.records).toBe(scenario.truth.forgedRecords);
    expect(window.totals.bytes).toBe(scenario.truth.forgedBytes);
  });

  it('labels each partition exact, confirmed by the producer id in the batches', () => {
    for (const p of window.partitions.filter((x) => x.ranges.length > 0)) {
      expect(p.precision).toBe('exact');
      expect(p.sources).toEqual(['record-batch-producer-id', 'sandbox-access-log']);
    }
  });

  it('outputs firstOffsets and hands the same ranges to evidence replay', () => {
    const findings = out.result as ForensicFindings;
    expect(findings.firstOffsets).toEqual(scenario.truth.firstForgedOffsets);
    expect((out as StepOutput & { outputs?: unknown }).outputs).toEqual({ firstOffsets: scenario.truth.firstForgedOffsets });
    expect(findings.topics[0]?.partitions).toEqual(window.partitions);
  });

  it('a legitimate producer is not located: order-gateway produced, idempotently, and owns nothing in the window', async () => {
    const acts = createForensicsActivities({ kafka: sb.connection, logger: silentLogger });
    const gateway: StepOutput = await new MockActivityEnvironment().run(acts.investigate, {
      incidentId: 'inc-g', stepId: 'locate', stepKey: 'inc-g/locate', mode: 'live' as const, principal: 'User:order-gateway', params, dataSubjectScan: 'fan-out' as const,
    });
    const w = gateway.events.find((e) => e.type === 'ForensicWindowEstablished')?.data as EventDataMap['ForensicWindowEstablished'];
    // Its own records, not one of them forged: no range of it overlaps a forged range.
    expect(BigInt(w.totals.records)).toBeGreaterThan(0n);
    for (const p of w.partitions) {
      for (const r of p.ranges) {
        for (const f of scenario.truth.forged[String(p.partition)] ?? []) expect(BigInt(r.to) < BigInt(f.from) || BigInt(r.from) > BigInt(f.to)).toBe(true);
      }
    }
  }, 60_000);
});
