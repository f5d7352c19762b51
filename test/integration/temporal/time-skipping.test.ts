import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from './workflows/activities';
import { bundle, quietRuntime, replayAll, uid } from './helpers';
import * as wf from './workflows';

const HOUR = 3600_000;
let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  quietRuntime();
  const path = join(__dirname, '..', '..', '..', 'bin', 'temporal-sandbox');
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
  workflowBundle = await bundle();
});

afterAll(async () => {
  await env?.teardown();
});

describe('time skipping through the SDK test environment', () => {
  it('completes a 72 h sleep in well under a few seconds of wall time', async () => {
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'skip', workflowBundle, activities: createActivities() });
    const wall = Date.now();
    const before = await env.currentTimeMs();
    const slept = await worker.runUntil(env.client.workflow.execute(wf.sleeper, { taskQueue: 'skip', workflowId: uid('72h'), args: [72 * HOUR] }));
    expect(Date.now() - wall).toBeLessThan(3_000);
    expect(slept).toBeGreaterThanOrEqual(72 * HOUR);
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(72 * HOUR);
  });

  it('does not skip time while an activity is running', async () => {
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'skip-act', workflowBundle, activities: createActivities() });
    const result = await worker.runUntil(env.client.workflow.execute(wf.threeActivities, { taskQueue: 'skip-act', workflowId: uid('acts'), args: [1] }));
    expect(result).toBe(7);
  });

  it('advances the clock with env.sleep', async () => {
    const before = await env.currentTimeMs();
    await env.sleep(5 * HOUR);
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(5 * HOUR);
  });

  it('runs schedules on the skipped clock, and pauses, lists, describes and deletes them', async () => {
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'sched', workflowBundle, activities: createActivities() });
    await worker.runUntil(async () => {
      const scheduleId = uid('hourly');
      const handle = await env.client.schedule.create({
        scheduleId,
        spec: { intervals: [{ every: '1h' }] },
        action: { type: 'startWorkflow', workflowType: wf.threeActivities, args: [1], taskQueue: 'sched', workflowId: `${scheduleId}-wf` },
      });
      await env.sleep(3 * HOUR + 60_000);
      const described = await handle.describe();
      expect(described.info.recentActions.length).toBeGreaterThanOrEqual(3);
      const started = described.info.recentActions[0]!.action.workflow;
      expect(await env.client.workflow.getHandle(started.workflowId, started.firstExecutionRunId).result()).toBe(7);
      await handle.pause('maintenance');
      expect((await handle.describe()).state.paused).toBe(true);
      const ids: string[] = [];
      for await (const s of env.client.schedule.list()) ids.push(s.scheduleId);
      expect(ids).toContain(scheduleId);
      await handle.delete();
      await expect(handle.describe()).rejects.toMatchObject({ name: 'ScheduleNotFoundError' });
    });
  });

  it('replays every history the server produced', async () => {
    expect(await replayAll(env.client, workflowBundle)).toBeGreaterThanOrEqual(2);
  });
});
