import { z } from 'zod';
import {
  AclOperation,
  AclPermissionType,
  PatternType,
  WILDCARD_HOST,
  WILDCARD_PRINCIPAL,
  WILDCARD_RESOURCE,
  aclBindingKey,
  aclFilterMatches,
  copyAclBinding,
  validateAclBinding,
  validateAclFilter,
  type AclBinding,
  type AclBindingFilter,
} from './acl';
import { SECURITY_ERRORS } from './errors';

/** Options of {@link Authorizer}, named after Kafka's broker settings. */
export interface AuthorizerOptions {
  /** `super.users`: principals (`User:admin`) that bypass every ACL. */
  superUsers: readonly string[];
  /** `allow.everyone.if.no.acl.found`. @default false */
  allowEveryoneIfNoAclFound?: boolean;
}

/** One authorization question: may `principal` from `host` do `operation` on the resource? */
export interface AuthorizationRequest {
  principal: string;
  host: string;
  operation: number;
  resourceType: number;
  resourceName: string;
}

/** Per created binding: 0, or INVALID_REQUEST (42) with Kafka's reason. */
export interface AclCreateResult {
  errorCode: number;
  errorMessage: string | null;
}

/** Per delete filter: its error and the bindings it removed. */
export interface AclDeleteResult {
  errorCode: number;
  errorMessage: string | null;
  matching: AclBinding[];
}

/** Allowing one of these operations also allows the key (Kafka's implied DESCRIBE rules). */
const IMPLIED_BY: ReadonlyMap<number, readonly number[]> = new Map([
  [AclOperation.DESCRIBE, [AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER]],
  [AclOperation.DESCRIBE_CONFIGS, [AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS]],
]);

const bindingSchema = z.object({
  resourceType: z.number().int(),
  resourceName: z.string(),
  patternType: z.number().int(),
  principal: z.string(),
  host: z.string(),
  operation: z.number().int(),
  permissionType: z.number().int(),
});
const persistedSchema = z.object({ version: z.literal(1), acls: z.array(bindingSchema) });

/**
 * ACL authorizer with the semantics of Kafka's `AclAuthorizer` / `StandardAuthorizer`: super users
 * bypass; a resource with no matching ACL is denied unless `allowEveryoneIfNoAclFound`; a
 * matching DENY beats any ALLOW; LITERAL, `*` and PREFIXED patterns; `User:*` and host `*`
 * wildcards; ALL matches every operation; ALLOW of READ/WRITE/DELETE/ALTER implies DESCRIBE and
 * ALLOW of ALTER_CONFIGS implies DESCRIBE_CONFIGS.
 */
export class Authorizer {
  private readonly superUsers: ReadonlySet<string>;
  private readonly allowEveryoneIfNoAclFound: boolean;
  /** All bindings by {@link aclBindingKey}, in creation order. */
  private readonly bindings = new Map<string, AclBinding>();
  /** Index: resource type → LITERAL name → bindings. */
  private readonly literal = new Map<number, Map<string, AclBinding[]>>();
  /** Index: resource type → PREFIXED prefix → bindings. */
  private readonly prefixed = new Map<number, Map<string, AclBinding[]>>();
  private readonly listeners: Array<() => void> = [];

  constructor(options: AuthorizerOptions) {
    this.superUsers = new Set(options.superUsers);
    this.allowEveryoneIfNoAclFound = options.allowEveryoneIfNoAclFound ?? false;
  }

  /** True when the principal is in `super.users`. */
  isSuperUser(principal: string): boolean {
    return this.superUsers.has(principal);
  }

  /** Kafka's authorization decision for one action; never throws (nonsense codes are denied). */
  authorize(request: AuthorizationRequest): boolean {
    if (this.superUsers.has(request.principal)) return true;
    if (request.operation === AclOperation.ANY || request.operation === AclOperation.UNKNOWN) return false;
    const groups = this.matchingAcls(request.resourceType, request.resourceName);
    if (groups.length === 0) return this.allowEveryoneIfNoAclFound;
    const host = normalizeHost(request.host);
    const allowOps = IMPLIED_BY.get(request.operation) ?? [request.operation];
    let allowed = false;
    // One pass: any applicable DENY ends the decision; an ALLOW is remembered until all are seen.
    for (const group of groups) {
      for (const b of group) {
        if (b.principal !== request.principal && b.principal !== WILDCARD_PRINCIPAL) continue;
        if (b.host !== WILDCARD_HOST && b.host !== host) continue;
        if (b.permissionType === AclPermissionType.DENY) {
          if (b.operation === request.operation || b.operation === AclOperation.ALL) return false;
        } else if (!allowed && (b.operation === AclOperation.ALL || allowOps.includes(b.operation))) {
          allowed = true;
        }
      }
    }
    return allowed;
  }

  /**
   * Kafka's `authorizeByResourceType` (KIP-679): may the principal do `operation` on at least one
   * resource of the type? Used for InitProducerId ("WRITE on any topic"). An ALLOW counts unless a
   * DENY for the same principal/host/operation covers all of it (`*`, or a prefix of its name).
   */
  authorizeByResourceType(request: Omit<AuthorizationRequest, 'resourceName'>): boolean {
    if (this.superUsers.has(request.principal)) return true;
    const host = normalizeHost(request.host);
    const relevant = [...this.bindings.values()].filter(
      (b) =>
        b.resourceType === request.resourceType &&
        (b.principal === request.principal || b.principal === WILDCARD_PRINCIPAL) &&
        (b.host === WILDCARD_HOST || b.host === host) &&
        (b.operation === request.operation || b.operation === AclOperation.ALL),
    );
    const denies = relevant.filter((b) => b.permissionType === AclPermissionType.DENY);
    if (denies.some((d) => d.patternType === PatternType.LITERAL && d.resourceName === WILDCARD_RESOURCE)) return false;
    if (this.allowEveryoneIfNoAclFound) return true;
    return relevant.some((a) => {
      if (a.permissionType !== AclPermissionType.ALLOW) return false;
      if (a.patternType === PatternType.LITERAL && a.resourceName === WILDCARD_RESOURCE) return true;
      return !denies.some(
        (d) =>
          (d.patternType === PatternType.PREFIXED && a.resourceName.startsWith(d.resourceName)) ||
          (a.patternType === PatternType.LITERAL && d.patternType === PatternType.LITERAL && d.resourceName === a.resourceName),
      );
    });
  }

