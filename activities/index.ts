import type { SourceSpec } from '../src/forensics/sources/spec';
import type { KafkaConnection } from '../src/kafka/client';
import type { Logger } from '../src/log/logger';
import type { ConversationPort } from '../src/slack/conversation-port';
import type { SecretsPort } from '../src/vault/port';
import { createActionActivities, type ActionEndpoints } from './actions/index';
import type { VaultAuditSource } from './actions/vault-trace';
import { createAnnotateActivities } from './annotate';
import { createAuditActivities } from './audit';
import { createContainmentActivities } from './containment';
import { createDataSubjectActivities } from './data-subjects';
import { createEvidenceActivities } from './evidence';
import { createForensicsActivities } from './forensics';
import { withKeepAlive } from './heartbeat';
import { createNotifyActivities } from './notify';
import { createReportActivities } from './report';
import { createRotationActivities } from './rotation';

/**
 * Everything the playbook's activities need, built once by the worker (`worker/deps.ts`) or by a
 * test from sandbox-backed clients. Ports and connections only, never a sandbox object.
 */
export interface PlaybookDeps {
  /** Orchestrator's admin connection (ACLs, SCRAM, topics, evidence and audit writes). */
  kafka: KafkaConnection;
  secrets: SecretsPort;
  /** Absent: messages are logged, not posted. */
  conversation?: ConversationPort;
  logger: Logger;
  /** Hash-chained audit topic. @default 'breachline.audit' */
  auditTopic: string;
  /** Incident channel. @default '#incidents' */
  channel: string;
  /** Broker access-record topic, when the cluster publishes one. */
  accessLogTopic?: string;
  /** Where the cluster keeps access records for forensics. @default the sandbox access log */
  accessSources?: readonly SourceSpec[];
  now?: () => Date;
  /** Outside services of the generic actions (issue 17): PagerDuty, Opsgenie, Jira. @default the public endpoints, no Jira */
  actionEndpoints?: ActionEndpoints;
  /** The Vault audit device and the file or topic of its lines, for `vault.trace-token` (leaked-token playbook). @default none: the trace is refused */
  vaultAudit?: VaultAuditSource;
}

/** Every playbook activity, by name, as the worker registers them; each heartbeats while it runs. */
export function createActivities(deps: PlaybookDeps) {
  return withKeepAlive(playbookActivities(deps));
}

function playbookActivities(deps: PlaybookDeps) {
  const base = { kafka: deps.kafka, logger: deps.logger, ...(deps.now !== undefined ? { now: deps.now } : {}) };
  return {
    ...createContainmentActivities({ ...base, secrets: deps.secrets }),
    ...createRotationActivities({ ...base, secrets: deps.secrets }),
    ...createForensicsActivities({
      ...base,
      ...(deps.accessLogTopic !== undefined ? { accessLogTopic: deps.accessLogTopic } : {}),
      ...(deps.accessSources !== undefined ? { accessSources: deps.accessSources } : {}),
    }),
    ...createEvidenceActivities({ ...base, secrets: deps.secrets }),
    // Data-subject scan chunks of the forensics fan-out (issue 12).
    ...createDataSubjectActivities({ kafka: deps.kafka, logger: deps.logger }),
    ...createAuditActivities({ kafka: deps.kafka, auditTopic: deps.auditTopic, logger: deps.logger, secrets: deps.secrets }),
    ...createNotifyActivities({ ...(deps.conversation !== undefined ? { conversation: deps.conversation } : {}), channel: deps.channel, logger: deps.logger }),
    ...createReportActivities({
      ...(deps.conversation !== undefined ? { conversation: deps.conversation } : {}),
      channel: deps.channel,
      logger: deps.logger,
      kafka: deps.kafka,
      auditTopic: deps.auditTopic,
    }),
    // Generic runbook actions (issue 17): activities named by their registry definitions.
    ...createAnnotateActivities({ ...(deps.conversation !== undefined ? { conversation: deps.conversation } : {}), channel: deps.channel, logger: deps.logger }),
    // Generic actions of issue 17, item 3 (page, ticket, http, kafka.*, vault.*): activities/actions/.
    ...createActionActivities({
      ...base,
      secrets: deps.secrets,
      ...(deps.actionEndpoints !== undefined ? { endpoints: deps.actionEndpoints } : {}),
      ...(deps.vaultAudit !== undefined ? { vaultAudit: deps.vaultAudit } : {}),
    }),
  };
}
