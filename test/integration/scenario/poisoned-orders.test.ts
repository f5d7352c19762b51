import { MockActivityEnvironment } from '@temporalio/testing';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaActionActivities } from '../../../activities/actions/kafka';
import { createContainmentActivities } from '../../../activities/containment';
import type { GenericActionInput, GenericActionResult } from '../../../src/actions/contract';
import type { KafkaResetOffsetsParams } from '../../../src/actions/kafka-reset-offsets';
import { createKafka, withCredentials } from '../../../src/kafka/client';
import { silentLogger } from '../../../src/log/logger';
import { DOWNSTREAM_GROUPS, seedPoisonedOrders, type PoisonedOrdersScenario } from '../../../src/sandbox/scenario/poisoned-orders';
import { startSandboxes, type ScenarioSandboxes } from './helpers';

/*
 * The poisoned-orders scenario on the sandboxes, and the rewind its runbook makes:
 * - the seeded downstream groups have consumed past every forged record and are Empty;
 * - a live consumer cut off by the runbook's breaker (DENY READ on orders) is refused on its next
 *   fetch, stops and leaves its group: the group turns Empty, which the rewind needs — this is the
 *   behaviour the runbook's comments rely on;
 * - `kafka.reset-offsets` with the located first offsets rewinds each group exactly there, and
 *   leaves the partitions without forged records where they were.
 */

describe('poisoned-orders: downstream groups and their rewind', () => {
  let sb: ScenarioSandboxes;
  let scenario: PoisonedOrdersScenario;
  let admin: Admin;
  const kafkaActions = () => createKafkaActionActivities({ kafka: sb.connection, logger: silentLogger });

  beforeAll(async () => {
    sb = await startSandboxes();
    scenario = await seedPoisonedOrders({ kafka: sb.connection, secrets: sb.secrets });
    admin = createKafka(sb.connection, { clientId: 'test' }).admin();
    await admin.connect();
  }, 90_000);
  afterAll(async () => {
    await admin?.disconnect();
    await sb?.close();
  });

  const committed = async (group: string): Promise<Record<string, string>> => {
    const [t] = await admin.fetchOffsets({ groupId: group, topics: ['orders'] });
    return Object.fromEntries((t?.partitions ?? []).map((p) => [String(p.partition), p.offset]));
  };

  it('seeds groups that consumed past the forged records and stopped', async () => {
    const ends = Object.fromEntries((await admin.fetchTopicOffsets('orders')).map((o) => [String(o.partition), o.high]));
    for (const group of Object.keys(DOWNSTREAM_GROUPS)) {
      expect(await committed(group)).toEqual(ends);
      const { groups } = await admin.describeGroups([group]);
      expect(groups[0]?.state).toBe('Empty');
    }
    for (const [p, first] of Object.entries(scenario.truth.firstForgedOffsets)) expect(BigInt(first)).toBeLessThan(BigInt(ends[p] as string));
  });

  it('a live consumer cut off by the breaker is refused, stops and leaves its group', async () => {
    const principal = DOWNSTREAM_GROUPS['risk-engine'] as string;
    const password = scenario.accounts[principal]?.password as string;
    // A consumer as a service runs it: kafkajs defaults, retrying what is retriable.
    const consumer = createKafka(withCredentials(sb.connection, principal, password, 'scram-sha-512'), { clientId: principal }).consumer({ groupId: 'risk-engine', maxWaitTimeInMs: 200, sessionTimeout: 10_000, heartbeatInterval: 500 });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    const crashed = new Promise<string>((resolve) => consumer.on(consumer.events.CRASH, (e) => resolve((e.payload.error as { type?: string }).type ?? e.payload.error.message)));
    const stopped = new Promise<void>((resolve) => consumer.on(consumer.events.STOP, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders' });
    await consumer.run({ eachMessage: async () => undefined });
    await joined;
    expect((await admin.describeGroups(['risk-engine'])).groups[0]?.state).toBe('Stable');

    const containment = createContainmentActivities({ kafka: sb.connection, secrets: sb.secrets, logger: silentLogger });
    await new MockActivityEnvironment().run(containment.openCircuits, {
      incidentId: 'inc-p', stepId: 'break-circuits', stepKey: 'inc-p/break-circuits', mode: 'live' as const, principal: 'User:qa-loadtest',
      params: { breakers: ['orders-to-risk'], controlTopic: 'breachline.control' },
      breakers: { 'orders-to-risk': { topic: 'orders', principals: [`User:${principal}`], description: 'risk' } },
    });
    expect(await crashed).toMatch(/not authorized to access topics/i);
    await stopped;
    await consumer.disconnect();
    expect((await admin.describeGroups(['risk-engine'])).groups[0]?.state).toBe('Empty');
  }, 60_000);

  it('rewinds each group to exactly the first forged offsets, other partitions untouched', async () => {
    const before = await committed('settlement');
    const acts = kafkaActions();
    for (const group of Object.keys(DOWNSTREAM_GROUPS)) {
      const input: GenericActionInput<KafkaResetOffsetsParams> = {
        incidentId: 'inc-p', stepId: `rewind-${group}`, stepKey: `inc-p/rewind-${group}`,
        params: { group, topic: 'orders', offsets: scenario.truth.firstForgedOffsets },
        context: { incidentId: 'inc-p', runbookId: 'poisoned-topic', severity: 'critical', title: 'forged trades' },
      };
      const result: GenericActionResult = await new MockActivityEnvironment().run(acts.actionKafkaResetOffsets, input);
      expect(result.details.group).toBe(group);
      const now = await committed(group);
      for (const [p, offset] of Object.entries(now)) expect(offset).toBe(scenario.truth.expectedRewinds[group]?.[p] ?? before[p]);
    }
    expect(Object.keys(scenario.truth.firstForgedOffsets)).not.toContain('5');
  }, 60_000);
});
