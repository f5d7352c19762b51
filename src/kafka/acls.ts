import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, type Admin, type AclEntry, type AclFilter } from 'kafkajs';
import type { AclBinding } from '../domain/events';
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import { exactFilter, fromAclEntry, toAclEntry } from './acl-codes';
import { createKafka, type KafkaConnection } from './client';

/**
 * The ACL port: what containment and the circuit breakers need from Kafka's authorizer, spoken in
 * the domain's {@link AclBinding}. Implemented over kafkajs admin (DescribeAcls, CreateAcls,
 * DeleteAcls). Deletes always name a binding field by field, so a delete can never sweep up a
 * binding nobody asked about (a filter with a wildcard field would).
 */
export interface AclPort {
  /** Every binding naming `principal`, over all resource and pattern types. */
  bindingsOf(principal: string): Promise<AclBinding[]>;
  /** Every binding on the cluster (tests and dry-run comparisons). */
  allBindings(): Promise<AclBinding[]>;
  /** Deletes exactly these bindings; returns the ones that existed and are now gone. */
  deleteExact(bindings: readonly AclBinding[]): Promise<AclBinding[]>;
  /** Creates the bindings (creating an existing binding is a no-op on Kafka). */
  create(bindings: readonly AclBinding[]): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link createAclAdmin}. */
export interface AclAdminOptions {
  clientId?: string;
  logger?: Logger;
}

const ANY_FILTER: AclFilter = {
  resourceType: AclResourceTypes.ANY,
  resourcePatternType: ResourcePatternTypes.ANY,
  operation: AclOperationTypes.ANY,
  permissionType: AclPermissionTypes.ANY,
};

/**
 * An {@link AclPort} over a kafkajs admin client for `connection` (which needs DESCRIBE and ALTER
 * on the cluster). The admin connects on first use; `close()` disconnects it.
 */
export function createAclAdmin(connection: KafkaConnection, options: AclAdminOptions = {}): AclPort {
  const logger = options.logger ?? silentLogger;
  let admin: Admin | undefined;
  let connecting: Promise<Admin> | undefined;

  const connected = (): Promise<Admin> => {
    if (admin) return Promise.resolve(admin);
    connecting ??= (async () => {
      const a = createKafka(connection, { clientId: options.clientId ?? 'breachline-acls', logger }).admin();
      try {
        await a.connect();
      } catch (err) {
        connecting = undefined;
        throw err;
      }
      admin = a;
      return a;
    })();
    return connecting;
  };

  const describe = async (filter: AclFilter): Promise<AclBinding[]> => {
    const res = await (await connected()).describeAcls(filter);
    const out: AclBinding[] = [];
    for (const resource of res.resources) {
      for (const acl of resource.acls) {
        const entry: AclEntry = { ...acl, resourceType: resource.resourceType, resourceName: resource.resourceName, resourcePatternType: resource.resourcePatternType };
        const binding = fromAclEntry(entry);
        // A binding on a resource kind the domain cannot name (e.g. a delegation token) is left alone.
        if (binding) out.push(binding);
        else logger.warn({ resourceType: entry.resourceType, operation: entry.operation }, 'ACL binding with a type the domain does not model was skipped');
      }
    }
    return out;
  };

  return {
    bindingsOf: (principal) => describe({ ...ANY_FILTER, principal }),
    allBindings: () => describe(ANY_FILTER),
    async deleteExact(bindings) {
      if (bindings.length === 0) return [];
      const res = await (await connected()).deleteAcls({ filters: bindings.map(exactFilter) });
      const failed = res.filterResponses.find((r) => r.errorCode !== 0);
      if (failed) throw new Error(`DeleteAcls failed with error code ${failed.errorCode}: ${failed.errorMessage ?? ''}`);
      const gone: AclBinding[] = [];
      for (const r of res.filterResponses) {
        for (const m of r.matchingAcls) {
          const b = fromAclEntry(m);
          if (b) gone.push(b);
        }
      }
      return gone;
    },
    async create(bindings) {
      if (bindings.length === 0) return;
      await (await connected()).createAcls({ acl: bindings.map(toAclEntry) });
    },
    async close() {
      const a = admin ?? (connecting ? await connecting.catch(() => undefined) : undefined);
      admin = undefined;
      connecting = undefined;
      await a?.disconnect();
    },
  };
}
