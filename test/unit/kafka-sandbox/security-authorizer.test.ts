import { describe, expect, it } from 'vitest';
import {
  AclOperation as Op,
  AclPermissionType as Perm,
  Authorizer,
  PatternType as Pat,
  ResourceType as Res,
  type AclBinding,
  type AclBindingFilter,
} from '../../../src/sandbox/kafka/security';

const ALLOW = Perm.ALLOW;
const DENY = Perm.DENY;

/** Shorthand binding: `acl(TOPIC, 'orders', LITERAL, 'User:app', READ, ALLOW)`. */
function acl(resourceType: number, resourceName: string, patternType: number, principal: string, operation: number, permissionType: number, host = '*'): AclBinding {
  return { resourceType, resourceName, patternType, principal, host, operation, permissionType };
}

interface Case {
  name: string;
  acls: AclBinding[];
  principal?: string;
  host?: string;
  op: number;
  type?: number;
  resource?: string;
  allowEveryone?: boolean;
  expected: boolean;
}

const app = 'User:app';
const cases: Case[] = [
  { name: 'no ACL at all: denied by default', acls: [], op: Op.READ, expected: false },
  { name: 'no ACL at all with allow.everyone.if.no.acl.found', acls: [], op: Op.READ, allowEveryone: true, expected: true },
  {
    name: 'ACLs for someone else still count as "ACLs found"',
    acls: [acl(Res.TOPIC, 'orders', Pat.LITERAL, 'User:other', Op.READ, ALLOW)],
    op: Op.READ,
    allowEveryone: true,
    expected: false,
  },
  { name: 'literal allow', acls: [acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.READ, ALLOW)], op: Op.READ, expected: true },
  { name: 'literal allow for another operation', acls: [acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.WRITE, ALLOW)], op: Op.READ, expected: false },
  { name: 'literal allow on another topic', acls: [acl(Res.TOPIC, 'orders-eu', Pat.LITERAL, app, Op.READ, ALLOW)], op: Op.READ, expected: false },
  { name: 'literal names are not prefixes', acls: [acl(Res.TOPIC, 'ord', Pat.LITERAL, app, Op.READ, ALLOW)], op: Op.READ, expected: false },
  { name: 'prefixed allow covers the name', acls: [acl(Res.TOPIC, 'ord', Pat.PREFIXED, app, Op.READ, ALLOW)], op: Op.READ, expected: true },
  { name: 'prefixed allow equal to the whole name', acls: [acl(Res.TOPIC, 'orders', Pat.PREFIXED, app, Op.READ, ALLOW)], op: Op.READ, expected: true },
  { name: 'prefixed allow longer than the name', acls: [acl(Res.TOPIC, 'orders-', Pat.PREFIXED, app, Op.READ, ALLOW)], op: Op.READ, expected: false },
  { name: 'prefixed "*" is a literal prefix, not a wildcard', acls: [acl(Res.TOPIC, '*', Pat.PREFIXED, app, Op.READ, ALLOW)], op: Op.READ, expected: false },
  { name: 'wildcard resource', acls: [acl(Res.TOPIC, '*', Pat.LITERAL, app, Op.READ, ALLOW)], op: Op.READ, expected: true },
  { name: 'wildcard principal', acls: [acl(Res.TOPIC, 'orders', Pat.LITERAL, 'User:*', Op.READ, ALLOW)], op: Op.READ, expected: true },
  { name: 'principals compare exactly', acls: [acl(Res.TOPIC, 'orders', Pat.LITERAL, 'User:App', Op.READ, ALLOW)], op: Op.READ, expected: false },
  { name: 'host must match', acls: [acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.READ, ALLOW, '10.0.0.9')], op: Op.READ, expected: false },
  { name: 'matching host', acls: [acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.READ, ALLOW, '10.0.0.1')], op: Op.READ, expected: true },
  {
    name: 'IPv4-mapped IPv6 client address matches the IPv4 host',
    acls: [acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.READ, ALLOW, '10.0.0.1')],
    host: '::ffff:10.0.0.1',
    op: Op.READ,
    expected: true,
  },
  { name: 'ALL allows every operation', acls: [acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.ALL, ALLOW)], op: Op.DELETE, expected: true },
  { name: 'resource types are separate', acls: [acl(Res.GROUP, 'orders', Pat.LITERAL, app, Op.READ, ALLOW)], op: Op.READ, expected: false },
  {
    name: 'deny overrides allow',
    acls: [acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.READ, ALLOW), acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.READ, DENY)],
    op: Op.READ,
    expected: false,
  },
  {
    name: 'prefixed deny overrides literal allow',
    acls: [acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.READ, ALLOW), acl(Res.TOPIC, 'or', Pat.PREFIXED, app, Op.READ, DENY)],
    op: Op.READ,
    expected: false,
  },
  {
    name: 'wildcard-principal deny overrides a specific allow',
    acls: [acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.ALL, ALLOW), acl(Res.TOPIC, '*', Pat.LITERAL, 'User:*', Op.READ, DENY)],
    op: Op.READ,
    expected: false,
  },
  {
    name: 'deny ALL overrides allow of one operation',
    acls: [acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.WRITE, ALLOW), acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.ALL, DENY)],
    op: Op.WRITE,
    expected: false,
  },
  {
    name: 'deny of another operation leaves the allow standing',
    acls: [acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.READ, ALLOW), acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.WRITE, DENY)],
    op: Op.READ,
    expected: true,
  },
  {
    name: 'deny from another host does not apply',
    acls: [acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.READ, ALLOW), acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.READ, DENY, '10.9.9.9')],
    op: Op.READ,
    expected: true,
  },
  ...[Op.READ, Op.WRITE, Op.DELETE, Op.ALTER].map(
    (implying): Case => ({
      name: `allow ${implying} implies DESCRIBE`,
      acls: [acl(Res.TOPIC, 'orders', Pat.LITERAL, app, implying, ALLOW)],
      op: Op.DESCRIBE,
      expected: true,
    }),
  ),
  { name: 'allow CREATE does not imply DESCRIBE', acls: [acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.CREATE, ALLOW)], op: Op.DESCRIBE, expected: false },
  { name: 'allow DESCRIBE does not imply READ', acls: [acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.DESCRIBE, ALLOW)], op: Op.READ, expected: false },
  { name: 'allow ALTER_CONFIGS implies DESCRIBE_CONFIGS', acls: [acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.ALTER_CONFIGS, ALLOW)], op: Op.DESCRIBE_CONFIGS, expected: true },
  { name: 'allow DESCRIBE_CONFIGS does not imply ALTER_CONFIGS', acls: [acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.DESCRIBE_CONFIGS, ALLOW)], op: Op.ALTER_CONFIGS, expected: false },
  {
    name: 'deny READ does not imply deny DESCRIBE',
    acls: [acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.ALL, ALLOW), acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.READ, DENY)],
    op: Op.DESCRIBE,
    expected: true,
  },
  { name: 'super user bypasses a deny', acls: [acl(Res.TOPIC, '*', Pat.LITERAL, 'User:*', Op.ALL, DENY)], principal: 'User:admin', op: Op.WRITE, expected: true },
  { name: 'super user with no ACLs at all', acls: [], principal: 'User:admin', op: Op.ALTER, type: Res.CLUSTER, resource: 'kafka-cluster', expected: true },
  {
    name: 'cluster ALTER needs an ACL on kafka-cluster',
    acls: [acl(Res.CLUSTER, 'kafka-cluster', Pat.LITERAL, app, Op.ALTER, ALLOW)],
    op: Op.ALTER,
    type: Res.CLUSTER,
    resource: 'kafka-cluster',
    expected: true,
  },
  { name: 'operation ANY is never granted', acls: [acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.ALL, ALLOW)], op: Op.ANY, expected: false },
];

