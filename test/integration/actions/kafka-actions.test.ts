import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { AclOperationTypes as Op, AclPermissionTypes as Perm, AclResourceTypes as Res, ResourcePatternTypes as Pat, type Admin, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaActionActivities } from '../../../activities/actions/kafka';
import type { GenericActionInput, GenericCompensationInput, GenericActionResult } from '../../../src/actions/contract';
import type { KafkaPauseConsumerGroupParams } from '../../../src/actions/kafka-pause-consumer-group';
import type { KafkaResetOffsetsParams } from '../../../src/actions/kafka-reset-offsets';
import { ScramAdmin } from '../../../src/kafka/scram-admin';
import { silentLogger } from '../../../src/log/logger';
import type { RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { client, startBroker, waitFor } from '../kafka/helpers';

let sandbox: RunningKafkaSandbox;
let admin: Admin;
let acts: ReturnType<typeof createKafkaActionActivities>;
const T0 = Date.UTC(2026, 11, 5, 10, 0, 0);
const context = { incidentId: 'inc-7', runbookId: 'poisoned-topic', severity: 'high', title: 'Forged trades on orders' };
const input = <P>(stepId: string, params: P): GenericActionInput<P> => ({ incidentId: 'inc-7', stepId, stepKey: `inc-7/${stepId}/1`, params, context });

/** The compensation input exactly as the workflow's saga sends it (no params, no context). */
const undoInput = (stepId: string, compensation: Record<string, unknown> | undefined): GenericCompensationInput => ({ incidentId: 'inc-7', stepId, stepKey: `inc-7/${stepId}/undo`, compensation: compensation ?? {} });

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err: unknown = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

/** Starts a consumer of `orders` in `group` as `user`; resolves once it has joined (or with the error that stopped it). */
async function consume(user: string, group: string): Promise<{ consumer: Consumer; joined: Promise<'joined' | string> }> {
  const consumer = client(sandbox, { username: user, password: `${user}-pw`, retry: { retries: 0, restartOnFailure: () => Promise.resolve(false) } }).consumer({ groupId: group, sessionTimeout: 6000, rebalanceTimeout: 3000 });
  const joined = new Promise<'joined' | string>((resolve) => {
    consumer.on(consumer.events.GROUP_JOIN, () => resolve('joined'));
    consumer.on(consumer.events.CRASH, (e) => resolve((e.payload.error as { type?: string }).type ?? e.payload.error.message));
  });
  await consumer.connect();
  await consumer.subscribe({ topic: 'orders', fromBeginning: true });
  await consumer.run({ eachMessage: async () => undefined }).catch(() => undefined);
  return { consumer, joined };
}

beforeAll(async () => {
  sandbox = await startBroker();
  admin = client(sandbox).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2 }] });
  const producer = client(sandbox).producer();
  await producer.connect();
  for (const partition of [0, 1]) {
    await producer.send({ topic: 'orders', messages: Array.from({ length: 10 }, (_, i) => ({ partition, value: `trade-${partition}-${i}`, timestamp: String(T0 + i * 60_000) })) });
  }
  await producer.disconnect();
  const scram = new ScramAdmin({ brokers: [...sandbox.connection.brokers], sasl: { mechanism: 'scram-sha-512', username: sandbox.connection.username, password: sandbox.connection.password } });
  await scram.upsert([{ user: 'risk-engine', mechanism: 'SCRAM-SHA-512', password: 'risk-engine-pw' }]);
  await scram.close();
  const allow = (resourceType: Res, resourceName: string) => ({ resourceType, resourceName, resourcePatternType: Pat.LITERAL, principal: 'User:risk-engine', host: '*', operation: Op.ALL, permissionType: Perm.ALLOW });
  await admin.createAcls({ acl: [allow(Res.TOPIC, 'orders'), allow(Res.GROUP, 'risk')] });
  await admin.setOffsets({ groupId: 'risk', topic: 'orders', partitions: [{ partition: 0, offset: '10' }, { partition: 1, offset: '10' }] });
  acts = createKafkaActionActivities({ kafka: { ...sandbox.connection, brokers: [...sandbox.connection.brokers] }, logger: silentLogger });
});
afterAll(async () => {
  await admin?.disconnect();
  await sandbox?.close();
});

