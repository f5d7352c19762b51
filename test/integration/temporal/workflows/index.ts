import {
  ActivityFailure, ApplicationFailure, CancellationScope, ChildWorkflowFailure, condition, continueAsNew, defineQuery, defineSignal,
  defineUpdate, executeChild, isCancellation, ParentClosePolicy, patched, proxyActivities, setHandler, sleep, startChild, TimeoutFailure,
  upsertMemo, upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from './activities';

const fast = proxyActivities<Activities>({ startToCloseTimeout: '10s', retry: { initialInterval: '50ms', backoffCoefficient: 1, maximumAttempts: 5 } });
const noRetry = proxyActivities<Activities>({ startToCloseTimeout: '10s', retry: { maximumAttempts: 1 } });
const typed = proxyActivities<Activities>({ startToCloseTimeout: '10s', retry: { initialInterval: '50ms', nonRetryableErrorTypes: ['Unrecoverable'] } });
const shortTimeout = proxyActivities<Activities>({ startToCloseTimeout: '300ms', retry: { initialInterval: '50ms', maximumAttempts: 2 } });
const heartbeating = proxyActivities<Activities>({ startToCloseTimeout: '20s', heartbeatTimeout: '500ms', retry: { initialInterval: '50ms', maximumAttempts: 3 } });
const cancellable = proxyActivities<Activities>({ startToCloseTimeout: '30s', heartbeatTimeout: '2s', cancellationType: 'WAIT_CANCELLATION_COMPLETED' });
const restartHeartbeat = proxyActivities<Activities>({ startToCloseTimeout: '4s', retry: { initialInterval: '100ms', maximumAttempts: 2 } });
const restartSafe = proxyActivities<Activities>({ startToCloseTimeout: '5s', retry: { initialInterval: '100ms', backoffCoefficient: 1 } });

export const addSignal = defineSignal<[number]>('add');
export const doneSignal = defineSignal('done');
export const totalQuery = defineQuery<number>('total');
export const addUpdate = defineUpdate<number, [number]>('addAndGet');

/** Three activities in a row. */
export async function threeActivities(x: number): Promise<number> {
  const a = await fast.add(x, 1);
  const b = await fast.add(a, 2);
  return fast.add(b, 3);
}

/** Retry with heartbeat details handed to the next attempt. */
export async function retrying(): Promise<{ attempt: number; previousHeartbeat: unknown }> {
  return fast.flaky(3);
}

/** Non-retryable failures: flagged by the activity, and by type in the policy. */
export async function nonRetryable(): Promise<string[]> {
  const seen: string[] = [];
  for (const call of [() => fast.fatal(), () => typed.typedFailure()]) {
    try {
      await call();
    } catch (err) {
      if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) seen.push(`${err.cause.type}:${String(err.retryState)}`);
    }
  }
  try {
    await noRetry.flaky(2);
  } catch (err) {
    if (err instanceof ActivityFailure) seen.push(`flaky:${String(err.retryState)}`);
  }
  return seen;
}

/** Start-to-close timeout, retried once, then reported as a timeout. */
export async function activityTimeout(): Promise<string> {
  try {
    await shortTimeout.slow(5_000);
    return 'no timeout';
  } catch (err) {
    if (err instanceof ActivityFailure && err.cause instanceof TimeoutFailure) return `${err.cause.timeoutType}:${String(err.retryState)}`;
    throw err;
  }
}

/** Heartbeat timeout; the retry receives the last heartbeat details. */
export async function heartbeatTimeout(): Promise<unknown> {
  return heartbeating.silentAfterHeartbeat();
}

/** Cancels a running activity; the cancellation reaches it through its heartbeat. */
export async function cancelActivity(): Promise<string> {
  try {
    await CancellationScope.cancellable(async () => {
      const p = cancellable.waitForCancel();
      await sleep(300);
      CancellationScope.current().cancel();
      await p;
    });
    return 'not cancelled';
  } catch (err) {
    return isCancellation(err) ? 'cancelled' : `other: ${String(err)}`;
  }
}

/** Sleeps. */
export async function sleeper(ms: number): Promise<number> {
  const start = Date.now();
  await sleep(ms);
  return Date.now() - start;
}

/** Sums signals until `done`; the total is queryable. */
export async function accumulator(): Promise<number> {
  let total = 0;
  let done = false;
  setHandler(addSignal, (n) => void (total += n));
  setHandler(doneSignal, () => void (done = true));
  setHandler(totalQuery, () => total);
  await condition(() => done);
  return total;
}

/** A child that succeeds or fails. */
export async function child(fail: boolean): Promise<string> {
  if (fail) throw ApplicationFailure.create({ message: 'child failed', type: 'ChildBoom', nonRetryable: true });
  return `child of ${workflowInfo().parent?.workflowId ?? 'nobody'}`;
}

/** Runs a successful and a failing child. */
export async function parent(): Promise<string[]> {
  const ok = await executeChild(child, { args: [false], workflowId: `${workflowInfo().workflowId}-ok` });
  try {
    await executeChild(child, { args: [true], workflowId: `${workflowInfo().workflowId}-bad` });
    return [ok, 'no failure'];
  } catch (err) {
    return [ok, err instanceof ChildWorkflowFailure && err.cause instanceof ApplicationFailure ? `${err.cause.type}` : String(err)];
  }
}

/** Waits until cancelled; the cancellation is reported by the workflow. */
export async function waitForever(): Promise<void> {
  await condition(() => false);
}

