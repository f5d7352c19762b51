import { asyncLocalStorage, type Context } from '@temporalio/activity';

/**
 * Heartbeats for every activity (design §1, failure model). The playbook's option presets carry
 * heartbeat timeouts of seconds, so a worker killed mid-step is noticed in seconds and the retry
 * starts on another worker, instead of after the step's start-to-close timeout (minutes to hours).
 *
 * Two kinds of heartbeat share one channel, and Temporal keeps only the LAST details sent:
 * - checkpoints, sent by the activity when it has done a piece of work ({@link checkpoint});
 * - keep-alives, sent on a timer while the activity waits on I/O ({@link keepAlive}).
 * A keep-alive therefore re-sends the latest checkpoint (or the previous attempt's, until this one
 * has its own), never `undefined`, so a retry always resumes from the newest checkpoint.
 */

/** How often a running activity proves it is alive. The SDK throttles below 80 % of the timeout anyway. */
export const KEEP_ALIVE_MS = 1_000;

const latest = new WeakMap<Context, unknown>();

/** Records a resumable checkpoint (sent at once, and repeated by the keep-alive). No-op outside an activity. */
export function checkpoint(details: unknown): void {
  const ctx = asyncLocalStorage.getStore();
  if (ctx === undefined) return;
  latest.set(ctx, details);
  ctx.heartbeat(details);
}

/**
 * Wraps an activity so that it heartbeats every {@link KEEP_ALIVE_MS} while it runs, repeating its
 * latest checkpoint. Outside an activity context (tests, scripts) it calls the function as is.
 */
export function keepAlive<A extends unknown[], R>(fn: (...args: A) => Promise<R>, everyMs = KEEP_ALIVE_MS): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    const ctx = asyncLocalStorage.getStore();
    if (ctx === undefined) return fn(...args);
    if (!latest.has(ctx)) latest.set(ctx, ctx.info.heartbeatDetails);
    const timer = setInterval(() => ctx.heartbeat(latest.get(ctx)), everyMs);
    try {
      return await fn(...args);
    } finally {
      clearInterval(timer);
    }
  };
}

/** Every function of an activity set wrapped with {@link keepAlive}. */
export function withKeepAlive<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const out: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(activities)) out[name] = keepAlive(fn);
  return out as T;
}
