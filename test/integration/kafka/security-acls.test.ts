import {
  AclOperationTypes as Op,
  AclPermissionTypes as Perm,
  AclResourceTypes as Res,
  ResourcePatternTypes as Pat,
  type Admin,
  type AclEntry,
  type AclFilter,
} from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScramAdmin, assertScramResults } from '../../../src/kafka/scram-admin';
import type { RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { client, startBroker, waitFor } from './helpers';

/** kafkajs reports a broker error's type on the error or on a wrapped cause. */
function errorType(err: unknown): string | undefined {
  let e = err as { type?: string; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e.type === 'string') return e.type;
    e = e.cause as typeof e;
  }
  return undefined;
}

const entry = (resourceType: Res, resourceName: string, resourcePatternType: Pat, principal: string, operation: Op, permissionType: Perm): AclEntry => ({
  resourceType,
  resourceName,
  resourcePatternType,
  principal,
  host: '*',
  operation,
  permissionType,
});

const anyFilter: AclFilter = { resourceType: Res.ANY, resourcePatternType: Pat.ANY, operation: Op.ANY, permissionType: Perm.ANY };

/** kafkajs's enums are plain objects at runtime (no reverse mapping), so names are looked up here. */
const nameOf = (table: object, code: number): string => Object.entries(table).find(([, v]) => v === code)?.[0] ?? String(code);

/** Flattens kafkajs's describeAcls answer into one sortable line per binding. */
function lines(res: Awaited<ReturnType<Admin['describeAcls']>>): string[] {
  return res.resources
    .flatMap((r) => r.acls.map((a) => `${nameOf(Res, r.resourceType)}:${nameOf(Pat, r.resourcePatternType)}:${r.resourceName} ${a.principal} ${nameOf(Op, a.operation)} ${nameOf(Perm, a.permissionType)}`))
    .sort();
}

describe('ACL administration through kafkajs admin', () => {
  let sandbox: RunningKafkaSandbox;
  let admin: Admin;

  beforeAll(async () => {
    sandbox = await startBroker();
    admin = client(sandbox).admin();
    await admin.connect();
    await admin.createAcls({
      acl: [
        entry(Res.TOPIC, 'orders-', Pat.PREFIXED, 'User:svc-a', Op.READ, Perm.ALLOW),
        entry(Res.TOPIC, 'orders-eu', Pat.LITERAL, 'User:svc-b', Op.WRITE, Perm.ALLOW),
        entry(Res.TOPIC, '*', Pat.LITERAL, 'User:*', Op.ALTER, Perm.DENY),
        entry(Res.TOPIC, 'payments', Pat.LITERAL, 'User:svc-a', Op.READ, Perm.ALLOW),
        entry(Res.GROUP, 'orders-', Pat.PREFIXED, 'User:svc-a', Op.READ, Perm.ALLOW),
        entry(Res.CLUSTER, 'kafka-cluster', Pat.LITERAL, 'User:ops', Op.DESCRIBE, Perm.ALLOW),
      ],
    });
  });
  afterAll(async () => {
    await admin?.disconnect();
    await sandbox?.close();
  });

  it.each([
    ['everything', anyFilter, 6],
    ['topics only', { ...anyFilter, resourceType: Res.TOPIC }, 4],
    ['MATCH: every binding that applies to topic orders-eu', { ...anyFilter, resourceType: Res.TOPIC, resourcePatternType: Pat.MATCH, resourceName: 'orders-eu' }, 3],
    ['PREFIXED orders- exactly', { ...anyFilter, resourcePatternType: Pat.PREFIXED, resourceName: 'orders-' }, 2],
    ['LITERAL orders- (no such literal)', { ...anyFilter, resourcePatternType: Pat.LITERAL, resourceName: 'orders-' }, 0],
    ['one principal', { ...anyFilter, principal: 'User:svc-a' }, 3],
    ['DENY only', { ...anyFilter, permissionType: Perm.DENY }, 1],
    ['READ only', { ...anyFilter, operation: Op.READ }, 3],
  ] as Array<[string, AclFilter, number]>)('describeAcls with filter: %s', async (_label, filter, count) => {
    expect(lines(await admin.describeAcls(filter))).toHaveLength(count);
  });

  it('describeAcls returns the bindings as created', async () => {
    expect(lines(await admin.describeAcls({ ...anyFilter, principal: 'User:svc-a' }))).toEqual([
      'GROUP:PREFIXED:orders- User:svc-a READ ALLOW',
      'TOPIC:LITERAL:payments User:svc-a READ ALLOW',
      'TOPIC:PREFIXED:orders- User:svc-a READ ALLOW',
    ]);
  });

  it('deleteAcls removes what each filter matches and reports the matches', async () => {
    const res = await admin.deleteAcls({
      filters: [
        { ...anyFilter, resourceType: Res.TOPIC, principal: 'User:svc-a' },
        { ...anyFilter, resourceType: Res.CLUSTER },
      ],
    });
    expect(res.filterResponses.map((f) => f.matchingAcls.map((m) => `${m.resourceName} ${m.principal}`).sort())).toEqual([
      ['orders- User:svc-a', 'payments User:svc-a'],
      ['kafka-cluster User:ops'],
    ]);
    expect(lines(await admin.describeAcls(anyFilter))).toEqual([
      'GROUP:PREFIXED:orders- User:svc-a READ ALLOW',
      'TOPIC:LITERAL:* User:* ALTER DENY',
      'TOPIC:LITERAL:orders-eu User:svc-b WRITE ALLOW',
    ]);
  });

  it('an invalid binding is refused with INVALID_REQUEST and nothing is stored', async () => {
    const err = await admin
      .createAcls({ acl: [entry(Res.CLUSTER, 'not-the-cluster', Pat.LITERAL, 'User:x', Op.ALTER, Perm.ALLOW)] })
      .catch((e: unknown) => e);
    expect(errorType(err)).toBe('INVALID_REQUEST');
    expect(lines(await admin.describeAcls({ ...anyFilter, principal: 'User:x' }))).toEqual([]);
  });
});

