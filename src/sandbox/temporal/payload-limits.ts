/**
 * Blob and memo size checks at the places the real server makes them (see `limits.ts` for the
 * defaults and what happens past each line). Every check logs a warning naming the workflow
 * above the warn line, as the real server's `CheckEventBlobSizeLimit` does.
 */
import type { Engine } from './engine';
import { serviceErrors } from './errors';
import { LimitMessages, memoSize, payloadsSize, failureSize } from './limits';
import type { Run } from './model';
import { CommandType, temporal, type IPayloads, type Loose } from './proto';

type Command = temporal.api.command.v1.ICommand;
type Message = Loose<temporal.api.protocol.v1.IMessage>;

/** Who a checked blob belongs to, for the warning. */
export interface BlobOwner {
  namespace: string;
  workflowId: string;
  runId?: string;
  operation: string;
}

/** Logs above the warn line; true when `size` is over the error limit. */
export function exceedsLimit(engine: Engine, size: number, owner: BlobOwner, kind: 'blob' | 'memo' = 'blob'): boolean {
  const warn = kind === 'blob' ? engine.limits.blobSizeWarn : engine.limits.memoSizeWarn;
  const error = kind === 'blob' ? engine.limits.blobSizeError : engine.limits.memoSizeError;
  if (size <= warn) return false;
  engine.logger.warn({ ...owner, size, warnLimit: warn, errorLimit: error }, kind === 'blob' ? 'Blob data size exceeds the warning limit.' : 'Memo size exceeds the warning limit.');
  return size > error;
}

/** Frontend check of a request's payloads: INVALID_ARGUMENT "Blob data size exceeds limit.". */
export function checkRequestPayloads(engine: Engine, payloads: IPayloads | null | undefined, owner: BlobOwner): void {
  if (exceedsLimit(engine, payloadsSize(payloads), owner)) throw serviceErrors.invalidArgument(LimitMessages.blob);
}

/** Frontend check of a request's memo: INVALID_ARGUMENT "Memo size exceeds limit.". */
export function checkRequestMemo(engine: Engine, memo: temporal.api.common.v1.IMemo | null | undefined, owner: BlobOwner): void {
  if (exceedsLimit(engine, memoSize(memo), owner, 'memo')) throw serviceErrors.invalidArgument(LimitMessages.memo);
}

/** A command whose payload is over the limit: the task fails with `cause` and the run is terminated. */
export interface CommandViolation {
  cause: number;
  message: string;
}

const Cause = temporal.api.enums.v1.WorkflowTaskFailedCause;

/** The blobs of each command the real server measures, with the message it writes for each. */
function measuredFields(c: Command): Array<{ size: number; memo?: boolean; cause: number; message: string }> {
  switch (c.commandType) {
    case CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK:
      return [{ size: payloadsSize(c.scheduleActivityTaskCommandAttributes?.input), cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES, message: 'ScheduleActivityTaskCommandAttributes.Input exceeds size limit.' }];
    case CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION:
      // The real server reports this one with the schedule-activity cause; kept as it does.
      return [{ size: payloadsSize(c.completeWorkflowExecutionCommandAttributes?.result), cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES, message: 'CompleteWorkflowExecutionCommandAttributes.Result exceeds size limit.' }];
    case CommandType.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION:
      return [{ size: failureSize(c.failWorkflowExecutionCommandAttributes?.failure), cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES, message: 'FailWorkflowExecutionCommandAttributes.Failure exceeds size limit.' }];
    case CommandType.COMMAND_TYPE_RECORD_MARKER: {
      const details = c.recordMarkerCommandAttributes?.details ?? {};
      const size = Object.values(details).reduce((n, p) => n + payloadsSize(p), 0);
      return [{ size, cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES, message: 'RecordMarkerCommandAttributes.Details exceeds size limit.' }];
    }
    case CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION: {
      const a = c.continueAsNewWorkflowExecutionCommandAttributes;
      return [
        { size: payloadsSize(a?.input), cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES, message: 'ContinueAsNewWorkflowExecutionCommandAttributes. Input exceeds size limit.' },
        { size: memoSize(a?.memo), memo: true, cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES, message: 'ContinueAsNewWorkflowExecutionCommandAttributes. Memo exceeds size limit.' },
      ];
    }
    case CommandType.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION: {
      const a = c.startChildWorkflowExecutionCommandAttributes;
      return [
        { size: payloadsSize(a?.input), cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES, message: 'StartChildWorkflowExecutionCommandAttributes. Input exceeds size limit.' },
        { size: memoSize(a?.memo), memo: true, cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES, message: 'StartChildWorkflowExecutionCommandAttributes.Memo exceeds size limit.' },
      ];
    }
    case CommandType.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION:
      return [{ size: payloadsSize(c.signalExternalWorkflowExecutionCommandAttributes?.input), cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES, message: 'SignalExternalWorkflowExecutionCommandAttributes.Input exceeds size limit.' }];
    case CommandType.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES:
      return [{ size: memoSize(c.modifyWorkflowPropertiesCommandAttributes?.upsertedMemo), memo: true, cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES, message: 'ModifyWorkflowPropertiesCommandAttributes. Memo exceeds size limit.' }];
    default:
      return [];
  }
}

/** The first command (or protocol message) of a completion carrying a blob over the limit. */
export function commandSizeViolation(engine: Engine, run: Run, commands: readonly Command[], messages: Iterable<Message>): CommandViolation | undefined {
  const owner = (operation: string): BlobOwner => ({ namespace: run.namespace, workflowId: run.workflowId, runId: run.runId, operation });
  for (const m of messages) {
    const size = m.body?.value?.length ?? 0;
    if (exceedsLimit(engine, size, owner('ProtocolMessage'))) {
      return { cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE, message: `Message type ${typeName(m.body?.type_url)} exceeds size limit.` };
    }
  }
  for (const c of commands) {
    for (const f of measuredFields(c)) {
      if (exceedsLimit(engine, f.size, owner(CommandType[c.commandType ?? 0] ?? 'Command'), f.memo ? 'memo' : 'blob')) return { cause: f.cause, message: f.message };
    }
  }
  return undefined;
}

function typeName(typeUrl: string | null | undefined): string {
  return (typeUrl ?? '').replace(/^.*\//, '');
}

/**
 * The reason the real server writes when a completion terminates the run:
 * `<Cause shorthand>: <message>`, e.g. `BadScheduleActivityAttributes: ScheduleActivityTaskCommandAttributes.Input exceeds size limit.`.
 */
export function violationReason(v: CommandViolation): string {
  const name = Cause[v.cause] ?? 'WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED';
  const shorthand = name
    .replace(/^WORKFLOW_TASK_FAILED_CAUSE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, _s: string, ch: string) => ch.toUpperCase());
  return `${shorthand}: ${v.message}`;
}
