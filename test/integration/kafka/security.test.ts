import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ConfigResourceTypes,
  ResourcePatternTypes,
  type AclEntry,
  type Consumer,
  type Kafka,
} from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScramAdmin, assertScramResults } from '../../../src/kafka/scram-admin';
import type { RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { client, startBroker, waitFor } from './helpers';

/**
 * The secured pipeline of the playbook, with the real kafkajs: a producer principal may only write
 * `user-events`, a consumer principal may only read it through its group, and everything else
 * fails with Kafka's authorization errors. Revocation reaches sessions that are already connected.
 */

const TOPIC = 'user-events';
const GROUP = 'user-events-readers';
const PRODUCER = 'producer-svc';
const CONSUMER = 'consumer-svc';

/** kafkajs reports a broker error's type on the error or on a wrapped cause. */
function errorType(err: unknown): string | undefined {
  let e = err as { type?: string; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e.type === 'string') return e.type;
    e = e.cause as typeof e;
  }
  return undefined;
}

async function failureOf(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work;
  } catch (err) {
    return errorType(err) ?? (err as Error).name;
  }
  return 'no error';
}

const allow = (resourceType: AclResourceTypes, resourceName: string, principal: string, operation: AclOperationTypes): AclEntry => ({
  resourceType,
  resourceName,
  resourcePatternType: ResourcePatternTypes.LITERAL,
  principal: `User:${principal}`,
  host: '*',
  operation,
  permissionType: AclPermissionTypes.ALLOW,
});

