/*
 * One error type for every outside HTTP service an action calls (PagerDuty, Opsgenie, Jira,
 * webhooks). `retryable` is decided here, from the status, once: 408, 425, 429 and 5xx (and no
 * answer at all) may get better by retrying; every other 4xx is the request's fault and will fail
 * the same way. The message names the service, operation and status with the service's own
 * explanation; it never contains a credential (those travel in headers, never echoed).
 */

/** Statuses that are worth another attempt besides 5xx. */
const RETRY_4XX: ReadonlySet<number> = new Set([408, 425, 429]);

/** Fields of an {@link IntegrationError}. */
export interface IntegrationErrorInit {
  /** e.g. `pagerduty`, `jira`. */
  service: string;
  /** e.g. `enqueue`, `create issue`. */
  operation: string;
  /** HTTP status; absent when the request got no answer. */
  status?: number;
  /** The service's explanation (its error fields), or the network failure. */
  detail: string;
  /** Seconds the service asked us to wait (Retry-After), when it said. */
  retryAfterSeconds?: number;
}

/** A failed call to an outside service. */
export class IntegrationError extends Error {
  readonly service: string;
  readonly operation: string;
  declare readonly status?: number;
  declare readonly retryAfterSeconds?: number;
  readonly retryable: boolean;

  constructor(init: IntegrationErrorInit) {
    const status = init.status === undefined ? 'no response' : `HTTP ${init.status}`;
    super(`${init.service} ${init.operation}: ${status}: ${init.detail}`);
    this.name = 'IntegrationError';
    this.service = init.service;
    this.operation = init.operation;
    if (init.status !== undefined) this.status = init.status;
    if (init.retryAfterSeconds !== undefined) this.retryAfterSeconds = init.retryAfterSeconds;
    this.retryable = init.status === undefined || init.status >= 500 || RETRY_4XX.has(init.status);
  }
}

/** True when `status` would be a retryable failure. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || RETRY_4XX.has(status);
}