/** Starts a long-lived child under a parent-close policy, then returns. */
export async function abandoningParent(policy: 'TERMINATE' | 'REQUEST_CANCEL' | 'ABANDON'): Promise<string> {
  const handle = await startChild(waitForever, {
    workflowId: `${workflowInfo().workflowId}-child`,
    parentClosePolicy: ParentClosePolicy[`PARENT_CLOSE_POLICY_${policy}`],
  });
  return handle.workflowId;
}

/** Cancels a running child from the parent. */
export async function cancelsChild(): Promise<string> {
  try {
    await CancellationScope.cancellable(async () => {
      const handle = await startChild(waitForever, { workflowId: `${workflowInfo().workflowId}-child` });
      CancellationScope.current().cancel();
      await handle.result();
    });
    return 'not cancelled';
  } catch (err) {
    return isCancellation(err) ? 'child cancelled' : String(err);
  }
}

/** Continues as new `n` times, carrying a sum. */
export async function countdown(n: number, acc = 0): Promise<number> {
  if (n > 0) await continueAsNew<typeof countdown>(n - 1, acc + n);
  return acc;
}

/** Upserts search attributes and memo. */
export async function tagged(tag: string): Promise<string> {
  upsertSearchAttributes({ CustomKeywordField: [tag], BreachlineSeverity: [7] });
  upsertMemo({ note: `tagged ${tag}` });
  await sleep(10);
  return tag;
}

/** Uses a patch marker. */
export async function patchedFlow(): Promise<string> {
  return patched('v2-logic') ? 'new' : 'old';
}

/** Fails as a workflow. */
export async function failing(): Promise<void> {
  throw ApplicationFailure.create({ message: 'workflow failed', type: 'Boom', nonRetryable: true });
}

/** Fails its first workflow task(s), then succeeds once the task is retried after its timeout. */
export async function flakyTask(thresholdMs: number): Promise<string> {
  if (Date.now() - workflowInfo().startTime.getTime() < thresholdMs) throw new Error('transient workflow task failure');
  return 'recovered';
}

/** Records side effects through activities around a timer (used by the restart test). */
export async function restartable(key: string): Promise<number[]> {
  const a = await restartSafe.record(`${key}-a`);
  await sleep(500);
  const b = await restartSafe.record(`${key}-b`);
  const c = await restartSafe.record(`${key}-c`);
  return [a, b, c];
}

/** Runs an activity whose heartbeat must survive a server restart to reach its retry. */
export async function heartbeatRestart(key: string): Promise<unknown> {
  return restartHeartbeat.heartbeatAcrossRestart(key);
}

/** Accepts updates that add a positive number (the validator rejects others) until `done`. */
export async function updatable(): Promise<number> {
  let total = 0;
  let done = false;
  setHandler(
    addUpdate,
    async (n) => {
      await sleep(10);
      total += n;
      return total;
    },
    { validator: (n) => {
      if (n <= 0) throw new Error('only positive amounts');
    } },
  );
  setHandler(doneSignal, () => void (done = true));
  await condition(() => done);
  return total;
}

/** Fails its first two attempts; the workflow retry policy runs it again. */
export async function retriedWorkflow(): Promise<string> {
  const { attempt } = workflowInfo();
  if (attempt < 3) throw ApplicationFailure.create({ message: `attempt ${attempt}`, type: 'Transient' });
  return `succeeded on attempt ${attempt}`;
}

// --- Server limits (limits.test.ts) -------------------------------------------------------------

/** Takes an argument of any size and returns its length: the size tests start it with 2.4 MB. */
export async function echoLength(data: string): Promise<number> {
  return data.length;
}

/** Asks an activity for a result of `bytes` characters and reports how the activity ended. */
export async function largeActivityResult(bytes: number): Promise<{ ok: boolean; cause?: string; causeName?: string; nonRetryable?: boolean; retryState?: string }> {
  try {
    await noRetry.blob(bytes);
    return { ok: true };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const cause = err.cause as { message?: string; name?: string; nonRetryable?: boolean } | undefined;
    return { ok: false, cause: cause?.message, causeName: cause?.name, nonRetryable: cause?.nonRetryable, retryState: String(err.retryState) };
  }
}

/** Schedules an activity with an input of `bytes` characters (the server terminates the run). */
export async function largeActivityInput(bytes: number): Promise<number> {
  return noRetry.measure('x'.repeat(bytes));
}

/** What the workflow saw of the server's continue-as-new suggestion. */
export interface SuggestionSeen {
  historyLength: number;
  historySize: number;
  suggested: boolean;
}
export const suggestionQuery = defineQuery<SuggestionSeen | undefined>('suggestion');

/**
 * Grows its history one activity at a time and ignores the continue-as-new suggestion, noting
 * where it first saw it, until `rounds` are done or the server stops it.
 */
export async function historyGrower(rounds: number): Promise<number> {
  let seen: SuggestionSeen | undefined;
  setHandler(suggestionQuery, () => seen);
  let total = 0;
  for (let i = 0; i < rounds; i++) {
    const info = workflowInfo();
    if (!seen && info.continueAsNewSuggested) seen = { historyLength: info.historyLength, historySize: info.historySize, suggested: true };
    total = await fast.add(total, 1);
  }
  return total;
}

/** Like {@link historyGrower}, but continues as new when the server suggests it, carrying its count. */
export async function historyFolder(rounds: number, carried = 0, runs = 1): Promise<{ total: number; runs: number }> {
  let total = carried;
  while (total < rounds) {
    if (workflowInfo().continueAsNewSuggested) return continueAsNew<typeof historyFolder>(rounds, total, runs + 1);
    total = await fast.add(total, 1);
  }
  return { total, runs };
}