describe('Authorizer.authorize (Kafka AclAuthorizer semantics)', () => {
  it.each(cases)('$name', (c) => {
    const authorizer = new Authorizer({ superUsers: ['User:admin'], allowEveryoneIfNoAclFound: c.allowEveryone ?? false });
    expect(authorizer.createAcls(c.acls).every((r) => r.errorCode === 0)).toBe(true);
    const decision = authorizer.authorize({
      principal: c.principal ?? app,
      host: c.host ?? '10.0.0.1',
      operation: c.op,
      resourceType: c.type ?? Res.TOPIC,
      resourceName: c.resource ?? 'orders',
    });
    expect(decision).toBe(c.expected);
  });

  it('sees revocations immediately', () => {
    const a = new Authorizer({ superUsers: [] });
    const grant = acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.READ, ALLOW);
    const ask = { principal: app, host: '10.0.0.1', operation: Op.READ, resourceType: Res.TOPIC, resourceName: 'orders' };
    a.createAcls([grant]);
    expect(a.authorize(ask)).toBe(true);
    a.deleteAcls([grant]);
    expect(a.authorize(ask)).toBe(false);
  });
});

describe('Authorizer.authorizeByResourceType (KIP-679)', () => {
  const ask = (acls: AclBinding[]): boolean => {
    const a = new Authorizer({ superUsers: [] });
    a.createAcls(acls);
    return a.authorizeByResourceType({ principal: app, host: '10.0.0.1', operation: Op.WRITE, resourceType: Res.TOPIC });
  };
  it.each([
    ['no ACL', [], false],
    ['WRITE on one topic', [acl(Res.TOPIC, 'x', Pat.LITERAL, app, Op.WRITE, ALLOW)], true],
    ['WRITE on one topic that is denied', [acl(Res.TOPIC, 'x', Pat.LITERAL, app, Op.WRITE, ALLOW), acl(Res.TOPIC, 'x', Pat.LITERAL, app, Op.WRITE, DENY)], false],
    ['prefixed WRITE under a broader prefixed deny', [acl(Res.TOPIC, 'ab', Pat.PREFIXED, app, Op.WRITE, ALLOW), acl(Res.TOPIC, 'a', Pat.PREFIXED, app, Op.WRITE, DENY)], false],
    ['WRITE on one topic with a deny on another', [acl(Res.TOPIC, 'x', Pat.LITERAL, app, Op.WRITE, ALLOW), acl(Res.TOPIC, 'y', Pat.LITERAL, app, Op.WRITE, DENY)], true],
    ['deny on every topic', [acl(Res.TOPIC, 'x', Pat.LITERAL, app, Op.WRITE, ALLOW), acl(Res.TOPIC, '*', Pat.LITERAL, 'User:*', Op.ALL, DENY)], false],
    ['READ only', [acl(Res.TOPIC, 'x', Pat.LITERAL, app, Op.READ, ALLOW)], false],
  ] as Array<[string, AclBinding[], boolean]>)('%s', (_label, acls, expected) => {
    expect(ask(acls)).toBe(expected);
  });
});

