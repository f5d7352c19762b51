import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, withCredentials } from '../../../src/kafka/client';
import { ScramAdmin } from '../../../src/kafka/scram-admin';
import { start, type RunningKafkaSandbox } from '../../../src/sandbox/kafka';

/*
 * The sandbox broker's access records for checks that only filter a listing (all-topics Metadata,
 * ListGroups, OffsetFetch of every topic): like Kafka, it records the ALLOWs and not the DENYs, so
 * forensics does not read a listing as an attempt on every resource. A request naming a resource
 * the principal may not see is still recorded as a DENY.
 */

let kafka: RunningKafkaSandbox;
let root: Admin;
let lister: Admin;

const allow = (resourceType: AclResourceTypes, resourceName: string, operation: AclOperationTypes) => ({
  resourceType,
  resourceName,
  resourcePatternType: ResourcePatternTypes.LITERAL,
  principal: 'User:lister',
  host: '*',
  operation,
  permissionType: AclPermissionTypes.ALLOW,
});

const denials = (resourceName?: string) =>
  kafka.broker.accessLog.query({ principal: 'User:lister', decision: 'DENY', ...(resourceName === undefined ? {} : { resourceName }) });

beforeAll(async () => {
  kafka = await start({ port: 0 });
  const connection = { ...kafka.connection };
  root = createKafka(connection, { clientId: 'test' }).admin();
  await root.connect();
  await root.createTopics({ topics: [{ topic: 'visible' }, { topic: 'hidden' }] });
  const scram = new ScramAdmin({ brokers: [...connection.brokers], sasl: { mechanism: 'scram-sha-512', username: connection.username, password: connection.password } });
  await scram.upsert([{ user: 'lister', mechanism: 'SCRAM-SHA-512', password: 'lister-pw', iterations: 4096 }]);
  await scram.close();
  await root.createAcls({
    acl: [allow(AclResourceTypes.TOPIC, 'visible', AclOperationTypes.DESCRIBE), allow(AclResourceTypes.GROUP, 'g-visible', AclOperationTypes.DESCRIBE)],
  });
  // Groups with committed offsets on both topics (through the broker handle: kafkajs's setOffsets takes seconds).
  for (const groupId of ['g-visible', 'g-hidden']) {
    for (const topic of ['visible', 'hidden']) kafka.broker.groups.commit(groupId, topic, 0, 0n, null);
  }
  lister = createKafka(withCredentials(connection, 'lister', 'lister-pw'), { clientId: 'lister', overrides: { retry: { retries: 0 } } }).admin();
  await lister.connect();
});

afterAll(async () => {
  await lister?.disconnect();
  await root?.disconnect();
  await kafka?.close();
});

describe('listings record allowed resources only', () => {
  it('all-topics Metadata lists what may be described and records no denial', async () => {
    const before = denials().length;
    expect(await lister.listTopics()).toEqual(['visible']);
    expect(denials().length).toBe(before);
    const allowed = kafka.broker.accessLog.query({ principal: 'User:lister', resourceName: 'visible', decision: 'ALLOW' }).filter((r) => r.api === 'Metadata');
    expect(allowed.length).toBeGreaterThan(0);
  });

  it('ListGroups filters without recording denials on the cluster or hidden groups', async () => {
    const before = denials().length;
    const { groups } = await lister.listGroups();
    expect(groups.map((g) => g.groupId)).toEqual(['g-visible']);
    expect(denials().length).toBe(before);
    expect(denials('g-hidden')).toEqual([]);
  });

  it('OffsetFetch of every topic leaves out hidden topics without recording denials', async () => {
    const before = denials().length;
    const offsets = await lister.fetchOffsets({ groupId: 'g-visible' });
    expect(offsets.map((t) => t.topic)).toEqual(['visible']);
    expect(denials().length).toBe(before);
  });

  it('still records a DENY when a request names a resource the principal may not see', async () => {
    expect(denials('hidden')).toEqual([]);
    await expect(lister.fetchTopicMetadata({ topics: ['hidden'] })).rejects.toThrow();
    expect(denials('hidden').length).toBeGreaterThan(0);
  });
});
