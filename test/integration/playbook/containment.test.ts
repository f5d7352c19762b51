import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AclBinding, EventDataMap } from '../../../src/domain/events';
import type { ActionParams } from '../../../src/domain/runbook';
import type { StepInput, StepOutput } from '../../../src/domain/step-contract';
import { normaliseBindings } from '../../../src/kafka/acl-codes';
import { createAclAdmin } from '../../../src/kafka/acls';
import { probeConsume, probeProduce } from '../../../src/kafka/access-probe';
import { withCredentials } from '../../../src/kafka/client';
import { ScramAdmin } from '../../../src/kafka/scram-admin';
import { aclSnapshot, clientAs, errorType, runActivity, sleep, startWorld, tryConsume, tryProduce, waitFor, type ContainmentWorld } from './containment-fixture';

/*
 * The contain step and its undo against the Kafka and Vault sandboxes, seeded with the
 * trading-exfiltration scenario; kafkajs and node-vault over real sockets, activities under
 * MockActivityEnvironment. Every test leaves the ACLs as it found them (restoreAccess), so the
 * tests share one seeded cluster.
 */

type AccessRevoked = EventDataMap['AccessRevoked'];
const EXPORTER = 'report-exporter';
const PRINCIPAL = `User:${EXPORTER}`;
/** The exporter also writes its reports somewhere: proves produce is refused, not just never allowed. */
const EXPORTS = 'report-exports';
let world: ContainmentWorld;

beforeAll(async () => {
  world = await startWorld();
  const acls = createAclAdmin(world.kafka.connection);
  await acls.create([{ resourceType: 'TOPIC', resourceName: EXPORTS, patternType: 'LITERAL', principal: PRINCIPAL, host: '*', operation: 'WRITE', permission: 'ALLOW' }]);
  await acls.close();
}, 120_000);
afterAll(async () => {
  await world?.close();
});

function containInput(params: Partial<ActionParams['contain']> = {}, stepId = 'contain'): StepInput<'contain'> {
  return {
    incidentId: 'inc-contain',
    stepId,
    stepKey: `inc-contain/${stepId}`,
    mode: 'live',
    principal: PRINCIPAL,
    params: { scope: 'resources', denyOperations: ['ALL'], verify: true, ...params },
  };
}

async function contain(input = containInput()): Promise<{ out: StepOutput<AccessRevoked>; heartbeats: unknown[] }> {
  const { out, err, heartbeats } = await runActivity(world.activities.contain, input);
  if (err) throw err;
  return { out: out as StepOutput<AccessRevoked>, heartbeats };
}

async function restore(revoked: AccessRevoked, stepId = 'contain'): Promise<StepOutput> {
  const { out, err } = await runActivity(world.activities.restoreAccess, { incidentId: 'inc-contain', stepId, stepKey: `inc-contain/${stepId}`, mode: 'live' as const, revoked });
  if (err) throw err;
  return out as StepOutput;
}

const exporterConnection = (): ReturnType<typeof withCredentials> =>
  withCredentials(world.kafka.connection, EXPORTER, world.scenario.accounts[EXPORTER]?.password ?? '', 'scram-sha-512');

