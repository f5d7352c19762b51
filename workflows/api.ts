import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Alert } from '../src/domain/alert';
import type { DomainEvent } from '../src/domain/events';
import type { IncidentState, TimelineEntry } from '../src/domain/incident';

/**
 * Names through which clients (ingress, Slack handlers, CLI, drills) talk to an incident. They
 * exist once, here, and are imported by both sides.
 */

/** Workflow type name of the incident workflow. */
export const INCIDENT_WORKFLOW_TYPE = 'IncidentWorkflow';

/** Workflow id of the incident for an alert fingerprint: duplicates collapse on it. */
export function incidentWorkflowId(fingerprint: string): string {
  return `incident-${fingerprint}`;
}

/** A SIEM alert, first or duplicate; sent with signalWithStart by the ingress. */
export const alertSignal = defineSignal<[Alert]>('alert');

/** An approval of a pending step. */
export interface ApprovalSignal {
  stepId: string;
  /** Slack user id (or CLI user) of the approver; recorded on the event. */
  approver: string;
  role: 'incident-commander' | 'dpo' | 'responder';
  comment?: string;
}
/** Approves a pending step. */
export const approveSignal = defineSignal<[ApprovalSignal]>('approve');
/** Denies a pending step, with a reason. */
export const denySignal = defineSignal<[ApprovalSignal & { reason: string }]>('deny');

/** A regulatory filing made by a person (GDPR Art. 33 notification to the authority, Art. 34 to subjects). */
export interface FilingSignal {
  regime: string;
  recipient: 'supervisory-authority' | 'data-subjects';
  authority: string;
  reference: string;
  filer: string;
  /** Required when filed after the deadline. */
  lateReason?: string;
}
/** Records a filing on the incident's regulatory clock. */
export const fileNotificationSignal = defineSignal<[FilingSignal]>('fileNotification');

/** Incident state (the fold of its events). */
export const stateQuery = defineQuery<IncidentState>('state');
/** Human-readable timeline. */
export const timelineQuery = defineQuery<TimelineEntry[]>('timeline');
/** The raw domain events, in order. */
export const eventsQuery = defineQuery<DomainEvent[]>('events');

/** Declares the incident a false positive: the saga unwinds (access restored, breakers closed) and the incident closes. */
export interface FalsePositiveSignal {
  declaredBy: string;
  reason: string;
}
/** Declares the incident a false positive. */
export const falsePositiveSignal = defineSignal<[FalsePositiveSignal]>('falsePositive');

/**
 * A filing the incident refused to record (signals cannot answer, so refusals are kept here and
 * posted to the incident channel): e.g. a late Art. 33 filing without a reason for the delay.
 */
export interface FilingRejection {
  at: string;
  filing: FilingSignal;
  /** Stable reason code: `LateFilingWithoutReason`, `NoSuchClock`, `AlreadyFiled`. */
  code: string;
  message: string;
}
/** Filings refused so far, oldest first. */
export const filingRejectionsQuery = defineQuery<FilingRejection[]>('filingRejections');

/** The post-incident report (Markdown) rendered from the events so far. */
export const reportQuery = defineQuery<string>('report');

/** Opens or closes a named circuit breaker of an incident (`/ir breaker open|close <flow>`). */
export interface BreakerSignal {
  breaker: string;
  state: 'open' | 'closed';
  /** Slack user id of the person who asked; recorded as the approver of the closing. */
  requestedBy: string;
  role: string;
}
/** Opens a breaker the runbook defines, or closes an open one under the requester's approval. */
export const breakerSignal = defineSignal<[BreakerSignal]>('breaker');

/** Closes an incident by hand (`/ir close <id> [resolution]`). */
export interface CloseSignal {
  closedBy: string;
  role: string;
  /** Recorded on `IncidentClosed`. */
  resolution: string;
}
/**
 * Grants the close step's approval as `closedBy`; if the close step is not waiting yet, the
 * request is remembered and granted as soon as it asks.
 */
export const closeSignal = defineSignal<[CloseSignal]>('close');

/** A command the Slack policies refused, naming this incident. */
export interface RefusalSignal {
  userId: string;
  role: string;
  action: string;
  request: string;
  /** When the policy refused it (ISO-8601). */
  at: string;
}
/** Recorded as an `ActionRefused` event while the incident runs. */
export const refusalSignal = defineSignal<[RefusalSignal]>('refusal');

/** Workflow type name of the regulatory clock child workflow. */
export const REGULATORY_CLOCK_WORKFLOW_TYPE = 'RegulatoryClockWorkflow';

/** Workflow id of an incident's clock for one regime. */
export function regulatoryClockWorkflowId(incidentWorkflowId: string, regime: string): string {
  return `${incidentWorkflowId}/clock/${regime}`;
}

// --- Operator decisions on an incident that needs attention (issue 9). Updates, so the caller
// gets the workflow's own acceptance or its precise refusal.

/** Who asks, as Slack (or the CLI) identified and authorised them. */
export interface OperatorIdentity {
  /** Slack user id (or CLI user); recorded on the event. */
  requestedBy: string;
  role: string;
}
/** Retry a step that failed after its retries or whose approval expired; `audit` resumes audit shipping. */
export interface RetryRequest extends OperatorIdentity {
  stepId: string;
}
/** Skip a step that needs attention; the reason is recorded. */
export interface SkipRequest extends OperatorIdentity {
  stepId: string;
  reason: string;
}
/** Abort the incident: remediation is undone (saga) and the incident closes with the reason. */
export interface AbortRequest extends OperatorIdentity {
  reason: string;
}
/** Retries a step (or the audit shipping); answers what will happen. */
export const retryStepUpdate = defineUpdate<string, [RetryRequest]>('retryStep');
/** Skips a step that needs attention (incident commander only). */
export const skipStepUpdate = defineUpdate<string, [SkipRequest]>('skipStep');
/** Aborts the incident (incident commander only). */
export const abortUpdate = defineUpdate<string, [AbortRequest]>('abort');
