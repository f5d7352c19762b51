/**
 * The schedule RPCs of WorkflowService, wired to a {@link ScheduleManager} over the engine. The
 * server's placeholder `scheduleServiceHandlers` can return `createScheduleHandlers(...).handlers`.
 */
import type { Engine } from './engine';
import { serviceErrors } from './errors';
import { createScheduleHost } from './schedule-host';
import { ScheduleManager } from './schedules';
import type { RpcHandler } from './server';
import type { temporal } from './proto';

type V1 = typeof temporal.api.workflowservice.v1;
type Request<K extends keyof V1> = V1[K] extends { decode(...args: never[]): infer M } ? M : never;

/** The handlers plus the manager behind them (close it when the server stops). */
export interface ScheduleHandlers {
  handlers: Record<string, RpcHandler>;
  manager: ScheduleManager;
  /** Settles once schedules from the journal are back and caught up. */
  restored: Promise<void>;
}

/** Builds the schedule RPC handlers; `records` are the journal records the schedule host wrote. */
export function createScheduleHandlers(engine: Engine, records: readonly unknown[]): ScheduleHandlers {
  const manager = new ScheduleManager(createScheduleHost(engine), engine.logger.child({ component: 'temporal-schedules' }));
  const restored = manager.restore(records).catch((err: unknown) => engine.logger.error({ err }, 'schedules could not be restored'));
  // Requests wait for the restore so that nobody sees a schedule half back.
  const checked = async <R extends { namespace?: string | null }>(req: R): Promise<R> => {
    if (!req.namespace) throw serviceErrors.invalidArgument('Namespace is not set on request.');
    if (!engine.namespaces.has(req.namespace)) throw serviceErrors.notFound(`Namespace ${req.namespace} is not found.`);
    await restored;
    return req;
  };
  const handlers = {
    CreateSchedule: async (req: Request<'CreateScheduleRequest'>) => manager.create(await checked(req)),
    DescribeSchedule: async (req: Request<'DescribeScheduleRequest'>) => manager.describe(await checked(req)),
    UpdateSchedule: async (req: Request<'UpdateScheduleRequest'>) => manager.update(await checked(req)),
    PatchSchedule: async (req: Request<'PatchScheduleRequest'>) => manager.patch(await checked(req)),
    DeleteSchedule: async (req: Request<'DeleteScheduleRequest'>) => manager.delete(await checked(req)),
    ListSchedules: async (req: Request<'ListSchedulesRequest'>) => manager.list(await checked(req)),
    ListScheduleMatchingTimes: async (req: Request<'ListScheduleMatchingTimesRequest'>) => manager.listMatchingTimes(await checked(req)),
  };
  return { handlers: handlers as Record<string, RpcHandler>, manager, restored: restored.then(() => undefined) };
}