describe('secured pipeline against the sandbox broker', () => {
  let sandbox: RunningKafkaSandbox;
  let adminClient: Kafka;
  const consumers: Consumer[] = [];

  const as = (user: string): Kafka => client(sandbox, { username: user, password: `${user}-pw`, clientId: user, retry: { retries: 1, initialRetryTime: 50 } });

  /** Runs a consumer and resolves with what it received and how it crashed, if it did. */
  const runConsumer = async (user: string, groupId: string, topic: string) => {
    const consumer = as(user).consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 100, retry: { retries: 0 } });
    consumers.push(consumer);
    const state = { values: [] as string[], crash: undefined as string | undefined };
    consumer.on(consumer.events.CRASH, (e) => {
      state.crash = errorType(e.payload.error) ?? e.payload.error.name;
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        state.values.push(message.value?.toString() ?? '');
      },
    });
    return { consumer, state };
  };

  beforeAll(async () => {
    sandbox = await startBroker();
    adminClient = client(sandbox);
    const scram = new ScramAdmin({
      brokers: [...sandbox.connection.brokers],
      sasl: { mechanism: 'scram-sha-512', username: sandbox.connection.username, password: sandbox.connection.password },
    });
    for (const user of [PRODUCER, CONSUMER, 'mallory']) {
      assertScramResults(
        await scram.upsert([
          { user, mechanism: 'SCRAM-SHA-512', password: `${user}-pw` },
          { user, mechanism: 'SCRAM-SHA-256', password: `${user}-pw` },
        ]),
      );
    }
    await scram.close();
    const admin = adminClient.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }, { topic: 'payments', numPartitions: 1 }] });
    await admin.createAcls({
      acl: [
        allow(AclResourceTypes.TOPIC, TOPIC, PRODUCER, AclOperationTypes.WRITE),
        allow(AclResourceTypes.TOPIC, TOPIC, CONSUMER, AclOperationTypes.READ),
        allow(AclResourceTypes.GROUP, GROUP, CONSUMER, AclOperationTypes.READ),
      ],
    });
    await admin.disconnect();
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.disconnect().catch(() => undefined)));
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it('the producer writes user-events and the consumer reads it through its group', async () => {
    const producer = as(PRODUCER).producer();
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: [{ value: 'signup:1' }, { value: 'signup:2' }] });
    await producer.disconnect();
    const { state } = await runConsumer(CONSUMER, GROUP, TOPIC);
    await waitFor(() => state.values.length >= 2, 15_000, 'two messages');
    expect(state.values.slice(0, 2)).toEqual(['signup:1', 'signup:2']);
    expect(state.crash).toBeUndefined();
  });

  it('every unauthorized produce fails with TOPIC_AUTHORIZATION_FAILED', async () => {
    for (const [user, topic] of [
      [PRODUCER, 'payments'],
      [CONSUMER, TOPIC],
      ['mallory', TOPIC],
    ] as const) {
      const producer = as(user).producer();
      await producer.connect();
      expect(await failureOf(producer.send({ topic, messages: [{ value: 'x' }] })), `${user} → ${topic}`).toBe('TOPIC_AUTHORIZATION_FAILED');
      await producer.disconnect();
    }
  });

  it('a PREFIXED grant to the wildcard principal covers every topic under the prefix, and only those', async () => {
    const admin = adminClient.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'audit-2026' }, { topic: 'auditor-notes' }] });
    await admin.createAcls({
      acl: [{ ...allow(AclResourceTypes.TOPIC, 'audit-', 'mallory', AclOperationTypes.WRITE), principal: 'User:*', resourcePatternType: ResourcePatternTypes.PREFIXED }],
    });
    await admin.disconnect();
    const ok = as('mallory').producer();
    await ok.connect();
    await ok.send({ topic: 'audit-2026', messages: [{ value: 'entry' }] });
    await ok.disconnect();
    // A separate client: kafkajs keeps a refused topic in every later metadata refresh.
    const refused = as('mallory').producer();
    await refused.connect();
    expect(await failureOf(refused.send({ topic: 'auditor-notes', messages: [{ value: 'x' }] }))).toBe('TOPIC_AUTHORIZATION_FAILED');
    await refused.disconnect();
  });

  it('consuming another topic fails with TOPIC_AUTHORIZATION_FAILED', async () => {
    const consumer = as(CONSUMER).consumer({ groupId: GROUP, retry: { retries: 0 } });
    consumers.push(consumer);
    await consumer.connect();
    expect(await failureOf(consumer.subscribe({ topics: ['payments'], fromBeginning: true }))).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  it('a group without any ACL is refused at FindCoordinator (GROUP_AUTHORIZATION_FAILED on the wire)', async () => {
    const { state } = await runConsumer(CONSUMER, 'some-other-group', TOPIC);
    await waitFor(() => state.crash !== undefined, 15_000, 'consumer crash');
    // kafkajs folds FindCoordinator errors into "coordinator not found"; the broker's answer was 30.
    expect(state.crash).toBe('KafkaJSGroupCoordinatorNotFound');
    expect(state.values).toEqual([]);
    const denied = sandbox.broker.accessLog.query({ principal: `User:${CONSUMER}`, resourceName: 'some-other-group', decision: 'DENY' });
    expect(denied.map((r) => [r.api, r.resourceType, r.operation])).toContainEqual(['FindCoordinator', 'GROUP', 'DESCRIBE']);
  });

  it('joining a group with DESCRIBE but not READ fails with GROUP_AUTHORIZATION_FAILED', async () => {
    const admin = adminClient.admin();
    await admin.connect();
    await admin.createAcls({ acl: [allow(AclResourceTypes.GROUP, 'describe-only', CONSUMER, AclOperationTypes.DESCRIBE)] });
    await admin.disconnect();
    const { state } = await runConsumer(CONSUMER, 'describe-only', TOPIC);
    await waitFor(() => state.crash !== undefined, 15_000, 'consumer crash');
    expect(state.crash).toBe('GROUP_AUTHORIZATION_FAILED');
    expect(state.values).toEqual([]);
  });

  it('ACL and config changes by non-admin principals fail', async () => {
    const admin = as(PRODUCER).admin();
    await admin.connect();
    try {
      expect(await failureOf(admin.createAcls({ acl: [allow(AclResourceTypes.TOPIC, 'payments', PRODUCER, AclOperationTypes.WRITE)] }))).toBe(
        'CLUSTER_AUTHORIZATION_FAILED',
      );
      expect(
        await failureOf(
          admin.deleteAcls({
            filters: [{ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY }],
          }),
        ),
      ).toBe('CLUSTER_AUTHORIZATION_FAILED');
      expect(
        await failureOf(
          admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configEntries: [{ name: 'retention.ms', value: '1' }] }] }),
        ),
      ).toBe('TOPIC_AUTHORIZATION_FAILED');
    } finally {
      await admin.disconnect();
    }
    // Nothing changed: the producer still cannot write payments.
    const check = adminClient.admin();
    await check.connect();
    const acls = await check.describeAcls({
      resourceType: AclResourceTypes.TOPIC,
      resourceName: 'payments',
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    expect(acls.resources).toEqual([]);
    await check.disconnect();
  });

  it('revoking READ stops a consumer that is already connected, and DENY overrides ALLOW', async () => {
    const admin = adminClient.admin();
    await admin.connect();
    const producer = as(PRODUCER).producer();
    await producer.connect();
    try {
      const { state } = await runConsumer(CONSUMER, GROUP, TOPIC);
      await producer.send({ topic: TOPIC, messages: [{ value: 'before-revoke' }] });
      await waitFor(() => state.values.includes('before-revoke'), 15_000, 'message before revocation');

      const readGrant = allow(AclResourceTypes.TOPIC, TOPIC, CONSUMER, AclOperationTypes.READ);
      const revokedAt = Date.now();
      await admin.deleteAcls({ filters: [readGrant] });
      // Same sessions, no reconnect: the consumer's next fetch is refused.
      await waitFor(() => state.crash !== undefined, 15_000, 'consumer crash after revocation');
      expect(state.crash).toBe('TOPIC_AUTHORIZATION_FAILED');
      const refused = sandbox.broker.accessLog.query({ principal: `User:${CONSUMER}`, resourceName: TOPIC, decision: 'DENY', since: revokedAt });
      expect(refused.map((r) => r.api)).toContain('Fetch');
      await producer.send({ topic: TOPIC, messages: [{ value: 'after-revoke' }] });

      // Restore the ALLOW, add a DENY: the DENY wins.
      await admin.createAcls({ acl: [readGrant, { ...readGrant, permissionType: AclPermissionTypes.DENY }] });
      const second = await runConsumer(CONSUMER, `${GROUP}`, TOPIC);
      await waitFor(() => second.state.crash !== undefined, 15_000, 'consumer crash under DENY');
      expect(second.state.crash).toBe('TOPIC_AUTHORIZATION_FAILED');
      expect(second.state.values).toEqual([]);

      // Removing the DENY alone brings access back.
      await admin.deleteAcls({ filters: [{ ...readGrant, permissionType: AclPermissionTypes.DENY }] });
      const third = await runConsumer(CONSUMER, GROUP, TOPIC);
      await waitFor(() => third.state.values.includes('after-revoke'), 15_000, 'message after restoring access');
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });
});