describe('contain', () => {
  it('refuses the compromised principal produce and consume, leaves the others alone, and restore puts back exactly the prior ACLs', async () => {
    expect(await tryProduce(world, EXPORTER, EXPORTS)).toBe('ok');
    expect(await tryConsume(world, EXPORTER, 'orders')).toBe('ok');
    const before = await aclSnapshot(world);

    const { out } = await contain();
    const revoked = out.result as AccessRevoked;
    expect(out.events.map((e) => e.type)).toEqual(['AccessRevoked']);
    expect(out.events[0]?.actor).toEqual({ kind: 'system', id: 'activity:contain' });
    expect(revoked.verified).toBe(true);
    expect(normaliseBindings(revoked.removedAllowBindings)).toEqual(before.filter((b) => b.principal === PRINCIPAL && b.permission === 'ALLOW'));
    expect(revoked.removedAllowBindings).toHaveLength(3);
    // One DENY ALL per resource it held, from any host.
    expect(normaliseBindings(revoked.addedDenyBindings).map((b) => `${b.resourceType}:${b.resourceName}:${b.operation}:${b.host}`)).toEqual([
      'GROUP:report-exporter:ALL:*',
      'TOPIC:orders:ALL:*',
      'TOPIC:report-exports:ALL:*',
    ]);

    expect(await tryProduce(world, EXPORTER, EXPORTS)).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await tryConsume(world, EXPORTER, 'orders')).toMatch(/AUTHORIZATION_FAILED/);
    // Downstream consumers and the producer of orders are untouched.
    expect(await tryConsume(world, 'analytics-consumer', 'orders')).toBe('ok');
    expect(await tryProduce(world, 'order-service', 'orders')).toBe('ok');
    const during = await aclSnapshot(world);
    expect(during.filter((b) => b.principal !== PRINCIPAL)).toEqual(before.filter((b) => b.principal !== PRINCIPAL));

    const undone = await restore(revoked);
    expect(undone.events).toEqual([expect.objectContaining({ type: 'StepCompensated', data: expect.objectContaining({ stepId: 'contain', action: 'contain' }) })]);
    expect(await aclSnapshot(world)).toEqual(before);
    expect(await tryProduce(world, EXPORTER, EXPORTS)).toBe('ok');
  });

  it('stops a consumer that was already connected and waiting for records', async () => {
    const received: string[] = [];
    const consumer = clientAs(world, EXPORTER).consumer({ groupId: 'report-exporter-live', maxWaitTimeInMs: 10_000, retry: { retries: 0 } });
    const acls = createAclAdmin(world.kafka.connection);
    const liveGroup: AclBinding = { resourceType: 'GROUP', resourceName: 'report-exporter-live', patternType: 'LITERAL', principal: PRINCIPAL, host: '*', operation: 'READ', permission: 'ALLOW' };
    await acls.create([liveGroup]);
    const producer = clientAs(world).producer();
    await producer.connect();
    let revoked: AccessRevoked | undefined;
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: 'orders', fromBeginning: false });
      await consumer.run({ eachMessage: async ({ message }) => void received.push(message.value?.toString() ?? '') });
      // Keep producing until the consumer has joined and is reading at the end of the log.
      for (let i = 0; received.length === 0 && i < 100; i++) {
        await producer.send({ topic: 'orders', messages: [{ value: `before-${i}` }] });
        await sleep(100);
      }
      expect(received.length).toBeGreaterThan(0);
      // Let the consumer park its next long-poll (10 s) before access is revoked.
      await sleep(300);
      const count = received.length;

      revoked = (await contain()).out.result;
      await producer.send({ topic: 'orders', messages: Array.from({ length: 24 }, (_, i) => ({ value: `after-revocation-${i}` })) });
      await sleep(1500);
      expect(received.slice(count)).toEqual([]);
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await producer.disconnect();
      if (revoked) await restore(revoked);
      await acls.deleteExact([liveGroup]);
      await acls.close();
    }
  });

  it('is idempotent: a retry from the checkpoint, or a fresh run, changes nothing', async () => {
    const before = await aclSnapshot(world);
    const first = await contain();
    try {
      const contained = await aclSnapshot(world);
      const checkpoint = first.heartbeats.at(-1) as Parameters<typeof runActivity>[2];
      expect(checkpoint?.removedAllowBindings).toEqual(first.out.result?.removedAllowBindings);

      // Temporal hands the last heartbeat to the retry: same bindings reported, nothing changed.
      const retry = await runActivity(world.activities.contain, containInput(), checkpoint);
      expect(retry.err).toBeUndefined();
      expect(retry.out?.result).toEqual(first.out.result);
      expect(await aclSnapshot(world)).toEqual(contained);

      // Without a checkpoint the run still changes nothing and still proves the refusal; what was
      // removed earlier is no longer observable, so only the workflow's AccessRevoked holds it.
      const fresh = await runActivity(world.activities.contain, containInput());
      expect(fresh.err).toBeUndefined();
      expect(fresh.out?.result).toMatchObject({ verified: true, removedAllowBindings: [], addedDenyBindings: [] });
      expect(await aclSnapshot(world)).toEqual(contained);
    } finally {
      await restore(first.out.result as AccessRevoked);
    }
    expect(await aclSnapshot(world)).toEqual(before);
  });

  it('dry-run lists every change and changes nothing', async () => {
    const before = await aclSnapshot(world);
    const { out, err } = await runActivity(world.activities.contain, { ...containInput(), mode: 'dry-run' as const });
    expect(err).toBeUndefined();
    expect(await aclSnapshot(world)).toEqual(before);
    expect(out?.events).toHaveLength(1);
    const planned = out?.events[0];
    expect(planned?.type).toBe('StepPlanned');
    const changes = planned?.type === 'StepPlanned' ? planned.data.changes : [];
    expect(changes.filter((c) => c.kind === 'acl.delete').map((c) => c.target).sort()).toEqual(['GROUP:report-exporter', 'TOPIC:orders', 'TOPIC:report-exports']);
    expect(changes.filter((c) => c.kind === 'acl.create').map((c) => c.target).sort()).toEqual(['GROUP:report-exporter', 'TOPIC:orders', 'TOPIC:report-exports']);
    expect(out?.result).toBeUndefined();
  });

  it('scope cluster denies on every topic and group; the undo leaves a DENY that was there before', async () => {
    const acls = createAclAdmin(world.kafka.connection);
    // Identical to one contain wants: it must not be recorded as added, so the undo keeps it.
    const older: AclBinding = { resourceType: 'TOPIC', resourceName: '*', patternType: 'LITERAL', principal: PRINCIPAL, host: '*', operation: 'READ', permission: 'DENY' };
    try {
      const pristine = await aclSnapshot(world);
      await acls.create([older]);
      const before = await aclSnapshot(world);
      const { out } = await contain(containInput({ scope: 'cluster', denyOperations: ['READ', 'WRITE'] }));
      const revoked = out.result as AccessRevoked;
      expect(revoked.scope).toBe('cluster');
      expect(normaliseBindings(revoked.addedDenyBindings).map((b) => `${b.resourceType}:${b.resourceName}:${b.operation}`)).toEqual([
        'GROUP:*:READ',
        'GROUP:*:WRITE',
        'TOPIC:*:WRITE',
      ]);
      expect(await tryProduce(world, EXPORTER, 'invoices')).toBe('TOPIC_AUTHORIZATION_FAILED');
      await restore(revoked);
      expect(await aclSnapshot(world)).toEqual(before);
      expect(before).toContainEqual(older);
      await acls.deleteExact([older]);
      expect(await aclSnapshot(world)).toEqual(pristine);
    } finally {
      await acls.close();
    }
  });

  it('counts a failed login (a deleted account) as refused', async () => {
    const scram = new ScramAdmin({ brokers: [...world.kafka.connection.brokers], sasl: { mechanism: 'scram-sha-512', username: world.kafka.connection.username, password: world.kafka.connection.password } });
    const password = world.scenario.accounts[EXPORTER]?.password ?? '';
    try {
      await scram.delete([
        { user: EXPORTER, mechanism: 'SCRAM-SHA-512' },
        { user: EXPORTER, mechanism: 'SCRAM-SHA-256' },
      ]);
      expect(await probeConsume({ connection: exporterConnection() }, 'orders')).toEqual({ outcome: 'denied', reason: 'SASL_AUTHENTICATION_FAILED' });
      const { out } = await contain();
      expect(out.result?.verified).toBe(true);
      await restore(out.result as AccessRevoked);
    } finally {
      await scram.upsert([
        { user: EXPORTER, mechanism: 'SCRAM-SHA-512', password, iterations: 4096 },
        { user: EXPORTER, mechanism: 'SCRAM-SHA-256', password, iterations: 4096 },
      ]);
      await scram.close();
    }
    expect(await probeConsume({ connection: exporterConnection() }, 'orders')).toEqual({ outcome: 'allowed' });
  });

  it('fails verification, without retry, when the principal can still read through a wildcard principal', async () => {
    const acls = createAclAdmin(world.kafka.connection);
    // Everyone may read `invoices`; the exporter holds no binding of its own there, so its DENYs miss it.
    const everyone: AclBinding = { resourceType: 'TOPIC', resourceName: 'invoices', patternType: 'LITERAL', principal: 'User:*', host: '*', operation: 'READ', permission: 'ALLOW' };
    const own: AclBinding = { ...everyone, principal: PRINCIPAL, operation: 'DESCRIBE' };
    await acls.create([everyone]);
    const before = await aclSnapshot(world);
    try {
      // READ denied on its own resources only; DESCRIBE on invoices is its, READ comes from User:*.
      await acls.create([own]);
      const { err, heartbeats } = await runActivity(world.activities.contain, containInput({ denyOperations: ['WRITE'] }));
      expect(err?.type).toBe('AclVerificationFailed');
      expect(err?.nonRetryable).toBe(true);
      const checkpoint = heartbeats.at(-1);
      expect(checkpoint).toBeDefined();
      await restore({ principal: PRINCIPAL, scope: 'resources', removedAllowBindings: checkpoint?.removedAllowBindings ?? [], addedDenyBindings: checkpoint?.addedDenyBindings ?? [], verified: false });
      await acls.deleteExact([own]);
      expect(await aclSnapshot(world)).toEqual(before);
    } finally {
      await acls.deleteExact([everyone, own]);
      await acls.close();
    }
  });
});