describe('ACL administration', () => {
  const seed = (): Authorizer => {
    const a = new Authorizer({ superUsers: [] });
    a.createAcls([
      acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.READ, ALLOW),
      acl(Res.TOPIC, 'orders', Pat.LITERAL, 'User:bob', Op.WRITE, ALLOW),
      acl(Res.TOPIC, 'ord', Pat.PREFIXED, app, Op.DESCRIBE, ALLOW),
      acl(Res.TOPIC, '*', Pat.LITERAL, 'User:*', Op.ALTER, DENY),
      acl(Res.TOPIC, 'payments', Pat.LITERAL, app, Op.READ, ALLOW, '10.0.0.1'),
      acl(Res.GROUP, 'orders', Pat.LITERAL, app, Op.READ, ALLOW),
      acl(Res.CLUSTER, 'kafka-cluster', Pat.LITERAL, 'User:ops', Op.ALTER, ALLOW),
    ]);
    return a;
  };
  const f = (over: Partial<AclBindingFilter>): AclBindingFilter => ({
    resourceType: Res.ANY,
    resourceName: null,
    patternType: Pat.ANY,
    principal: null,
    host: null,
    operation: Op.ANY,
    permissionType: Perm.ANY,
    ...over,
  });
  const names = (bs: AclBinding[]): string[] => bs.map((b) => `${b.resourceType}:${b.patternType}:${b.resourceName}:${b.principal}:${b.operation}:${b.permissionType}`);

  it.each([
    ['everything', f({}), 7],
    ['topics only', f({ resourceType: Res.TOPIC }), 5],
    ['ANY pattern with a name matches that exact name (both pattern types)', f({ resourceName: 'orders' }), 3],
    ['LITERAL with a name', f({ resourceType: Res.TOPIC, patternType: Pat.LITERAL, resourceName: 'orders' }), 2],
    ['PREFIXED with a name', f({ patternType: Pat.PREFIXED, resourceName: 'ord' }), 1],
    ['PREFIXED with a non-exact prefix matches nothing', f({ patternType: Pat.PREFIXED, resourceName: 'or' }), 0],
    ['MATCH finds every binding that applies to the topic', f({ resourceType: Res.TOPIC, patternType: Pat.MATCH, resourceName: 'orders' }), 4],
    ['MATCH on an unrelated topic finds the wildcard', f({ resourceType: Res.TOPIC, patternType: Pat.MATCH, resourceName: 'zzz' }), 1],
    ['MATCH without a name matches all', f({ patternType: Pat.MATCH }), 7],
    ['by principal (exact, the wildcard principal is not a filter wildcard)', f({ principal: 'User:*' }), 1],
    ['by principal', f({ principal: app }), 4],
    ['by host', f({ host: '10.0.0.1' }), 1],
    ['by operation', f({ operation: Op.READ }), 3],
    ['by permission', f({ permissionType: DENY }), 1],
    ['an UNKNOWN code matches nothing', f({ operation: 0 }), 0],
  ])('describeAcls filter: %s', (_label, filter, count) => {
    expect(seed().describeAcls(filter)).toHaveLength(count);
  });

  it('deleteAcls removes what each filter matches and reports it per filter', () => {
    const a = seed();
    let changes = 0;
    a.onChange(() => changes++);
    const results = a.deleteAcls([f({ principal: app, resourceType: Res.TOPIC }), f({ resourceName: 'orders', resourceType: Res.TOPIC, patternType: Pat.LITERAL }), f({ operation: 0 })]);
    expect(results.map((r) => r.matching.length)).toEqual([3, 2, 0]);
    expect(results.map((r) => r.errorCode)).toEqual([0, 0, 42]);
    expect(changes).toBe(1);
    expect(names(a.describeAcls(f({})))).toEqual(
      names([
        acl(Res.TOPIC, '*', Pat.LITERAL, 'User:*', Op.ALTER, DENY),
        acl(Res.GROUP, 'orders', Pat.LITERAL, app, Op.READ, ALLOW),
        acl(Res.CLUSTER, 'kafka-cluster', Pat.LITERAL, 'User:ops', Op.ALTER, ALLOW),
      ]),
    );
    expect(a.deleteAcls([f({ principal: app, resourceType: Res.TOPIC })])[0]?.matching).toEqual([]);
    expect(changes).toBe(1);
  });

  it.each([
    ['resource type ANY', acl(Res.ANY, 'x', Pat.LITERAL, app, Op.READ, ALLOW)],
    ['pattern type MATCH', acl(Res.TOPIC, 'x', Pat.MATCH, app, Op.READ, ALLOW)],
    ['pattern type ANY', acl(Res.TOPIC, 'x', Pat.ANY, app, Op.READ, ALLOW)],
    ['operation ANY', acl(Res.TOPIC, 'x', Pat.LITERAL, app, Op.ANY, ALLOW)],
    ['operation UNKNOWN', acl(Res.TOPIC, 'x', Pat.LITERAL, app, 0, ALLOW)],
    ['permission ANY', acl(Res.TOPIC, 'x', Pat.LITERAL, app, Op.READ, Perm.ANY)],
    ['an empty name', acl(Res.TOPIC, '', Pat.LITERAL, app, Op.READ, ALLOW)],
    ['a cluster not named kafka-cluster', acl(Res.CLUSTER, 'prod', Pat.LITERAL, app, Op.ALTER, ALLOW)],
    ['a principal without a type', acl(Res.TOPIC, 'x', Pat.LITERAL, 'app', Op.READ, ALLOW)],
    ['an empty host', acl(Res.TOPIC, 'x', Pat.LITERAL, app, Op.READ, ALLOW, '')],
  ])('createAcls rejects %s with INVALID_REQUEST and keeps the valid ones', (_label, bad) => {
    const a = new Authorizer({ superUsers: [] });
    const good = acl(Res.TOPIC, 'x', Pat.LITERAL, app, Op.READ, ALLOW);
    const results = a.createAcls([bad, good]);
    expect(results[0]?.errorCode).toBe(42);
    expect(results[0]?.errorMessage).toMatch(/./);
    expect(results[1]).toEqual({ errorCode: 0, errorMessage: null });
    expect(a.describeAcls(f({}))).toEqual([good]);
  });

  it('creating an existing binding is a no-op success', () => {
    const a = seed();
    let changes = 0;
    a.onChange(() => changes++);
    expect(a.createAcls([acl(Res.TOPIC, 'orders', Pat.LITERAL, app, Op.READ, ALLOW)])).toEqual([{ errorCode: 0, errorMessage: null }]);
    expect(a.describeAcls(f({}))).toHaveLength(7);
    expect(changes).toBe(0);
  });

  it('round-trips through toJSON/fromJSON with the same decisions', () => {
    const a = seed();
    const b = Authorizer.fromJSON(JSON.parse(JSON.stringify(a.toJSON())), { superUsers: [] });
    expect(b.describeAcls(f({}))).toEqual(a.describeAcls(f({})));
    const ask = { principal: app, host: '10.0.0.2', operation: Op.DESCRIBE, resourceType: Res.TOPIC, resourceName: 'ordinals' };
    expect(b.authorize(ask)).toBe(true);
    expect(b.authorize({ ...ask, operation: Op.ALTER })).toBe(false);
    expect(() => Authorizer.fromJSON({ version: 1, acls: [{ nope: 1 }] }, { superUsers: [] })).toThrow();
  });
});
