/**
 * Errors raised by the pure domain. Each carries typed context so callers (the workflow, the
 * audit `verify` command, the runbook loader's CLI) branch on `code` and fields, never on message
 * text. None is retriable: the same input always fails the same way.
 */
export type DomainErrorCode =
  | 'INCIDENT_MISMATCH'
  | 'OUT_OF_SEQUENCE'
  | 'ILLEGAL_EVENT'
  | 'CANONICAL_JSON'
  | 'INVALID_DURATION'
  | 'INVALID_OFFSET'
  | 'LATE_FILING_WITHOUT_REASON'
  | 'RUNBOOK_INVALID'
  | 'SKETCH_MISMATCH';

/** Base class of every error thrown by `src/domain`. */
export class DomainError extends Error {
  /** Domain errors are deterministic: retrying the same input cannot succeed. */
  readonly retriable = false;

  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** An event was offered to the state of a different incident. */
export class IncidentMismatchError extends DomainError {
  constructor(
    readonly expectedIncidentId: string,
    readonly actualIncidentId: string,
    readonly seq: number,
  ) {
    super('INCIDENT_MISMATCH', `event seq ${seq} belongs to incident "${actualIncidentId}", not "${expectedIncidentId}"`);
  }
}

/** An event's `seq` is not the next one expected (a gap, a repeat or a reorder). */
export class OutOfSequenceError extends DomainError {
  constructor(
    readonly incidentId: string,
    readonly expectedSeq: number,
    readonly actualSeq: number,
  ) {
    super('OUT_OF_SEQUENCE', `incident "${incidentId}": expected seq ${expectedSeq}, got ${actualSeq}`);
  }
}

/** An event is well-formed and in sequence but not allowed in the incident's current state. */
export class IllegalEventError extends DomainError {
  constructor(
    readonly incidentId: string,
    readonly seq: number,
    readonly eventType: string,
    readonly reason: string,
  ) {
    super('ILLEGAL_EVENT', `incident "${incidentId}" seq ${seq} ${eventType}: ${reason}`);
  }
}

/** A value cannot be written as canonical JSON (non-finite number, undefined, bigint, cycle…). */
export class CanonicalJsonError extends DomainError {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super('CANONICAL_JSON', `cannot canonicalise ${path || '$'}: ${reason}`);
  }
}

/** A duration string (`36h`, `90m`, `P3D`) could not be parsed. */
export class InvalidDurationError extends DomainError {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super('INVALID_DURATION', `invalid duration "${input}": ${reason}`);
  }
}

/** A Kafka offset is not an int64 (or a decimal string of one). */
export class InvalidOffsetError extends DomainError {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super('INVALID_OFFSET', `invalid offset "${input}": ${reason}`);
  }
}

/** A regulatory notification was filed after its deadline without the reason the law requires. */
export class LateFilingWithoutReasonError extends DomainError {
  constructor(
    readonly regime: string,
    readonly deadlineAt: string,
    readonly filedAt: string,
  ) {
    super(
      'LATE_FILING_WITHOUT_REASON',
      `${regime} notification filed at ${filedAt}, after the deadline ${deadlineAt}: a reason for the delay is required`,
    );
  }
}

/** Two distinct-count sketches with different parameters cannot be merged. */
export class SketchMismatchError extends DomainError {
  constructor(reason: string) {
    super('SKETCH_MISMATCH', reason);
  }
}
