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
}
