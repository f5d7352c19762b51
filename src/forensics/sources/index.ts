import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, type Admin } from 'kafkajs';
import { accessRecordsOf, mergeObservations, type AccessObservation, type PartitionAccess } from '../../domain/access-observations';
import type { PrincipalAccess } from '../../kafka/access-records';
import type { KafkaConnection } from '../../kafka/client';
import type { Logger } from '../../log/logger';
import { accountOf } from '../../vault/service-accounts';
import { createConfluentAuditSource } from './confluent-audit/source';
import { createConsumerOffsetsSource } from './consumer-offsets/source';
import { createRequestLogSource } from './request-log/source';
import { createSandboxAccessLogSource } from './sandbox-access-log';
import { DEFAULT_SOURCES, type SourceSpec } from './spec';
import type { AccessSource, UnmappedTopic } from './types';

export type { AccessQuery, AccessSource, UnmappedTopic } from './types';
export { DEFAULT_SOURCES, parseSourceSpec, parseSourceSpecs, type SourceSpec } from './spec';

/**
 * Which access-record sources a cluster has, from configuration, and the one call forensics makes:
 * {@link readAccessObservations} asks every configured source, merges what they saw
 * (src/domain/access-observations) and returns it in the shape the window computation takes.
 *
 * Source specs: see ./spec.
 */

/** Dependencies of {@link readAccessObservations}. */
export interface ObservationDeps {
  kafka: KafkaConnection;
  admin: Admin;
  logger: Logger;
  /** @default {@link DEFAULT_SOURCES} */
  sources?: readonly SourceSpec[];
  /** Topic of the sandbox access log when the spec names none. */
  accessLogTopic?: string;
  /** Topic id → name, for request-log lines of Fetch v13+. */
  topicNames?: ReadonlyMap<string, string>;
  /** Topic id → name from the cluster's metadata (Metadata v10+); undefined when it carries no ids. */
  resolveTopicIds?: () => Promise<ReadonlyMap<string, string> | undefined>;
}

/** What forensics asks. */
export interface ObservationQuery {
  principal: string;
  topics: readonly string[];
  /** ISO; absent reads every source from its start. */
  since?: string;
  /** ISO; absent = now. */
  until?: string;
}

/** What the sources said, merged, in the shape of the sandbox access log's answer. */
export interface ObservedAccess extends PrincipalAccess {
  observations: AccessObservation[];
  merged: PartitionAccess[];
  /** Ids of the sources asked. */
  asked: string[];
  /** Raw records the sources that count them consumed (what `since` saves). */
  recordsRead: number;
  /** Topic ids in the principal's records that no metadata names: reported, not attributed. */
  unmapped: UnmappedTopic[];
}

function createSource(spec: SourceSpec, deps: ObservationDeps): AccessSource & { groupsSeen?: () => string[] } {
  const base = { kafka: deps.kafka, admin: deps.admin, logger: deps.logger };
  switch (spec.kind) {
    case 'request-log':
      return createRequestLogSource(spec.location, {
        ...base,
        ...(deps.topicNames !== undefined ? { topicNames: deps.topicNames } : {}),
        ...(deps.resolveTopicIds !== undefined ? { resolveTopicIds: deps.resolveTopicIds } : {}),
      });
    case 'consumer-offsets':
      return createConsumerOffsetsSource({ ...base, ...(spec.topic !== undefined ? { topic: spec.topic } : {}) });
    case 'confluent-audit':
      return createConfluentAuditSource({ ...base, ...(spec.topic !== undefined ? { topic: spec.topic } : {}) });
    case 'sandbox-access-log': {
      const topic = spec.topic ?? deps.accessLogTopic;
      return createSandboxAccessLogSource({ ...base, ...(topic !== undefined ? { topic } : {}) });
    }
  }
}

/** Groups the principal may have used: the one named after the account and those its ACLs name. */
async function candidateGroups(admin: Admin, principal: string): Promise<string[]> {
  const groups = new Set<string>([accountOf(principal)]);
  const acls = await admin.describeAcls({
    resourceType: AclResourceTypes.GROUP,
    resourcePatternType: ResourcePatternTypes.LITERAL,
    principal,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  });
  for (const r of acls.resources) if (r.resourceName !== '*') groups.add(r.resourceName);
  return [...groups].sort();
}

/**
 * Asks every configured source about the principal's reads of `topics` between `since` and
 * `until`, merges the observations per partition and returns them as labelled fetch records per
 * topic (exact where a source saw each fetch, else the merged bounded / time-derived ranges).
 */
export async function readAccessObservations(deps: ObservationDeps, q: ObservationQuery): Promise<ObservedAccess> {
  const specs = deps.sources ?? DEFAULT_SOURCES;
  const sources = specs.map((s) => createSource(s, deps));
  const since = q.since ?? new Date(0).toISOString();
  const until = q.until ?? new Date().toISOString();
  const groups = sources.some((s) => s.id === 'consumer-offsets') ? await candidateGroups(deps.admin, q.principal) : [];
  const observations: AccessObservation[] = [];
  for (const source of sources) {
    for await (const o of source.read({ principal: q.principal, topics: q.topics, since, until, groups })) observations.push(o);
  }
  const merged = mergeObservations(observations);
  const fetches = new Map<string, ReturnType<typeof accessRecordsOf>>();
  for (const m of merged) fetches.set(m.topic, [...(fetches.get(m.topic) ?? []), ...accessRecordsOf(m, observations)]);
  const seen = new Set<string>();
  for (const s of sources) for (const g of s.groupsSeen?.() ?? []) seen.add(g);
  deps.logger.info({ sources: sources.map((s) => s.id), observations: observations.length, partitions: merged.length, since }, 'access records read');
  const recordsRead = sources.reduce((n, s) => n + (s.recordsRead?.() ?? 0), 0);
  const unmapped = sources.flatMap((s) => s.unmapped?.() ?? []);
  return { fetches, groups: seen, scanned: observations.length, observations, merged, asked: sources.map((s) => s.id), recordsRead, unmapped };
}
