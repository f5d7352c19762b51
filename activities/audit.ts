import { ApplicationFailure } from '@temporalio/common';
import { AuditSequenceGapError, AuditWriter } from '../src/audit/audit-writer';
import type { DomainEvent } from '../src/domain/events';
import { createKafka, type KafkaConnection } from '../src/kafka/client';
import type { Logger } from '../src/log/logger';

/**
 * The audit activities: create the immutable audit topic and append the incident's events to it,
 * sealed into the incident's hash chain (design §3). Appends are idempotent: events already on
 * the topic are skipped, so the workflow may simply re-send after any failure.
 */

/** Dependencies of {@link createAuditActivities}. */
export interface AuditActivityDeps {
  /** The orchestrator's connection; its principal becomes the topic's only writer. */
  kafka: KafkaConnection;
  /** @default 'breachline.audit' (config `kafka.auditTopic`) */
  auditTopic: string;
  logger: Logger;
}

/** The audit activities; one writer (with its tail cache) per worker process. */
export function createAuditActivities(deps: AuditActivityDeps): {
  ensureAuditTopic(): Promise<void>;
  appendAudit(input: { events: DomainEvent[] }): Promise<{ appended: number; skipped: number }>;
} {
  const logger = deps.logger.child({ component: 'audit' });
  const writer = new AuditWriter({
    kafka: createKafka(deps.kafka, { clientId: 'breachline-audit', logger }),
    topic: deps.auditTopic,
    writer: `User:${deps.kafka.username}`,
    logger,
  });
  return {
    async ensureAuditTopic() {
      try {
        const state = await writer.ensureTopic();
        if (state.created || state.addedAcls > 0 || state.correctedConfigs.length > 0) logger.info({ topic: deps.auditTopic, ...state }, 'audit topic ensured');
      } catch (err) {
        throw ApplicationFailure.create({ type: 'AuditTopicUnavailable', message: `cannot ensure audit topic ${deps.auditTopic}: ${(err as Error).message}`, nonRetryable: false });
      }
    },
    async appendAudit(input) {
      try {
        return await writer.append(input.events);
      } catch (err) {
        if (err instanceof AuditSequenceGapError) {
          throw ApplicationFailure.create({ type: 'AuditSequenceGap', message: err.message, nonRetryable: true });
        }
        throw ApplicationFailure.create({ type: 'AuditAppendFailed', message: `audit append failed: ${(err as Error).message}`, nonRetryable: false });
      }
    },
  };
}
