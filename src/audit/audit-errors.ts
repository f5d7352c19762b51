/**
 * Why the audit writer refuses an append. Each is non-retryable at the activity boundary: a retry
 * would meet the same topic and the same refusal; the workflow has to put the incident into
 * needs-attention instead.
 */

/** An append that would leave a gap; the caller has lost events. */
export class AuditSequenceGapError extends Error {
  constructor(
    readonly incidentId: string,
    readonly expected: number,
    readonly got: number,
  ) {
    super(`audit append for incident ${incidentId}: expected seq ${expected}, got ${got}`);
    this.name = 'AuditSequenceGapError';
  }
}

/** The topic already holds this seq of this incident with DIFFERENT content (a forgery or a second writer). */
export class AuditConflictError extends Error {
  constructor(
    readonly incidentId: string,
    readonly seq: number,
    /** Offset of the record already on the topic; null when it is in the same batch. */
    readonly offset: string | null,
  ) {
    super(`audit conflict for incident ${incidentId}: seq ${seq} is already on the topic${offset === null ? '' : ` at offset ${offset}`} with different content`);
    this.name = 'AuditConflictError';
  }
}

/** The incident's chain on the topic already ends with `IncidentClosed`: nothing may follow it. */
export class AuditChainClosedError extends Error {
  constructor(
    readonly incidentId: string,
    readonly seq: number,
  ) {
    super(`audit chain of incident ${incidentId} is closed: refusing seq ${seq} after IncidentClosed`);
    this.name = 'AuditChainClosedError';
  }
}
