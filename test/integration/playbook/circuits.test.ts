import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AclBinding, EventDataMap } from '../../../src/domain/events';
import { join } from 'node:path';
import { loadRunbookFile } from '../../../src/domain/runbook-loader';
import type { BreakerRule } from '../../../src/domain/runbook';
import type { StepInput, StepOutput } from '../../../src/domain/step-contract';
import { normaliseBindings } from '../../../src/kafka/acl-codes';
import { createAclAdmin } from '../../../src/kafka/acls';
import { aclSnapshot, clientAs, runActivity, startWorld, tryConsume, waitFor, type ContainmentWorld } from './containment-fixture';

/*
 * The break-circuits step and its undo against the seeded trading-exfiltration scenario, with the
 * runbook's own breakers: kafkajs consumers of the downstream principals are refused while a
 * breaker is open and read again once it is closed; ACLs that were there before stay put.
 */

type CircuitOpened = EventDataMap['CircuitOpened'];
const CONTROL = 'breachline.control.test';
const NAMES = ['orders-to-data-lake', 'orders-to-analytics'];
let world: ContainmentWorld;
let breakers: Record<string, BreakerRule>;
/** DENYs someone put there before the incident: closing the breakers must leave them. */
const PRE_EXISTING: AclBinding[] = [
  { resourceType: 'TOPIC', resourceName: 'orders', patternType: 'LITERAL', principal: 'User:analytics-consumer', host: '*', operation: 'WRITE', permission: 'DENY' },
  { resourceType: 'TOPIC', resourceName: 'invoices', patternType: 'LITERAL', principal: 'User:data-lake-sink', host: '*', operation: 'READ', permission: 'DENY' },
];

beforeAll(async () => {
  world = await startWorld();
  breakers = (await loadRunbookFile(join(__dirname, '..', '..', '..', 'runbooks', 'kafka-exfiltration.yaml'))).runbook.breakers;
  const acls = createAclAdmin(world.kafka.connection);
  await acls.create(PRE_EXISTING);
  await acls.close();
}, 120_000);
afterAll(async () => {
  await world?.close();
});

function openInput(names = NAMES): StepInput<'break-circuits'> & { breakers: Record<string, BreakerRule> } {
  return { incidentId: 'inc-circuits', stepId: 'break-circuits', stepKey: 'inc-circuits/break-circuits', mode: 'live', principal: 'User:report-exporter', params: { breakers: names, controlTopic: CONTROL }, breakers };
}

function closeInput(opened: CircuitOpened[]) {
  return { incidentId: 'inc-circuits', stepId: 'break-circuits', stepKey: 'inc-circuits/break-circuits', mode: 'live' as const, opened, approvalId: 'appr-7', controlTopic: CONTROL };
}

/** Every record on the control topic, as parsed JSON. */
async function controlEvents(expected: number): Promise<Array<Record<string, unknown>>> {
  const consumer = clientAs(world).consumer({ groupId: `control-reader-${Date.now()}`, maxWaitTimeInMs: 100 });
  const seen: Array<Record<string, unknown>> = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: CONTROL, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(JSON.parse(message.value?.toString() ?? '{}') as Record<string, unknown>) });
    await waitFor(() => seen.length >= expected, 10_000, `${expected} control events`);
    // A little longer, so an unexpected extra record would be seen too.
    await new Promise((r) => setTimeout(r, 300));
    return seen;
  } finally {
    await consumer.disconnect();
  }
}

