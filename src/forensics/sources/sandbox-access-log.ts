import type { Admin } from 'kafkajs';
import type { AccessObservation } from '../../domain/access-observations';
import { readPrincipalAccess } from '../../kafka/access-records';
import type { KafkaConnection } from '../../kafka/client';
import type { Logger } from '../../log/logger';
import type { AccessQuery, AccessSource } from './types';

/**
 * The sandbox broker's access log (`__access_log`), the drill source: one record per fetch served,
 * with the offsets and bytes, so its ranges are exact. Real clusters do not have it (they have the
 * request log, commits and audit events); a cluster without the topic yields nothing.
 */

/** Dependencies of {@link createSandboxAccessLogSource}. */
export interface SandboxAccessLogDeps {
  kafka: KafkaConnection;
  admin: Admin;
  logger: Logger;
  /** @default '__access_log' */
  topic?: string;
}

/** The sandbox access-log source; `groupsSeen()` lists the groups the principal used, after a read. */
export function createSandboxAccessLogSource(deps: SandboxAccessLogDeps): AccessSource & { groupsSeen(): string[] } {
  const topic = deps.topic ?? '__access_log';
  let groups: string[] = [];
  let consumed = 0;
  return {
    id: 'sandbox-access-log',
    groupsSeen: () => groups,
    recordsRead: () => consumed,
    async *read(q: AccessQuery): AsyncIterable<AccessObservation> {
      if (!(await deps.admin.listTopics()).includes(topic)) {
        deps.logger.warn({ topic }, 'access log topic not found; no sandbox access records');
        return;
      }
      const since = Date.parse(q.since);
      const access = await readPrincipalAccess(deps.kafka, deps.admin, { principal: q.principal, topics: q.topics, accessLogTopic: topic, logger: deps.logger, ...(since > 0 ? { since } : {}) });
      groups = [...access.groups];
      consumed = access.scanned;
      for (const [t, fetches] of access.fetches) {
        for (const f of fetches) {
          // No `until` cut here: the sandbox broker's clock may be virtual (drills move it), so
          // its times need not be comparable with the investigation's; it records up to now anyway.
          const time = typeof f.time === 'number' ? f.time : Date.parse(f.time);
          yield { source: 'sandbox-access-log', principal: q.principal, topic: t, partition: f.partition, from: String(f.fromOffset), to: String(f.toOffset), time, precision: 'exact', ...(f.bytes !== undefined ? { bytes: String(f.bytes) } : {}) };
        }
      }
    },
  };
}
