/**
 * The schedule manager's port to the rest of the server, and the shape of the records it journals.
 */
import type { temporal } from '@temporalio/proto';
import type { ExecutionStatusName, SearchAttributeType } from '../visibility-query';
import type { BufferedStart } from './buffer';

/**
 * What the schedule manager needs from the server core. The core implements it over its clock,
 * workflow store and journal; unit tests implement it with a fake clock and timer queue.
 */
export interface ScheduleHost {
  /** Server (virtual) clock, epoch ms. */
  now(): number;
  /** Server timer queue (virtual clock); returns a cancel function. */
  setTimer(at: number, fire: () => void): () => void;
  /**
   * Starts a workflow for a schedule action. `extra` carries the search attributes (the action's own
   * merged with `TemporalScheduledStartTime` / `TemporalScheduledById`) and memo to use instead of
   * the action's. Rejects with a `TemporalServiceError` ALREADY_EXISTS when the id is taken.
   */
  startWorkflow(
    namespace: string,
    workflowId: string,
    action: temporal.api.workflow.v1.INewWorkflowExecutionInfo,
    extra: { searchAttributes?: temporal.api.common.v1.ISearchAttributes; memo?: temporal.api.common.v1.IMemo },
  ): Promise<{ runId: string }>;
  isRunning(namespace: string, workflowId: string, runId: string): boolean;
  cancelWorkflow(namespace: string, workflowId: string, runId: string, reason: string): Promise<void>;
  terminateWorkflow(namespace: string, workflowId: string, runId: string, reason: string): Promise<void>;
  onWorkflowClosed(listener: (namespace: string, workflowId: string, runId: string, status: ExecutionStatusName) => void): void;
  /** Durable append; `restore()` gets these back in order. */
  journal(record: unknown): void;
  /** Optional: the namespace's registered search attribute types, for ListSchedules queries. */
  searchAttributeType?(namespace: string, name: string): SearchAttributeType | undefined;
}

/** A workflow a schedule started. */
export interface StartedRun {
  workflowId: string;
  runId: string;
  /** Started under ALLOW_ALL: listed as running but never blocks other starts. */
  overlapping: boolean;
}

/** One entry of `info.recent_actions`. Times are epoch ms. */
export interface ActionRecord {
  scheduleTime: number;
  actualTime: number;
  workflowId: string;
  runId: string;
  status: ExecutionStatusName;
}

/** Everything about one schedule that survives a restart. */
export interface ScheduleSnapshot {
  namespace: string;
  scheduleId: string;
  /** `temporal.api.schedule.v1.Schedule`, spec in canonical form; base64 protobuf in the journal. */
  schedule: temporal.api.schedule.v1.ISchedule;
  memo: temporal.api.common.v1.IMemo | null;
  searchAttributes: temporal.api.common.v1.ISearchAttributes | null;
  createTime: number;
  updateTime: number | null;
  conflictToken: number;
  /** Nominal times up to and including this have been handled. */
  lastProcessed: number;
  actionCount: number;
  missedCatchupWindow: number;
  overlapSkipped: number;
  bufferDropped: number;
  recentActions: ActionRecord[];
  running: StartedRun[];
  /** Waiting for a running workflow to close. */
  buffer: BufferedStart[];
  /** Decided but not yet confirmed started; re-issued after a restart (the workflow id dedupes). */
  pending: BufferedStart[];
}

/** Journal record kinds this module writes. */
export type ScheduleJournalRecord =
  | { type: 'schedule.put'; snapshot: string }
  | { type: 'schedule.delete'; namespace: string; scheduleId: string };
