import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, type AclEntry, type AclFilter } from 'kafkajs';
import type { AclBinding } from '../domain/events';

/**
 * The translation between the domain's ACL binding (upper-case Kafka names, as events and
 * runbooks spell them) and the numeric codes kafkajs puts on the wire. Kept apart from the admin
 * port so the mapping is one table, tested on its own, and the rest of the code never sees a code.
 */

type ResourceTypeName = AclBinding['resourceType'];
type PatternTypeName = AclBinding['patternType'];
type PermissionName = AclBinding['permission'];

const RESOURCE_TYPES: ReadonlyArray<[ResourceTypeName, AclResourceTypes]> = [
  ['TOPIC', AclResourceTypes.TOPIC],
  ['GROUP', AclResourceTypes.GROUP],
  ['CLUSTER', AclResourceTypes.CLUSTER],
  ['TRANSACTIONAL_ID', AclResourceTypes.TRANSACTIONAL_ID],
];

const PATTERN_TYPES: ReadonlyArray<[PatternTypeName, ResourcePatternTypes]> = [
  ['LITERAL', ResourcePatternTypes.LITERAL],
  ['PREFIXED', ResourcePatternTypes.PREFIXED],
];

const PERMISSIONS: ReadonlyArray<[PermissionName, AclPermissionTypes]> = [
  ['ALLOW', AclPermissionTypes.ALLOW],
  ['DENY', AclPermissionTypes.DENY],
];

/** Concrete operations a binding may hold (ANY and UNKNOWN only make sense in filters). */
const OPERATIONS: ReadonlyArray<[string, AclOperationTypes]> = [
  ['ALL', AclOperationTypes.ALL],
  ['READ', AclOperationTypes.READ],
  ['WRITE', AclOperationTypes.WRITE],
  ['CREATE', AclOperationTypes.CREATE],
  ['DELETE', AclOperationTypes.DELETE],
  ['ALTER', AclOperationTypes.ALTER],
  ['DESCRIBE', AclOperationTypes.DESCRIBE],
  ['CLUSTER_ACTION', AclOperationTypes.CLUSTER_ACTION],
  ['DESCRIBE_CONFIGS', AclOperationTypes.DESCRIBE_CONFIGS],
  ['ALTER_CONFIGS', AclOperationTypes.ALTER_CONFIGS],
  ['IDEMPOTENT_WRITE', AclOperationTypes.IDEMPOTENT_WRITE],
];

/** Raised for a name or code with no counterpart: a caller bug or a broker newer than kafkajs. */
export class AclCodeError extends Error {
  override readonly name = 'AclCodeError';
}

function lookup<N extends string>(table: ReadonlyArray<[N, number]>, what: string, name: string): number {
  const hit = table.find(([n]) => n === name);
  if (!hit) throw new AclCodeError(`unknown ACL ${what} ${JSON.stringify(name)}`);
  return hit[1];
}

function reverse<N extends string>(table: ReadonlyArray<[N, number]>, code: number): N | undefined {
  return table.find(([, c]) => c === code)?.[0];
}

/** kafkajs code of a resource type name. */
export const resourceTypeCode = (name: ResourceTypeName): AclResourceTypes => lookup(RESOURCE_TYPES, 'resource type', name);
/** kafkajs code of a pattern type name. */
export const patternTypeCode = (name: PatternTypeName): ResourcePatternTypes => lookup(PATTERN_TYPES, 'pattern type', name);
/** kafkajs code of a permission name. */
export const permissionCode = (name: PermissionName): AclPermissionTypes => lookup(PERMISSIONS, 'permission', name);
/** kafkajs code of an operation name (`READ`, `ALL`, …). */
export const operationCode = (name: string): AclOperationTypes => lookup(OPERATIONS, 'operation', name);

/** Every operation name a binding may carry, for validating runbook input. */
export const OPERATION_NAMES: readonly string[] = OPERATIONS.map(([n]) => n);

/** The kafkajs entry for a binding (for CreateAcls); throws {@link AclCodeError} on an unknown name. */
export function toAclEntry(b: AclBinding): AclEntry {
  return {
    resourceType: resourceTypeCode(b.resourceType),
    resourceName: b.resourceName,
    resourcePatternType: patternTypeCode(b.patternType),
    principal: b.principal,
    host: b.host,
    operation: operationCode(b.operation),
    permissionType: permissionCode(b.permission),
  };
}

/** A filter matching exactly one binding (every field given), for DeleteAcls. */
export function exactFilter(b: AclBinding): AclFilter {
  return toAclEntry(b);
}

/**
 * The binding for what the broker described, or `undefined` when a code has no domain name
 * (e.g. a DELEGATION_TOKEN resource): the caller decides whether skipping it is safe.
 */
export function fromAclEntry(e: AclEntry): AclBinding | undefined {
  const resourceType = reverse(RESOURCE_TYPES, e.resourceType);
  const patternType = reverse(PATTERN_TYPES, e.resourcePatternType);
  const permission = reverse(PERMISSIONS, e.permissionType);
  const operation = reverse(OPERATIONS, e.operation);
  if (!resourceType || !patternType || !permission || !operation) return undefined;
  return { resourceType, resourceName: e.resourceName, patternType, principal: e.principal, host: e.host, operation, permission };
}

/** Stable identity of a binding: equal keys mean the broker holds them as one ACL. */
export function bindingKey(b: AclBinding): string {
  return JSON.stringify([b.resourceType, b.patternType, b.resourceName, b.principal, b.host, b.operation, b.permission]);
}

/** Bindings sorted by {@link bindingKey}, duplicates dropped: for comparing ACL sets. */
export function normaliseBindings(bindings: readonly AclBinding[]): AclBinding[] {
  const byKey = new Map<string, AclBinding>();
  for (const b of bindings) byKey.set(bindingKey(b), b);
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, b]) => b);
}
