import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { AclBinding } from '../../../src/domain/events';
import { AclCodeError, bindingKey, exactFilter, fromAclEntry, normaliseBindings, operationCode, toAclEntry } from '../../../src/kafka/acl-codes';

const binding: AclBinding = {
  resourceType: 'GROUP',
  resourceName: 'risk-',
  patternType: 'PREFIXED',
  principal: 'User:risk-consumer',
  host: '10.0.0.7',
  operation: 'DESCRIBE_CONFIGS',
  permission: 'DENY',
};

describe('ACL codes', () => {
  it('maps a binding to the kafkajs codes Kafka puts on the wire and back', () => {
    const entry = toAclEntry(binding);
    expect(entry).toEqual({
      resourceType: 3,
      resourceName: 'risk-',
      resourcePatternType: 4,
      principal: 'User:risk-consumer',
      host: '10.0.0.7',
      operation: 10,
      permissionType: 2,
    });
    expect(fromAclEntry(entry)).toEqual(binding);
  });

  it('round-trips every resource, pattern, permission and operation the domain names', () => {
    for (const resourceType of ['TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID'] as const) {
      for (const patternType of ['LITERAL', 'PREFIXED'] as const) {
        for (const permission of ['ALLOW', 'DENY'] as const) {
          for (const operation of ['ALL', 'READ', 'WRITE', 'CREATE', 'DELETE', 'ALTER', 'DESCRIBE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'IDEMPOTENT_WRITE']) {
            const b: AclBinding = { ...binding, resourceType, patternType, permission, operation };
            expect(fromAclEntry(toAclEntry(b))).toEqual(b);
          }
        }
      }
    }
  });

  it('has no name for filter-only and unknown codes, and rejects unknown names', () => {
    const entry = toAclEntry(binding);
    expect(fromAclEntry({ ...entry, resourceType: AclResourceTypes.DELEGATION_TOKEN })).toBeUndefined();
    expect(fromAclEntry({ ...entry, resourcePatternType: ResourcePatternTypes.MATCH })).toBeUndefined();
    expect(fromAclEntry({ ...entry, operation: AclOperationTypes.ANY })).toBeUndefined();
    expect(fromAclEntry({ ...entry, permissionType: AclPermissionTypes.UNKNOWN })).toBeUndefined();
    expect(() => operationCode('ANY')).toThrow(AclCodeError);
    expect(() => toAclEntry({ ...binding, operation: 'read' })).toThrow(AclCodeError);
  });

  it('builds delete filters that name every field, so nothing else can match', () => {
    const f = exactFilter(binding);
    expect(Object.values(f).every((v) => v !== undefined && v !== AclOperationTypes.ANY)).toBe(true);
    expect(f.resourceName).toBe('risk-');
    expect(f.principal).toBe('User:risk-consumer');
  });

  it('compares ACL sets independently of order and duplicates', () => {
    const other: AclBinding = { ...binding, operation: 'READ' };
    expect(normaliseBindings([binding, other, binding])).toEqual(normaliseBindings([other, binding]));
    expect(normaliseBindings([binding, other])).toHaveLength(2);
    expect(bindingKey(binding)).not.toBe(bindingKey({ ...binding, host: '*' }));
  });
});
