import { ApplicationFailure } from '@temporalio/common';
import { AuditChainClosedError, AuditConflictError, AuditSequenceGapError, AuditWriter, type AppendResult } from '../src/audit/audit-writer';
import type { DomainEvent } from '../src/domain/events';
import { createKafka, type KafkaConnection } from '../src/kafka/client';
import type { Logger } from '../src/log/logger';
import type { SecretsPort } from '../src/vault/port';

/**
 * The audit activities: create the immutable audit topic (and the transit signing key) and append
 * the incident's events to it, sealed into the incident's hash chain and signed by checkpoint
 * (design §3). Appends are idempotent: events already on the topic with the same content are
 * skipped, so the workflow may simply re-send after any failure. Different content under a used
 * seq, a gap, or anything after `IncidentClosed` fails non-retryably with a precise type.
 */

/** Dependencies of {@link createAuditActivities}. */
export interface AuditActivityDeps {
  /** The orchestrator's connection; its principal becomes the topic's only writer. */
  kafka: KafkaConnection;
  /** @default 'breachline.audit' (config `kafka.auditTopic`) */
  auditTopic: string;
  logger: Logger;
  /** Vault: signs chain heads (transit) and anchors checkpoints (KV). Absent: unsigned chain (tests). */
  secrets?: SecretsPort;
  /** @default 'breachline-audit' */
  signingKey?: string;
}

/** The refusal types `appendAudit` raises (ApplicationFailure `type`), all non-retryable. */
export const AUDIT_REFUSALS = ['AuditSequenceGap', 'AuditConflict', 'AuditChainClosed'] as const;

function refusal(err: unknown): ApplicationFailure | undefined {
  if (err instanceof AuditConflictError) {
    return ApplicationFailure.create({ type: 'AuditConflict', message: err.message, nonRetryable: true, details: [{ incidentId: err.incidentId, seq: err.seq, offset: err.offset }] });
  }
  if (err instanceof AuditChainClosedError) {
    return ApplicationFailure.create({ type: 'AuditChainClosed', message: err.message, nonRetryable: true, details: [{ incidentId: err.incidentId, seq: err.seq }] });
  }
  if (err instanceof AuditSequenceGapError) {
    return ApplicationFailure.create({ type: 'AuditSequenceGap', message: err.message, nonRetryable: true, details: [{ incidentId: err.incidentId, expected: err.expected, got: err.got }] });
  }
  return undefined;
}

/** The audit activities; one writer (with its tail cache) per worker process. */
export function createAuditActivities(deps: AuditActivityDeps): {
  ensureAuditTopic(): Promise<void>;
  appendAudit(input: { events: DomainEvent[] }): Promise<AppendResult>;
} {
  const logger = deps.logger.child({ component: 'audit' });
  const writer = new AuditWriter({
    kafka: createKafka(deps.kafka, { clientId: 'breachline-audit', logger }),
    topic: deps.auditTopic,
    writer: `User:${deps.kafka.username}`,
    logger,
    ...(deps.secrets !== undefined ? { signing: { secrets: deps.secrets, ...(deps.signingKey !== undefined ? { key: deps.signingKey } : {}) } } : {}),
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
        const refused = refusal(err);
        if (refused !== undefined) {
          logger.error({ type: refused.type, message: refused.message }, 'audit append refused');
          throw refused;
        }
        throw ApplicationFailure.create({ type: 'AuditAppendFailed', message: `audit append failed: ${(err as Error).message}`, nonRetryable: false });
      }
    },
  };
}