describe('access probes', () => {
  it('tell allowed from denied without writing a record or creating a topic', async () => {
    const target = { connection: exporterConnection() };
    const admin = clientAs(world).admin();
    await admin.connect();
    try {
      const offsets = async (): Promise<string> => JSON.stringify(await admin.fetchTopicOffsets(EXPORTS));
      const before = await offsets();
      expect(await probeProduce(target, EXPORTS)).toEqual({ outcome: 'allowed' });
      expect(await probeConsume(target, 'orders')).toEqual({ outcome: 'allowed' });
      expect(await probeProduce(target, 'orders')).toEqual({ outcome: 'denied', reason: 'TOPIC_AUTHORIZATION_FAILED' });
      expect(await probeConsume(target, 'invoices')).toEqual({ outcome: 'denied', reason: 'TOPIC_AUTHORIZATION_FAILED' });
      expect(await offsets()).toBe(before);
      const adminTarget = { connection: world.kafka.connection };
      expect(await probeProduce(adminTarget, 'no-such-topic')).toEqual({ outcome: 'allowed' });
      expect(await admin.listTopics()).not.toContain('no-such-topic');
      expect((await probeConsume({ connection: { ...world.kafka.connection, brokers: ['127.0.0.1:1'] }, timeoutMs: 500 }, 'orders')).outcome).toBe('unreachable');
    } finally {
      await admin.disconnect();
    }
  });
});

