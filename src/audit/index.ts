/**
 * The audit and evidence adapters: the hash-chained audit topic (writer, reader, verify,
 * projection) and the encrypted, hash-chained evidence topic (envelope, replay). See
 * docs/audit-topic.md.
 */
export { AUDIT_SIGNING_KEY, AuditWriter, type AppendResult, type AuditSigning, type AuditWriterOptions } from './audit-writer';
export { AuditChainClosedError, AuditConflictError, AuditSequenceGapError } from './audit-errors';
export { advanceAnchor, defaultAnchorPath, readAnchor, type AnchorPoint, type AuditAnchor } from './audit-anchor';
export { inspectAuditTopic, verifyAuditTopic, type AuditFailure, type AuditReport, type AuditTopicFacts, type AuditTrust, type IncidentReport } from './audit-verify';
export {
  AuditChainBrokenError,
  decodeAuditValue,
  projectIncident,
  readAuditRecords,
  readIncidentEvents,
  recordIncident,
  verifyAuditRecords,
  type AuditRecord,
  type AuditVerification,
  type IncidentProjection,
  type ReadAuditOptions,
} from './audit-reader';
export {
  DENIED_OPERATIONS,
  IMMUTABLE_TOPIC_CONFIGS,
  ensureImmutableTopic,
  type ImmutableTopicSpec,
  type ImmutableTopicState,
} from './immutable-topic';
export * from './evidence-envelope';
export { EvidenceReplay, EvidenceReplayError, sourcePayload, type PreservedRange, type ReplayCheckpoint, type ReplayDeps, type ReplayJob, type ReplayResult } from './evidence-replay';
export { readSlice, topicBounds, type PartitionBounds, type SliceRequest } from './topic-reader';
