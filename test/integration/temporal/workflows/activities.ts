import { Context, ApplicationFailure, CancelledFailure } from '@temporalio/activity';

/** Side effects per key, counted in the test process (the worker runs there). */
export const sideEffects = new Map<string, number>();

/** Activities for the conformance workflows; built per test file so counters stay local. */
export function createActivities(opts: { onRestartPoint?: (key: string) => Promise<void> } = {}) {
  return {
    async add(a: number, b: number): Promise<number> {
      return a + b;
    },
    async record(key: string): Promise<number> {
      await opts.onRestartPoint?.(key);
      const n = (sideEffects.get(key) ?? 0) + 1;
      sideEffects.set(key, n);
      return n;
    },
    /** Fails until the given attempt, heartbeating the attempt number it reached. */
    async flaky(succeedOnAttempt: number): Promise<{ attempt: number; previousHeartbeat: unknown }> {
      const info = Context.current().info;
      const previousHeartbeat = info.heartbeatDetails as unknown;
      Context.current().heartbeat({ reached: info.attempt });
      if (info.attempt < succeedOnAttempt) throw ApplicationFailure.create({ message: `attempt ${info.attempt} failed`, type: 'Transient' });
      return { attempt: info.attempt, previousHeartbeat };
    },
    async fatal(): Promise<never> {
      throw ApplicationFailure.create({ message: 'do not retry me', type: 'Fatal', nonRetryable: true });
    },
    async typedFailure(): Promise<never> {
      throw ApplicationFailure.create({ message: 'listed as non-retryable', type: 'Unrecoverable' });
    },
    /** Sleeps past its start-to-close timeout on every attempt. */
    async slow(ms: number): Promise<string> {
      await Context.current().sleep(ms);
      return 'finished';
    },
    /** Heartbeats once, then goes silent on the first attempt; the second attempt sees the detail. */
    async silentAfterHeartbeat(): Promise<unknown> {
      const info = Context.current().info;
      if (info.attempt === 1) {
        Context.current().heartbeat('progress-1');
        await Context.current().sleep(10_000);
        return 'not reached';
      }
      return info.heartbeatDetails as unknown;
    },
    /**
     * First attempt: heartbeats, lets the test restart the server, then hangs past its
     * start-to-close timeout. The retry returns the heartbeat it was handed.
     */
    async heartbeatAcrossRestart(key: string): Promise<unknown> {
      const info = Context.current().info;
      if (info.attempt > 1) return info.heartbeatDetails as unknown;
      Context.current().heartbeat(`${key}-progress`);
      await Context.current().sleep(200);
      await opts.onRestartPoint?.(key);
      await Context.current().sleep(30_000);
      return 'not reached';
    },
    /** A string of `bytes` characters (the size-limit tests return it as the result). */
    async blob(bytes: number): Promise<string> {
      sideEffects.set('blob', (sideEffects.get('blob') ?? 0) + 1);
      return 'x'.repeat(bytes);
    },
    /** Takes any argument and answers its length (the size-limit tests send it a large one). */
    async measure(data: string): Promise<number> {
      return data.length;
    },
    /** Heartbeats until cancelled; reports how it ended. */
    async waitForCancel(): Promise<string> {
      try {
        for (;;) {
          Context.current().heartbeat();
          await Context.current().sleep(50);
        }
      } catch (err) {
        if (err instanceof CancelledFailure) {
          sideEffects.set('cancelled-activity', (sideEffects.get('cancelled-activity') ?? 0) + 1);
          throw err;
        }
        throw err;
      }
    },
  };
}

/** The activity interface workflows proxy. */
export type Activities = ReturnType<typeof createActivities>;
