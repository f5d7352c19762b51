/**
 * Kafka's ACL vocabulary (numeric codes as on the wire) and the pure rules on bindings and
 * filters: validation of a new binding and the filter matching of `AclBindingFilter.matches`.
 */

/** `ResourceType` codes. */
export const ResourceType = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const;

/** `AclOperation` codes. */
export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;

/** `AclPermissionType` codes. */
export const AclPermissionType = {
  UNKNOWN: 0,
  ANY: 1,
  DENY: 2,
  ALLOW: 3,
} as const;

/** `PatternType` codes. */
export const PatternType = {
  UNKNOWN: 0,
  ANY: 1,
  MATCH: 2,
  LITERAL: 3,
  PREFIXED: 4,
} as const;

/** The only name the CLUSTER resource has. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';
/** Resource name that matches every resource of its type (LITERAL only). */
export const WILDCARD_RESOURCE = '*';
/** Principal that matches every principal. */
export const WILDCARD_PRINCIPAL = 'User:*';
/** Host that matches every client address. */
export const WILDCARD_HOST = '*';

/** One ACL: a resource pattern plus an access control entry, all codes numeric as on the wire. */
export interface AclBinding {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/**
 * A filter over bindings, as DescribeAcls and DeleteAcls carry it: ANY codes match every value,
 * pattern type MATCH matches the patterns that would apply to the named resource, and a
 * `null` (or absent) name, principal or host matches any. A plain {@link AclBinding} is a filter
 * that matches only itself.
 */
export interface AclBindingFilter {
  resourceType: number;
  resourceName?: string | null;
  patternType: number;
  principal?: string | null;
  host?: string | null;
  operation: number;
  permissionType: number;
}

const NAMES = {
  resourceType: invert(ResourceType),
  operation: invert(AclOperation),
  permissionType: invert(AclPermissionType),
  patternType: invert(PatternType),
};

function invert(table: Readonly<Record<string, number>>): ReadonlyMap<number, string> {
  return new Map(Object.entries(table).map(([k, v]) => [v, k]));
}

/** Upper-case Kafka name of a resource type code (`TOPIC`), or `UNKNOWN`. */
export function resourceTypeName(code: number): string {
  return NAMES.resourceType.get(code) ?? 'UNKNOWN';
}
/** Upper-case Kafka name of an operation code (`READ`), or `UNKNOWN`. */
export function operationName(code: number): string {
  return NAMES.operation.get(code) ?? 'UNKNOWN';
}
/** Upper-case Kafka name of a permission code (`ALLOW`), or `UNKNOWN`. */
export function permissionTypeName(code: number): string {
  return NAMES.permissionType.get(code) ?? 'UNKNOWN';
}
/** Upper-case Kafka name of a pattern type code (`PREFIXED`), or `UNKNOWN`. */
export function patternTypeName(code: number): string {
  return NAMES.patternType.get(code) ?? 'UNKNOWN';
}

const CONCRETE_RESOURCE_TYPES: ReadonlySet<number> = new Set([2, 3, 4, 5, 6, 7]);
const CONCRETE_OPERATIONS: ReadonlySet<number> = new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);

/**
 * Why a binding cannot be created, or `undefined` when it can. Mirrors Kafka: no ANY/MATCH/UNKNOWN
 * codes in a binding, only LITERAL or PREFIXED patterns, a non-empty name, `kafka-cluster` as the
 * only CLUSTER name, and a principal of the form `Type:name`.
 */