describe('sandbox broker authorization fixes', () => {
  it('answers DescribeAcls with UNKNOWN codes in the filter with INVALID_REQUEST', async () => {
    const admin = clientAs(world).admin();
    await admin.connect();
    try {
      const failure = await admin
        .describeAcls({
          resourceType: AclResourceTypes.UNKNOWN,
          resourcePatternType: ResourcePatternTypes.ANY,
          operation: AclOperationTypes.ANY,
          permissionType: AclPermissionTypes.ANY,
        })
        .then(
          () => 'answered',
          (err: unknown) => errorType(err),
        );
      expect(failure).toBe('INVALID_REQUEST');
      const fine = await admin.describeAcls({ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY });
      expect(fine.resources.length).toBeGreaterThan(0);
    } finally {
      await admin.disconnect();
    }
  });

  it('does not hand a parked fetch the records produced after READ was revoked', async () => {
    // The dedicated regression is the "already connected" contain test above; this one isolates
    // the broker: a single long-poll, the revocation, then an append that wakes it.
    const acls = createAclAdmin(world.kafka.connection);
    const deny: AclBinding = { resourceType: 'TOPIC', resourceName: EXPORTS, patternType: 'LITERAL', principal: 'User:export-gateway', host: '*', operation: 'READ', permission: 'DENY' };
    const received: string[] = [];
    const crashed: string[] = [];
    const consumer = clientAs(world, 'export-gateway').consumer({ groupId: 'export-gateway', maxWaitTimeInMs: 10_000, retry: { retries: 0 } });
    consumer.on(consumer.events.CRASH, (e) => void crashed.push(errorType(e.payload.error)));
    const producer = clientAs(world).producer();
    await producer.connect();
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: EXPORTS, fromBeginning: false });
      await consumer.run({ eachMessage: async ({ message }) => void received.push(message.value?.toString() ?? '') });
      for (let i = 0; received.length === 0 && i < 100; i++) {
        await producer.send({ topic: EXPORTS, messages: [{ value: `warm-${i}` }] });
        await sleep(100);
      }
      await sleep(300);
      const count = received.length;
      await acls.create([deny]);
      await producer.send({ topic: EXPORTS, messages: [{ value: 'after-deny' }] });
      await waitFor(() => crashed.length > 0, 12_000, 'the consumer to be refused');
      expect(received.slice(count)).toEqual([]);
      expect(crashed[0]).toBe('TOPIC_AUTHORIZATION_FAILED');
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await producer.disconnect();
      await acls.deleteExact([deny]);
      await acls.close();
    }
  });
});
