import type { DomainEvent } from '../../domain/events';
import type { IncidentState, TimelineEntry } from '../../domain/incident';
import type { AbortRequest, ApprovalSignal, FilingSignal, RetryRequest, SkipRequest } from '../../../workflows/api';
import type { BreakerSignal, CloseSignal, RefusalSignal } from './proposed-signals';

/** A running incident as `/ir list` shows it. */
export interface IncidentSummary {
  readonly workflowId: string;
  readonly incidentId: string;
  readonly title: string;
  readonly status: string;
  readonly severity: string;
  /** Pending approvals, so the list says where people are needed. */
  readonly pendingApprovals: number;
}

/**
 * What the Slack commands need from the incident workflows: find them, read them (queries) and
 * move them (signals). Implemented over a Temporal client in {@link ./temporal-incidents}; tests
 * and other front ends can stand in.
 */
export interface IncidentPort {
  /** Running incidents, newest first. */
  list(): Promise<IncidentSummary[]>;
  /** The workflow id for an incident id, a workflow id or a fingerprint; undefined if none exists. */
  resolve(id: string): Promise<string | undefined>;
  state(workflowId: string): Promise<IncidentState>;
  timeline(workflowId: string): Promise<TimelineEntry[]>;
  events(workflowId: string): Promise<DomainEvent[]>;
  approve(workflowId: string, signal: ApprovalSignal): Promise<void>;
  deny(workflowId: string, signal: ApprovalSignal & { reason: string }): Promise<void>;
  fileNotification(workflowId: string, filing: FilingSignal): Promise<void>;
  breaker(workflowId: string, signal: BreakerSignal): Promise<void>;
  close(workflowId: string, signal: CloseSignal): Promise<void>;
  refusal(workflowId: string, signal: RefusalSignal): Promise<void>;
  /** Operator decisions (Updates): the workflow's own acceptance, or its precise refusal. */
  retry(workflowId: string, request: RetryRequest): Promise<UpdateAnswer>;
  skip(workflowId: string, request: SkipRequest): Promise<UpdateAnswer>;
  abort(workflowId: string, request: AbortRequest): Promise<UpdateAnswer>;
}

/** What an incident answered to an Update: accepted with its message, or refused with the reason. */
export type UpdateAnswer = { accepted: true; message: string } | { accepted: false; message: string };
