import type { DrillInfo, DrillPort as SlackDrillPort } from '../slack/operations';
import type { DrillPort } from './port';

/**
 * The drill side of `/ir drill …`: Slack starts drills that people answer (no auto-responder) and
 * lists schedules. Statuses are the drill port's: `running` for a started drill, `scheduled`.
 */
export function slackDrillPort(drills: DrillPort): SlackDrillPort {
  return {
    async start(scenario): Promise<DrillInfo> {
      const { workflowId } = await drills.start({ scenario });
      return { id: workflowId, scenario, status: 'running', at: new Date().toISOString() };
    },
    async schedule(cron, scenario): Promise<DrillInfo> {
      const { scheduleId } = await drills.schedule(cron, scenario);
      return { id: scheduleId, scenario, status: 'scheduled', cron };
    },
    async list(): Promise<DrillInfo[]> {
      const schedules = await drills.listSchedules();
      return schedules.map((s) => ({ id: s.scheduleId, scenario: s.scenario ?? '?', status: s.paused ? 'paused' : 'scheduled', ...(s.nextRunAt ? { at: s.nextRunAt } : {}) }));
    },
  };
}