export function validateAclBinding(b: AclBinding): string | undefined {
  if (!CONCRETE_RESOURCE_TYPES.has(b.resourceType)) return `Invalid resource type ${b.resourceType}`;
  if (b.patternType !== PatternType.LITERAL && b.patternType !== PatternType.PREFIXED) {
    return `Invalid pattern type ${patternTypeName(b.patternType)}: ACLs are LITERAL or PREFIXED`;
  }
  if (!CONCRETE_OPERATIONS.has(b.operation)) return `Invalid operation ${operationName(b.operation)}`;
  if (b.permissionType !== AclPermissionType.ALLOW && b.permissionType !== AclPermissionType.DENY) {
    return `Invalid permission type ${permissionTypeName(b.permissionType)}`;
  }
  if (typeof b.resourceName !== 'string' || b.resourceName.length === 0) return 'Invalid empty resource name';
  if (b.resourceType === ResourceType.CLUSTER && b.resourceName !== CLUSTER_RESOURCE_NAME) {
    return `The only valid name for the CLUSTER resource is ${CLUSTER_RESOURCE_NAME}`;
  }
  if (typeof b.principal !== 'string' || !/^[^:]+:.+$/s.test(b.principal)) return `Invalid principal ${String(b.principal)}`;
  if (typeof b.host !== 'string' || b.host.length === 0) return 'Invalid empty host';
  return undefined;
}

/** Why a filter is unusable (an UNKNOWN code), or `undefined`. */
export function validateAclFilter(f: AclBindingFilter): string | undefined {
  if (!NAMES.resourceType.has(f.resourceType) || f.resourceType === ResourceType.UNKNOWN) return `Invalid resource type ${f.resourceType}`;
  if (!NAMES.patternType.has(f.patternType) || f.patternType === PatternType.UNKNOWN) return `Invalid pattern type ${f.patternType}`;
  if (!NAMES.operation.has(f.operation) || f.operation === AclOperation.UNKNOWN) return `Invalid operation ${f.operation}`;
  if (!NAMES.permissionType.has(f.permissionType) || f.permissionType === AclPermissionType.UNKNOWN) {
    return `Invalid permission type ${f.permissionType}`;
  }
  return undefined;
}

/** Kafka's `ResourcePatternFilter.matches`. */
export function patternFilterMatches(f: AclBindingFilter, b: AclBinding): boolean {
  if (f.resourceType !== ResourceType.ANY && f.resourceType !== b.resourceType) return false;
  const anyOrMatch = f.patternType === PatternType.ANY || f.patternType === PatternType.MATCH;
  if (!anyOrMatch && f.patternType !== b.patternType) return false;
  const name = f.resourceName ?? null;
  if (name === null) return true;
  if (f.patternType !== PatternType.MATCH) return name === b.resourceName;
  if (b.patternType === PatternType.LITERAL) return name === b.resourceName || b.resourceName === WILDCARD_RESOURCE;
  if (b.patternType === PatternType.PREFIXED) return name.startsWith(b.resourceName);
  return false;
}

/** Kafka's `AccessControlEntryFilter.matches`: exact principal and host unless null. */
export function entryFilterMatches(f: AclBindingFilter, b: AclBinding): boolean {
  if (f.principal != null && f.principal !== b.principal) return false;
  if (f.host != null && f.host !== b.host) return false;
  if (f.operation !== AclOperation.ANY && f.operation !== b.operation) return false;
  if (f.permissionType !== AclPermissionType.ANY && f.permissionType !== b.permissionType) return false;
  return true;
}

/** Both halves of Kafka's `AclBindingFilter.matches`. */
export function aclFilterMatches(f: AclBindingFilter, b: AclBinding): boolean {
  return patternFilterMatches(f, b) && entryFilterMatches(f, b);
}

/** Stable identity of a binding, for de-duplication. */
export function aclBindingKey(b: AclBinding): string {
  return JSON.stringify([b.resourceType, b.patternType, b.resourceName, b.principal, b.host, b.operation, b.permissionType]);
}

/** A copy holding exactly the binding's fields (callers may pass decoded objects with extras). */
export function copyAclBinding(b: AclBinding): AclBinding {
  return {
    resourceType: b.resourceType,
    resourceName: b.resourceName,
    patternType: b.patternType,
    principal: b.principal,
    host: b.host,
    operation: b.operation,
    permissionType: b.permissionType,
  };
}