describe('access records', () => {
  let sandbox: RunningKafkaSandbox;

  beforeAll(async () => {
    sandbox = await startBroker();
    const scram = new ScramAdmin({
      brokers: [...sandbox.connection.brokers],
      sasl: { mechanism: 'scram-sha-512', username: sandbox.connection.username, password: sandbox.connection.password },
    });
    assertScramResults(await scram.upsert([{ user: 'reader', mechanism: 'SCRAM-SHA-512', password: 'reader-pw' }]));
    assertScramResults(await scram.upsert([{ user: 'mallory', mechanism: 'SCRAM-SHA-512', password: 'mallory-pw' }]));
    await scram.close();
    const admin = client(sandbox).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'customer-records', numPartitions: 1 }] });
    await admin.createAcls({
      acl: [
        entry(Res.TOPIC, 'customer-records', Pat.LITERAL, 'User:reader', Op.READ, Perm.ALLOW),
        entry(Res.GROUP, 'forensic-probe', Pat.LITERAL, 'User:reader', Op.READ, Perm.ALLOW),
      ],
    });
    await admin.disconnect();
    const producer = client(sandbox).producer();
    await producer.connect();
    const send = (from: number, to: number) =>
      producer.send({ topic: 'customer-records', messages: Array.from({ length: to - from }, (_, i) => ({ key: `c${from + i}`, value: `record-${from + i}` })) });
    // A first session of the reader's group consumes [0, 2) and commits; the test's session then covers [2, 6).
    await send(0, 2);
    const first = client(sandbox, { username: 'reader', password: 'reader-pw' }).consumer({ groupId: 'forensic-probe', maxWaitTimeInMs: 100 });
    let firstSeen = 0;
    await first.connect();
    await first.subscribe({ topics: ['customer-records'], fromBeginning: true });
    await first.run({
      eachMessage: async () => {
        firstSeen++;
      },
    });
    await waitFor(() => firstSeen >= 2, 15_000, 'first session');
    await first.disconnect();
    await send(2, 6);
    await producer.disconnect();
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('a fetch by a principal is recorded with its offset range, record count and bytes', async () => {
    const startedAt = Date.now();
    const consumer = client(sandbox, { username: 'reader', password: 'reader-pw' }).consumer({ groupId: 'forensic-probe', maxWaitTimeInMs: 100 });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: ['customer-records'] });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.offset);
      },
    });
    await waitFor(() => seen.length >= 4, 15_000, 'four records');
    await consumer.disconnect();
    expect(seen).toEqual(['2', '3', '4', '5']);

    const fetches = sandbox.broker.accessLog.query({ kind: 'fetch', principal: 'User:reader', resourceName: 'customer-records', since: startedAt });
    const served = fetches.filter((f) => (f.records ?? 0) > 0);
    expect(served.length).toBeGreaterThan(0);
    expect(served[0]).toMatchObject({ api: 'Fetch', decision: 'ALLOW', partition: 0, fromOffset: '2' });
    expect(served.at(-1)?.toOffset).toBe('6');
    expect(served.reduce((n, f) => n + (f.records ?? 0), 0)).toBe(4);
    const bytes = served.reduce((n, f) => n + (f.bytes ?? 0), 0);
    expect(bytes).toBeGreaterThanOrEqual(4 * 'record-0'.length);
  });

  it('a denied request is recorded with decision DENY', async () => {
    const producer = client(sandbox, { username: 'mallory', password: 'mallory-pw', retry: { retries: 0 } }).producer();
    await producer.connect();
    const err = await producer.send({ topic: 'customer-records', messages: [{ value: 'tamper' }] }).catch((e: unknown) => e);
    await producer.disconnect();
    expect(errorType(err)).toBe('TOPIC_AUTHORIZATION_FAILED');
    const denied = sandbox.broker.accessLog.query({ principal: 'User:mallory', decision: 'DENY', resourceName: 'customer-records' });
    expect(denied.length).toBeGreaterThan(0);
    expect(denied[0]).toMatchObject({ kind: 'authorization', resourceType: 'TOPIC', decision: 'DENY', clientId: 'test' });
    expect(sandbox.broker.accessLog.query({ principal: 'User:mallory', decision: 'ALLOW', resourceName: 'customer-records' })).toEqual([]);
  });
});
