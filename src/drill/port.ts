import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { DRILL_WORKFLOW_TYPE, type DrillInput, type DrillProgress, type DrillResult } from '../../workflows/drill';
import { drillProgressQuery } from '../../workflows/drill';
import { parseScenario } from './scenario-registry';

/** A drill schedule as listed. */
export interface DrillScheduleInfo {
  scheduleId: string;
  scenario?: string;
  paused: boolean;
  nextRunAt?: string;
}

/**
 * What Slack's `/ir drill …` commands and the CLI need to run and schedule drills. Drills always
 * start on the drill task queue, whose worker is built on the embedded sandbox only.
 */
export interface DrillPort {
  /** Starts a drill now; resolves with its workflow id once Temporal accepted it. */
  start(input: DrillInput): Promise<{ workflowId: string }>;
  /** Waits for a started drill and returns its after-action report. */
  result(workflowId: string): Promise<DrillResult>;
  /** Where a running drill is. */
  progress(workflowId: string): Promise<DrillProgress>;
  /** Creates (or replaces) a schedule that starts `scenario`'s drill on `cron` (cron or `@every 30s`). */
  schedule(cron: string, scenario: string, options?: { scheduleId?: string; autoRespondAfterMs?: number; responderTimeoutMs?: number }): Promise<{ scheduleId: string }>;
  listSchedules(): Promise<DrillScheduleInfo[]>;
  deleteSchedule(scheduleId: string): Promise<void>;
}

/** Options of {@link createDrillPort}. */
export interface DrillPortOptions {
  client: Client;
  drillTaskQueue: string;
  /** Clock for drill ids. @default Date.now */
  now?: () => number;
}

const SCHEDULE_PREFIX = 'drill-';

/** The Temporal-backed {@link DrillPort}. */
export function createDrillPort(options: DrillPortOptions): DrillPort {
  const { client, drillTaskQueue } = options;
  const now = options.now ?? Date.now;
  return {
    async start(input) {
      parseScenario(input.scenario);
      const workflowId = input.drillId ?? `drill-${input.scenario}-${now().toString(36)}`;
      await client.workflow.start(DRILL_WORKFLOW_TYPE, { workflowId, taskQueue: drillTaskQueue, args: [{ ...input, drillId: workflowId }] });
      return { workflowId };
    },
    async result(workflowId) {
      return client.workflow.getHandle(workflowId).result() as Promise<DrillResult>;
    },
    async progress(workflowId) {
      return client.workflow.getHandle(workflowId).query(drillProgressQuery);
    },
    async schedule(cron, scenario, opts = {}) {
      parseScenario(scenario);
      const scheduleId = opts.scheduleId ?? `${SCHEDULE_PREFIX}${scenario}`;
      const input: DrillInput = {
        scenario,
        ...(opts.autoRespondAfterMs !== undefined ? { autoRespondAfterMs: opts.autoRespondAfterMs } : {}),
        ...(opts.responderTimeoutMs !== undefined ? { responderTimeoutMs: opts.responderTimeoutMs } : {}),
      };
      await client.schedule.getHandle(scheduleId).delete().catch(() => undefined);
      await client.schedule.create({
        scheduleId,
        spec: { cronExpressions: [cron] },
        action: { type: 'startWorkflow', workflowType: DRILL_WORKFLOW_TYPE, workflowId: scheduleId, taskQueue: drillTaskQueue, args: [input] },
        // One drill range: a drill still running when the next is due skips that one.
        policies: { overlap: ScheduleOverlapPolicy.SKIP },
      });
      return { scheduleId };
    },
    async listSchedules() {
      const out: DrillScheduleInfo[] = [];
      for await (const s of client.schedule.list()) {
        if (!s.scheduleId.startsWith(SCHEDULE_PREFIX)) continue;
        const d = await client.schedule.getHandle(s.scheduleId).describe();
        const action = d.action.type === 'startWorkflow' ? d.action : undefined;
        const input = action?.args?.[0] as DrillInput | undefined;
        out.push({
          scheduleId: s.scheduleId,
          ...(input?.scenario ? { scenario: input.scenario } : {}),
          paused: d.state.paused,
          ...(d.info.nextActionTimes[0] ? { nextRunAt: d.info.nextActionTimes[0].toISOString() } : {}),
        });
      }
      return out;
    },
    async deleteSchedule(scheduleId) {
      await client.schedule.getHandle(scheduleId).delete();
    },
  };
}
