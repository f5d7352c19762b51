import type { AccessObservation } from '../../domain/access-observations';

/**
 * One place a cluster keeps access records (issue 12, item 1): the broker request log, the
 * consumer-group commit history, Confluent audit-log events, or the sandbox's access log. Each
 * reads only from `since` on and yields what it saw about the principal, labelled with how precise
 * it is (see src/domain/access-observations).
 */

/** What forensics asks every source. */
export interface AccessQuery {
  /** `User:<name>`. */
  principal: string;
  /** Topics whose reads matter. */
  topics: readonly string[];
  /** ISO time: the suspected start of the compromise; nothing earlier is read. */
  since: string;
  /** ISO time: containment (or now); nothing later counts. */
  until: string;
  /** Consumer groups the principal may have used (commit history is per group, not per principal). */
  groups: readonly string[];
}

/** A configured source. */
export interface AccessSource {
  /** e.g. `request-log`, `consumer-offsets`, `confluent-audit`, `sandbox-access-log`. */
  readonly id: string;
  read(q: AccessQuery): AsyncIterable<AccessObservation>;
  /** Raw records (log lines, topic records) the last `read` consumed, where the source counts them. */
  recordsRead?(): number;
  /** Topic ids the last `read` met in the principal's records and could not name (request log, Fetch v13+). */
  unmapped?(): UnmappedTopic[];
}

/**
 * A topic id no metadata names: the topic was deleted (or recreated under a new id) since the
 * fetch, or the cluster's metadata carries no ids. Its fetches cannot be placed in a window, so
 * they are reported, never attributed by guess.
 */
export interface UnmappedTopic {
  source: string;
  /** As Kafka prints it: URL-safe base64 of the UUID. */
  topicId: string;
  /** Partition fetches of the principal that named it. */
  fetches: number;
  partitions: number[];
  /** Why no name was found: no metadata carries topic ids here, or the id is not among them. */
  reason: 'no-topic-ids-in-metadata' | 'unknown-topic-id';
}