  /** Adds bindings (idempotent for existing ones); each gets its own result. */
  createAcls(bindings: readonly AclBinding[]): AclCreateResult[] {
    let changed = false;
    const results = bindings.map((binding): AclCreateResult => {
      const invalid = validateAclBinding(binding);
      if (invalid) return { errorCode: SECURITY_ERRORS.INVALID_REQUEST, errorMessage: `Failed to create ACL: ${invalid}` };
      changed = this.add(copyAclBinding(binding)) || changed;
      return { errorCode: SECURITY_ERRORS.NONE, errorMessage: null };
    });
    if (changed) this.emit();
    return results;
  }

  /** Bindings matching the filter, in creation order; an invalid filter matches nothing. */
  describeAcls(filter: AclBindingFilter): AclBinding[] {
    if (validateAclFilter(filter)) return [];
    return [...this.bindings.values()].filter((b) => aclFilterMatches(filter, b)).map(copyAclBinding);
  }

  /**
   * Removes every binding that matches any filter. Each filter reports what it matched (a binding
   * matched by two filters is reported by both, as Kafka does); an invalid filter reports
   * INVALID_REQUEST and removes nothing.
   */
  deleteAcls(filters: readonly AclBindingFilter[]): AclDeleteResult[] {
    const snapshot = [...this.bindings.values()];
    const results = filters.map((filter): AclDeleteResult => {
      const invalid = validateAclFilter(filter);
      if (invalid) return { errorCode: SECURITY_ERRORS.INVALID_REQUEST, errorMessage: invalid, matching: [] };
      return { errorCode: SECURITY_ERRORS.NONE, errorMessage: null, matching: snapshot.filter((b) => aclFilterMatches(filter, b)).map(copyAclBinding) };
    });
    let changed = false;
    for (const r of results) for (const b of r.matching) changed = this.remove(b) || changed;
    if (changed) this.emit();
    return results;
  }

  /** Registers a listener called after every change (the broker journals the ACLs). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Persistable form: the bindings in creation order. */
  toJSON(): unknown {
    return { version: 1, acls: [...this.bindings.values()].map(copyAclBinding) };
  }

  /** Rebuilds an authorizer from {@link Authorizer.toJSON}; throws on a malformed document. */
  static fromJSON(data: unknown, options: AuthorizerOptions): Authorizer {
    const parsed = persistedSchema.parse(data);
    const authorizer = new Authorizer(options);
    for (const b of parsed.acls) {
      const invalid = validateAclBinding(b);
      if (invalid) throw new Error(`invalid persisted ACL: ${invalid}`);
      authorizer.add(b);
    }
    return authorizer;
  }

  /**
   * The non-empty binding lists that apply to the resource: LITERAL on the name, LITERAL `*`, and
   * PREFIXED whose prefix starts the name. Lists are returned by reference, not copied.
   */
  private matchingAcls(resourceType: number, resourceName: string): AclBinding[][] {
    const out: AclBinding[][] = [];
    const literal = this.literal.get(resourceType);
    if (literal) {
      const exact = literal.get(resourceName);
      if (exact) out.push(exact);
      const wildcard = resourceName === WILDCARD_RESOURCE ? undefined : literal.get(WILDCARD_RESOURCE);
      if (wildcard) out.push(wildcard);
    }
    const prefixed = this.prefixed.get(resourceType);
    if (prefixed) {
      // One lookup per prefix length keeps this O(name length) however many ACLs exist.
      for (let i = 1; i <= resourceName.length; i++) {
        const list = prefixed.get(resourceName.slice(0, i));
        if (list) out.push(list);
      }
    }
    return out;
  }

  private indexFor(b: AclBinding): Map<string, AclBinding[]> {
    const byType = b.patternType === PatternType.PREFIXED ? this.prefixed : this.literal;
    let index = byType.get(b.resourceType);
    if (!index) {
      index = new Map();
      byType.set(b.resourceType, index);
    }
    return index;
  }

  private add(b: AclBinding): boolean {
    const key = aclBindingKey(b);
    if (this.bindings.has(key)) return false;
    this.bindings.set(key, b);
    const index = this.indexFor(b);
    index.set(b.resourceName, [...(index.get(b.resourceName) ?? []), b]);
    return true;
  }

  private remove(b: AclBinding): boolean {
    const key = aclBindingKey(b);
    if (!this.bindings.delete(key)) return false;
    const index = this.indexFor(b);
    const left = (index.get(b.resourceName) ?? []).filter((x) => aclBindingKey(x) !== key);
    if (left.length > 0) index.set(b.resourceName, left);
    else index.delete(b.resourceName);
    return true;
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

/** Client addresses arrive as `::ffff:1.2.3.4` on dual-stack sockets; ACL hosts are plain IPv4. */
export function normalizeHost(host: string): string {
  return host.startsWith('::ffff:') && host.includes('.') ? host.slice(7) : host;
}
