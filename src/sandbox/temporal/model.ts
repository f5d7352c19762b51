import type { Release } from './clock';
import type { RetryPolicyMs } from './retry-policy';
import type { StickyQueue } from './sticky';
import type { ExecutionStatusName } from './visibility-query';
export type { ExecutionStatusName };
import type { IFailure, IHeader, IHistoryEvent, IPayload, IPayloads, Loose, temporal } from './proto';

/** A query waiting for a worker's answer. */
export interface PendingQuery {
  id: string;
  query: temporal.api.query.v1.IWorkflowQuery;
  resolve(result: Loose<temporal.api.workflowservice.v1.IQueryWorkflowResponse>): void;
  reject(err: Error): void;
}

/** Where the run's single workflow task stands. */
export interface WorkflowTaskState {
  state: 'none' | 'scheduled' | 'started';
  scheduledId: number;
  startedId: number;
  attempt: number;
  /** Time-skipping lock held while a task is scheduled or started. */
  release?: Release;
  cancelTimeout?: () => void;
}

/** Activity timeouts after normalisation, in ms (0 = none). */
export interface ActivityTimeouts {
  scheduleToClose: number;
  scheduleToStart: number;
  startToClose: number;
  heartbeat: number;
}

/** An activity scheduled by the workflow and not yet resolved in history. */
export interface PendingActivity {
  scheduledId: number;
  activityId: string;
  activityType: string;
  taskQueue: string;
  header?: IHeader | null;
  input?: IPayloads | null;
  timeouts: ActivityTimeouts;
  retryPolicy: RetryPolicyMs;
  scheduledTime: number;
  attempt: number;
  /** `closing`: the outcome is written or buffered; the attempt accepts nothing more. */
  state: 'queued' | 'started' | 'backoff' | 'closing';
  attemptScheduledTime: number;
  startedTime: number;
  identity: string;
  heartbeatDetails?: IPayloads | null;
  lastHeartbeatTime: number;
  lastFailure?: IFailure | null;
  cancelRequestedId: number;
  /** Schedule-to-close timer, armed once for all attempts. */
  closeTimerCancel?: () => void;
  /** Server timers armed for this attempt (timeouts, backoff). */
  cancels: Array<() => void>;
  release?: Release;
}

/** A child workflow the run initiated and has not seen close. */
export interface PendingChild {
  initiatedId: number;
  namespace: string;
  workflowId: string;
  workflowType: string;
  runId?: string;
  startedId: number;
  parentClosePolicy: number;
}

/** A workflow update, from admission to its outcome. */
export interface UpdateState {
  id: string;
  request: Loose<temporal.api.update.v1.IRequest>;
  /** `admitted`: waiting for a workflow task; `delivered`: in the task being processed. */
  state: 'admitted' | 'delivered' | 'accepted' | 'completed';
  acceptedEventId: number;
  outcome?: Loose<temporal.api.update.v1.IOutcome>;
}

/** One run of a workflow execution. */
export interface Run {
  namespace: string;
  workflowId: string;
  runId: string;
  firstRunId: string;
  workflowType: string;
  taskQueue: string;
  events: IHistoryEvent[];
  /** Each event's protobuf encoding, written once at append (responses, journal, history size). */
  eventBytes: Uint8Array[];
  /** Sum of `eventBytes` lengths: the history size the limits and `history_size_bytes` use. */
  historySizeBytes: number;
  /** History warn lines already logged for this run, and the hard limit it crossed, if any. */
  historyLimits: { countWarned: boolean; sizeWarned: boolean; exceeded?: string };
  /** External events held back while a workflow task is started (see the wire notes §2). */
  buffered: Array<{ event: IHistoryEvent; linkStarted: boolean }>;
  status: ExecutionStatusName;
  startTime: number;
  executionTime: number;
  closeTime?: number;
  requestIds: Set<string>;
  workflowTaskTimeoutMs: number;
  runTimeoutMs: number;
  executionTimeoutMs: number;
  memo: Record<string, IPayload>;
  searchAttributes: Record<string, IPayload>;
  wft: WorkflowTaskState;
  lastCompletedStartedId: number;
  activities: Map<number, PendingActivity>;
  timers: Map<string, { startedId: number; cancel?: () => void }>;
  children: Map<number, PendingChild>;
  parent?: { namespace: string; workflowId: string; runId: string; initiatedId: number };
  cancelRequested: boolean;
  /** Queries waiting for the workflow task in flight to finish. */
  queuedQueries: PendingQuery[];
  /** Updates by id; accepted and completed ones are rebuilt from history. */
  updates: Map<string, UpdateState>;
  /** Long polls (result, history, updates) waiting for new events. */
  waiters: Set<() => void>;
  runTimeoutCancel?: () => void;
  /** The worker's sticky queue the next tasks go to (see `sticky.ts`); never journaled. */
  sticky?: StickyQueue;
}
