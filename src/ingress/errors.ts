/**
 * Every refusal the ingress answers with. A SIEM (or the person configuring one) branches on
 * `code`; `message` says what to fix; `details` lists each offending field for schema errors.
 */

/** Machine-readable refusal codes, one per cause a sender can act on. */
export type IngressErrorCode =
  | 'not_found'
  | 'method_not_allowed'
  | 'unknown_source'
  | 'source_not_configured'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'missing_signature'
  | 'invalid_signature'
  | 'stale_timestamp'
  | 'missing_token'
  | 'invalid_token'
  | 'replayed'
  | 'malformed_json'
  | 'invalid_payload'
  | 'invalid_alert'
  | 'unknown_scenario'
  | 'temporal_unavailable'
  | 'not_ready'
  | 'internal'
  // Alert storms (issue 15, item 3): the durable alerts topic did not acknowledge.
  | 'alert_log_unavailable'
  // Routing as data (issue 17): no runbook serves the alert and no triage runbook is loaded.
  | 'no_runbook';

/** One field that failed validation: its path in the payload (dotted) and why. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** A request the ingress refuses, with the HTTP status that says why. */
export class IngressError extends Error {
  constructor(
    readonly status: number,
    readonly code: IngressErrorCode,
    message: string,
    readonly details?: readonly FieldProblem[],
    /** Extra response headers (`Retry-After`, `Allow`, `WWW-Authenticate`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'IngressError';
  }

  /** The JSON body sent back: `{error, message, details?}`. */
  toBody(): { error: IngressErrorCode; message: string; details?: readonly FieldProblem[] } {
    return this.details && this.details.length > 0
      ? { error: this.code, message: this.message, details: this.details }
      : { error: this.code, message: this.message };
  }
}

/** A payload that parsed as JSON but does not have the shape its source promises. */
export function invalidPayload(source: string, details: readonly FieldProblem[]): IngressError {
  const n = details.length;
  return new IngressError(422, 'invalid_payload', `${source} payload failed validation (${n} problem${n === 1 ? '' : 's'})`, details);
}

/**
 * An alert whose payload had the right shape but whose content breaks the alert rules (a principal
 * outside Kafka's grammar, a field too long, a control character): 422 with the first offending
 * field named at the top level, `{error: 'invalid_alert', field, message, details}`, so a sender
 * sees what to fix without reading a list.
 */
export class InvalidAlertError extends IngressError {
  constructor(
    readonly field: string,
    details: readonly FieldProblem[],
  ) {
    super(422, 'invalid_alert', `alert field "${field}" is invalid: ${details[0]?.message ?? 'see details'}`, details);
    this.name = 'InvalidAlertError';
  }

  override toBody(): { error: IngressErrorCode; field: string; message: string; details?: readonly FieldProblem[] } {
    return { error: this.code, field: this.field, message: this.message, ...(this.details && this.details.length > 0 ? { details: this.details } : {}) };
  }
}