describe('kafka.pause-consumer-group', () => {
  const params: KafkaPauseConsumerGroupParams = { group: 'risk', principals: ['User:risk-engine'] };

  it('reports the live group, denies its principal READ so it cannot rejoin, and compensation lets it back', async () => {
    const live = await consume('risk-engine', 'risk');
    expect(await live.joined).toBe('joined');
    await waitFor(() => sandbox.broker.groups.describe('risk').state === 'Stable', 10_000, 'a Stable group');
    const paused = await acts.actionKafkaPauseConsumerGroup(input('pause', params));
    expect(paused.details).toMatchObject({ group: 'risk', state: 'Stable', members: 1, topics: 'orders', addedBindings: 2 });
    await live.consumer.disconnect();

    const refused = await consume('risk-engine', 'risk');
    expect(await refused.joined).toBe('GROUP_AUTHORIZATION_FAILED');
    await refused.consumer.disconnect();

    // Idempotent re-run: nothing new is added, so nothing would be recorded twice.
    const again = await acts.actionKafkaPauseConsumerGroup(input('pause', params));
    expect(again.details).toMatchObject({ addedBindings: 0 });

    const undo = await acts.actionKafkaResumeConsumerGroup(undoInput('pause', paused.compensation));
    expect(undo.details).toMatchObject({ removedBindings: 2 });
    const back = await consume('risk-engine', 'risk');
    expect(await back.joined).toBe('joined');
    await back.consumer.disconnect();
  });

  it('compensation removes only what the step added, even when a retry found its own bindings', async () => {
    const stepKey = 'inc-7/pause-retry/1';
    const beats: unknown[] = [];
    const first = new MockActivityEnvironment();
    first.on('heartbeat', (d: unknown) => beats.push(d));
    await first.run(acts.actionKafkaPauseConsumerGroup, { ...input('pause-retry', params), stepKey });
    const retry = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: beats.at(-1) });
    const res = (await retry.run(acts.actionKafkaPauseConsumerGroup, { ...input('pause-retry', params), stepKey })) as GenericActionResult;
    expect(res.details).toMatchObject({ addedBindings: 2 });
    await acts.actionKafkaResumeConsumerGroup(undoInput('pause-retry', res.compensation));
    const left = await admin.describeAcls({ resourceType: Res.ANY, resourcePatternType: Pat.ANY, operation: Op.ANY, permissionType: Perm.DENY, principal: 'User:risk-engine' });
    expect(left.resources).toEqual([]);
  });

  it('refuses a group without committed offsets when no topics are named', async () => {
    const f = await failureOf(acts.actionKafkaPauseConsumerGroup(input('pause', { group: 'nobody', principals: ['User:x'] })));
    expect(f).toMatchObject({ type: 'ConsumerGroupHasNoTopics', nonRetryable: true });
    expect(f.message).toBe('kafka.pause-consumer-group: topics: group nobody has no committed offsets (state Dead); name the topics to deny');
  });
});

describe('kafka.reset-offsets', () => {
  const byTime: KafkaResetOffsetsParams = { group: 'risk', topic: 'orders', timestamp: new Date(T0 + 4 * 60_000).toISOString() };
  const committedNow = async (): Promise<string[]> => (await admin.fetchOffsets({ groupId: 'risk', topics: ['orders'] }))[0]!.partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset);

  it('refuses a group with a live member, naming its state and members', async () => {
    const live = await consume('risk-engine', 'risk');
    expect(await live.joined).toBe('joined');
    try {
      const f = await failureOf(acts.actionKafkaResetOffsets(input('rewind', byTime)));
      expect(f).toMatchObject({ type: 'ConsumerGroupNotEmpty', nonRetryable: true });
      expect(f.message).toMatch(/^kafka\.reset-offsets: group: risk is (Stable|PreparingRebalance|CompletingRebalance) with 1 member\(s\) \(.+\); offsets can only be reset on an Empty group/);
    } finally {
      await live.consumer.disconnect();
    }
  });

  it('rewinds an Empty group to a timestamp, and compensation restores the previous offsets', async () => {
    await waitFor(() => sandbox.broker.groups.describe('risk').state === 'Empty', 10_000, 'an Empty group');
    await admin.setOffsets({ groupId: 'risk', topic: 'orders', partitions: [{ partition: 0, offset: '10' }, { partition: 1, offset: '8' }] });
    const res = await acts.actionKafkaResetOffsets(input('rewind', byTime));
    expect(res.details).toMatchObject({ p0: '10 → 4', p1: '8 → 4' });
    expect(await committedNow()).toEqual(['4', '4']);
    await acts.actionKafkaRestoreOffsets(undoInput('rewind', res.compensation));
    expect(await committedNow()).toEqual(['10', '8']);
  });

  it('a retry after the commit keeps the offsets from before the reset (checkpoint)', async () => {
    const stepKey = 'inc-7/rewind-retry/1';
    const params: KafkaResetOffsetsParams = { group: 'risk', topic: 'orders', offsets: { '0': '2' } };
    const beats: unknown[] = [];
    const first = new MockActivityEnvironment();
    first.on('heartbeat', (d: unknown) => beats.push(d));
    await first.run(acts.actionKafkaResetOffsets, { ...input('rewind-retry', params), stepKey });
    const retry = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: beats.at(-1) });
    const res = (await retry.run(acts.actionKafkaResetOffsets, { ...input('rewind-retry', params), stepKey })) as GenericActionResult;
    expect(res.compensation).toEqual({ group: 'risk', topic: 'orders', previousOffsets: { '0': '10' } });
    expect(await committedNow()).toEqual(['2', '8']);
  });

  it('refuses offsets outside the log and an unknown group precisely', async () => {
    const outside = await failureOf(acts.actionKafkaResetOffsets(input('rewind', { group: 'risk', topic: 'orders', offsets: { '1': '99' } })));
    expect(outside.message).toBe('kafka.reset-offsets: offsets.1: 99 is outside the log of orders-1 (0..10)');
    const dead = await failureOf(acts.actionKafkaResetOffsets(input('rewind', { ...byTime, group: 'typo' })));
    expect(dead).toMatchObject({ type: 'ConsumerGroupUnknown', nonRetryable: true, message: 'kafka.reset-offsets: group: typo does not exist (state Dead)' });
  });
});