describe('break-circuits', () => {
  let opened: CircuitOpened[] = [];
  let before: AclBinding[] = [];

  it('dry-run lists the DENYs and control events and changes nothing', async () => {
    before = await aclSnapshot(world);
    const { out, err } = await runActivity(world.activities.openCircuits, { ...openInput(), mode: 'dry-run' as const });
    expect(err).toBeUndefined();
    expect(await aclSnapshot(world)).toEqual(before);
    const planned = out?.events[0];
    expect(out?.events).toHaveLength(1);
    const changes = planned?.type === 'StepPlanned' ? planned.data.changes : [];
    expect(changes.map((c) => `${c.kind} ${c.target}`).sort()).toEqual(['acl.create TOPIC:orders', 'acl.create TOPIC:orders', `kafka.produce TOPIC:${CONTROL}`, `kafka.produce TOPIC:${CONTROL}`]);
    const admin = clientAs(world).admin();
    await admin.connect();
    expect(await admin.listTopics()).not.toContain(CONTROL);
    await admin.disconnect();
  });

  it('opening cuts the downstream consumers off, and nobody else', async () => {
    expect(await tryConsume(world, 'analytics-consumer', 'orders')).toBe('ok');
    expect(await tryConsume(world, 'data-lake-sink', 'orders')).toBe('ok');

    const { out, err, heartbeats } = await runActivity(world.activities.openCircuits, openInput());
    expect(err).toBeUndefined();
    opened = (out as StepOutput<CircuitOpened[]>).result ?? [];
    expect(out?.events.map((e) => e.type)).toEqual(['CircuitOpened', 'CircuitOpened']);
    expect(opened.map((o) => [o.breaker, o.topic, o.principals])).toEqual([
      ['orders-to-data-lake', 'orders', ['User:data-lake-sink']],
      ['orders-to-analytics', 'orders', ['User:analytics-consumer']],
    ]);
    const added = opened.flatMap((o) => o.addedDenyBindings);
    expect(added.map((b) => `${b.principal} ${b.permission} ${b.operation} ${b.resourceType}:${b.resourceName}`)).toEqual([
      'User:data-lake-sink DENY READ TOPIC:orders',
      'User:analytics-consumer DENY READ TOPIC:orders',
    ]);
    // DENY READ on nothing else: the ACL set is the old one plus exactly these.
    expect(await aclSnapshot(world)).toEqual(normaliseBindings([...before, ...added]));
    expect(heartbeats.at(-1)?.published).toEqual(NAMES);

    expect(await tryConsume(world, 'analytics-consumer', 'orders')).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await tryConsume(world, 'data-lake-sink', 'orders')).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await tryConsume(world, 'risk-consumer', 'orders')).toBe('ok');

    const events = await controlEvents(2);
    expect(events).toEqual(NAMES.map((breaker) => ({ breaker, state: 'open', incidentId: 'inc-circuits', at: expect.any(String) })));

    // A retry from the checkpoint adds no ACL and publishes nothing twice.
    const retry = await runActivity(world.activities.openCircuits, openInput(), heartbeats.at(-1));
    expect(retry.err).toBeUndefined();
    expect(retry.out?.result).toEqual(opened);
    expect(await aclSnapshot(world)).toEqual(normaliseBindings([...before, ...added]));
    expect(await controlEvents(2)).toHaveLength(2);
  });

  it('closing removes exactly what opening added and the consumers read again', async () => {
    const { out, err } = await runActivity(world.activities.closeCircuits, closeInput(opened));
    expect(err).toBeUndefined();
    expect(out?.events).toEqual(
      NAMES.map((breaker) => expect.objectContaining({ type: 'CircuitClosed', data: expect.objectContaining({ breaker, approvalId: 'appr-7', topic: 'orders' }) })),
    );
    expect(await aclSnapshot(world)).toEqual(before);
    for (const b of PRE_EXISTING) expect(before).toContainEqual(b);
    expect(await tryConsume(world, 'analytics-consumer', 'orders')).toBe('ok');
    expect(await tryConsume(world, 'data-lake-sink', 'orders')).toBe('ok');
    const events = await controlEvents(4);
    expect(events.slice(2).map((e) => [e.breaker, e.state])).toEqual(NAMES.map((n) => [n, 'closed']));

    // Closing again is harmless: nothing to delete, consumers still read.
    const again = await runActivity(world.activities.closeCircuits, closeInput(opened));
    expect(again.err).toBeUndefined();
    expect(await aclSnapshot(world)).toEqual(before);
  });

  it('refuses a breaker the runbook does not define, without retry', async () => {
    const { err } = await runActivity(world.activities.openCircuits, openInput(['no-such-breaker']));
    expect(err?.type).toBe('UnknownBreaker');
    expect(err?.nonRetryable).toBe(true);
    expect(await aclSnapshot(world)).toEqual(before);
  });
});
