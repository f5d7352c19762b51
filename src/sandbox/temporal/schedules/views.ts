/**
 * What DescribeSchedule and ListSchedules show of a schedule: plain objects shaped like the proto
 * responses, with the defaults the real server fills in so the TS client decodes them as it
 * would from a real cluster.
 */
import { temporal } from '@temporalio/proto';
import { asLong, msToProtoTime } from '../schedule-spec';
import type { ExecutionStatusName, SearchAttributeType, VisibilityRecord } from '../visibility-query';
import { encodeConflictToken, payloadType, payloadValue } from './codec';
import type { ScheduleRunner } from './runner';
import type { ActionRecord } from './types';

type WorkflowExecutionStatus = temporal.api.enums.v1.WorkflowExecutionStatus;
const Status = temporal.api.enums.v1.WorkflowExecutionStatus;

const STATUS_ENUM: Readonly<Record<ExecutionStatusName, WorkflowExecutionStatus>> = {
  Running: Status.WORKFLOW_EXECUTION_STATUS_RUNNING,
  Completed: Status.WORKFLOW_EXECUTION_STATUS_COMPLETED,
  Failed: Status.WORKFLOW_EXECUTION_STATUS_FAILED,
  Canceled: Status.WORKFLOW_EXECUTION_STATUS_CANCELED,
  Terminated: Status.WORKFLOW_EXECUTION_STATUS_TERMINATED,
  ContinuedAsNew: Status.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW,
  TimedOut: Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
};

function actionResult(a: ActionRecord): temporal.api.schedule.v1.IScheduleActionResult {
  return {
    scheduleTime: msToProtoTime(a.scheduleTime),
    actualTime: msToProtoTime(a.actualTime),
    startWorkflowResult: { workflowId: a.workflowId, runId: a.runId },
    startWorkflowStatus: STATUS_ENUM[a.status],
  };
}

/** The DescribeSchedule response. */
export function describeView(r: ScheduleRunner): temporal.api.workflowservice.v1.IDescribeScheduleResponse {
  const s = r.state;
  const policies = s.schedule.policies ?? {};
  const st = s.schedule.state ?? {};
  return {
    schedule: {
      spec: r.compiled.canonical,
      action: s.schedule.action ?? null,
      policies: {
        overlapPolicy: r.defaultOverlapPolicy(),
        catchupWindow: msToProtoTime(r.catchupWindowMs()),
        pauseOnFailure: policies.pauseOnFailure ?? false,
        keepOriginalWorkflowId: policies.keepOriginalWorkflowId ?? false,
      },
      state: {
        notes: st.notes ?? '',
        paused: st.paused ?? false,
        limitedActions: st.limitedActions ?? false,
        remainingActions: asLong(st.limitedActions ? Number(st.remainingActions ?? 0) : 0),
      },
    },
    info: {
      actionCount: asLong(s.actionCount),
      missedCatchupWindow: asLong(s.missedCatchupWindow),
      overlapSkipped: asLong(s.overlapSkipped),
      bufferDropped: asLong(s.bufferDropped),
      bufferSize: asLong(s.buffer.length),
      runningWorkflows: s.running.map((x) => ({ workflowId: x.workflowId, runId: x.runId })),
      recentActions: s.recentActions.map(actionResult),
      futureActionTimes: r.futureActionTimes().map(msToProtoTime),
      createTime: msToProtoTime(s.createTime),
      updateTime: s.updateTime === null ? null : msToProtoTime(s.updateTime),
    },
    memo: s.memo,
    searchAttributes: s.searchAttributes,
    conflictToken: encodeConflictToken(s.conflictToken),
  };
}

/** One ListSchedules entry. */
export function listEntryView(r: ScheduleRunner): temporal.api.schedule.v1.IScheduleListEntry {
  const s = r.state;
  return {
    scheduleId: s.scheduleId,
    memo: s.memo,
    searchAttributes: s.searchAttributes,
    info: {
      spec: r.compiled.canonical,
      workflowType: s.schedule.action?.startWorkflow?.workflowType ?? null,
      notes: s.schedule.state?.notes ?? '',
      paused: s.schedule.state?.paused ?? false,
      recentActions: s.recentActions.map(actionResult),
      futureActionTimes: r.futureActionTimes().map(msToProtoTime),
    },
  };
}

/** Declared types of a schedule's own search attributes (for ListSchedules queries). */
export function scheduleAttributeTypes(r: ScheduleRunner): Map<string, SearchAttributeType> {
  const out = new Map<string, SearchAttributeType>();
  for (const [name, p] of Object.entries(r.state.searchAttributes?.indexedFields ?? {})) {
    const t = payloadType(p);
    if (t) out.set(name, t);
  }
  return out;
}

/**
 * A schedule as a visibility record, so the list filter can run over it: the id is the workflow id
 * (the query may also call it `ScheduleId`), plus the schedule's own attributes and
 * `TemporalSchedulePaused`.
 */
export function scheduleRecord(r: ScheduleRunner): VisibilityRecord {
  const s = r.state;
  const attrs: Record<string, string | number | boolean | string[]> = {};
  for (const [name, p] of Object.entries(s.searchAttributes?.indexedFields ?? {})) {
    const v = payloadValue(p);
    if (v !== undefined) attrs[name] = v;
  }
  attrs.TemporalSchedulePaused = s.schedule.state?.paused ?? false;
  return {
    workflowId: s.scheduleId,
    runId: '',
    workflowType: 'temporal-sys-scheduler-workflow',
    taskQueue: '',
    status: 'Running',
    startTime: s.createTime,
    searchAttributes: attrs,
  };
}
