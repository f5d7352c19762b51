import type { ServerClock } from './clock';
import { serviceErrors } from './errors';
import { millis, temporal, timestamp } from './proto';
import type { RpcHandler } from './server';

type TS = typeof temporal.api.testservice.v1;
type Req<K extends keyof TS> = TS[K] extends { create(p?: infer P): unknown } ? P : never;

/**
 * TestService handlers (time skipping), as `@temporalio/testing` calls them: the client unlocks
 * while it waits for a result, `env.sleep()` unlocks until the clock has moved by the duration.
 */
export function testServiceHandlers(clock: ServerClock): Record<string, RpcHandler> {
  const handlers = {
    LockTimeSkipping: () => {
      clock.lockExternal();
      return {};
    },
    UnlockTimeSkipping: () => {
      if (!clock.unlockExternal()) throw serviceErrors.failedPrecondition('time skipping is not locked');
      return {};
    },
    Sleep: async (req: Req<'SleepRequest'>) => {
      await clock.sleepUntil(clock.now() + millis(req.duration));
      return {};
    },
    SleepUntil: async (req: Req<'SleepUntilRequest'>) => {
      await clock.sleepUntil(millis(req.timestamp));
      return {};
    },
    UnlockTimeSkippingWithSleep: async (req: Req<'SleepRequest'>) => {
      const until = clock.now() + millis(req.duration);
      if (!clock.unlockExternal()) throw serviceErrors.failedPrecondition('time skipping is not locked');
      try {
        await clock.sleepUntil(until);
      } finally {
        clock.lockExternal();
      }
      return {};
    },
    GetCurrentTime: () => ({ time: timestamp(clock.now()) }),
  };
  return handlers as Record<string, RpcHandler>;
}
