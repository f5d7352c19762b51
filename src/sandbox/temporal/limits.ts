/**
 * Size and history limits, with the defaults and the messages of the real Temporal server
 * (temporalio/temporal `common/dynamicconfig/constants.go`, `common/util.go`), so the suite is
 * refused what a real cluster would refuse.
 *
 * What the real server does when a limit is crossed, and the sandbox does the same:
 * - a request to the frontend carrying a payload over `blobSizeError` (start input, signal input,
 *   query args, update args) is INVALID_ARGUMENT "Blob data size exceeds limit."; a memo over
 *   `memoSizeError` is INVALID_ARGUMENT "Memo size exceeds limit.";
 * - an activity completion whose result is too large is recorded as a non-retryable server
 *   failure "Complete result exceeds size limit." (likewise for failures, cancel details and
 *   heartbeats, with their own messages);
 * - a workflow task completion whose command carries a payload too large fails the task
 *   (WorkflowTaskFailed with the command's cause) and terminates the run with the reason
 *   `<CAUSE>: <Attributes>.<Field> exceeds size limit.`, identity `history-service`;
 * - past `historyCountError` events or `historySizeError` bytes the run is terminated with
 *   "Workflow history count exceeds limit." / "Workflow history size exceeds limit."; the
 *   request that crossed the line is INVALID_ARGUMENT with that message;
 * - every workflow task's WorkflowTaskStarted carries `history_size_bytes` and
 *   `suggest_continue_as_new` once the history reaches the suggest thresholds.
 */
import { temporal, type IPayloads } from './proto';

/** Server limits; every field defaults to the real server's value. */
export interface TemporalLimits {
  /** One payload-carrying field (`limit.blobSize.error`). @default 2 MiB */
  blobSizeError: number;
  /** Logged above this (`limit.blobSize.warn`). @default 512 KiB */
  blobSizeWarn: number;
  /** A memo (`limit.memoSize.error`). @default 2 MiB */
  memoSizeError: number;
  /** Logged above this (`limit.memoSize.warn`). @default 2 KiB */
  memoSizeWarn: number;
  /** Events in one run before it is terminated (`limit.historyCount.error`). @default 51,200 */
  historyCountError: number;
  /** Logged above this (`limit.historyCount.warn`). @default 10,240 */
  historyCountWarn: number;
  /** Encoded history bytes before the run is terminated (`limit.historySize.error`). @default 50 MiB */
  historySizeError: number;
  /** Logged above this (`limit.historySize.warn`). @default 10 MiB */
  historySizeWarn: number;
  /** Workflow tasks suggest continue-as-new from this many events (`limit.historyCount.suggestContinueAsNew`). @default 4,096 */
  historyCountSuggestContinueAsNew: number;
  /** … or from this many bytes (`limit.historySize.suggestContinueAsNew`). @default 4 MiB */
  historySizeSuggestContinueAsNew: number;
  /** Largest gRPC message the server accepts (grpc-go's and grpc-js's default). @default 4 MiB */
  grpcMaxReceiveBytes: number;
}

const MiB = 1024 * 1024;

/** The real server's defaults. */
export const DEFAULT_LIMITS: Readonly<TemporalLimits> = Object.freeze({
  blobSizeError: 2 * MiB,
  blobSizeWarn: 512 * 1024,
  memoSizeError: 2 * MiB,
  memoSizeWarn: 2 * 1024,
  historyCountError: 50 * 1024,
  historyCountWarn: 10 * 1024,
  historySizeError: 50 * MiB,
  historySizeWarn: 10 * MiB,
  historyCountSuggestContinueAsNew: 4 * 1024,
  historySizeSuggestContinueAsNew: 4 * MiB,
  grpcMaxReceiveBytes: 4 * MiB,
});

/** Defaults overridden by the given fields; rejects values that are not positive integers. */
export function resolveLimits(overrides: Partial<TemporalLimits> = {}): TemporalLimits {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value <= 0) throw new Error(`temporal sandbox limit ${name} must be a positive integer, got ${String(value)}`);
  }
  return limits;
}

/** Messages of the real server (`common/util.go`), which clients and operators see. */
export const LimitMessages = {
  blob: 'Blob data size exceeds limit.',
  memo: 'Memo size exceeds limit.',
  completeResult: 'Complete result exceeds size limit.',
  failure: 'Failure exceeds size limit.',
  cancelDetails: 'Cancel details exceed size limit.',
  heartbeat: 'Heartbeat details exceed size limit.',
  historySize: 'Workflow history size exceeds limit.',
  historyCount: 'Workflow history count exceeds limit.',
} as const;

/** Identity the real history service writes on the terminations it decides. */
export const HISTORY_SERVICE_IDENTITY = 'history-service';

const Payloads = temporal.api.common.v1.Payloads;
const Memo = temporal.api.common.v1.Memo;
const Failure = temporal.api.failure.v1.Failure;

/** Encoded size of a Payloads message, as the server measures it (`proto.Size`). */
export function payloadsSize(p: IPayloads | null | undefined): number {
  if (!p?.payloads?.length) return 0;
  return Payloads.encode(p as temporal.api.common.v1.IPayloads).finish().length;
}

/** Encoded size of a Memo. */
export function memoSize(m: temporal.api.common.v1.IMemo | null | undefined): number {
  if (!m?.fields || Object.keys(m.fields).length === 0) return 0;
  return Memo.encode(m).finish().length;
}

/** Encoded size of a Failure. */
export function failureSize(f: temporal.api.failure.v1.IFailure | null | undefined): number {
  return f ? Failure.encode(f).finish().length : 0;
}

/** A non-retryable server failure, as the real frontend writes in place of an oversized completion. */
export function serverFailure(message: string, nonRetryable = true): temporal.api.failure.v1.IFailure {
  return { message, source: '', serverFailureInfo: { nonRetryable } };
}
