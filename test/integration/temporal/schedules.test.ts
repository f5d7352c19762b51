import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { status } from '@grpc/grpc-js';
import { Client as TemporalClient, Connection as TemporalConnection, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type Connection, type WorkflowExecutionInfo } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type RunningTemporalSandbox } from '../../../src/sandbox/temporal';
import { createActivities } from './workflows/activities';
import { bundle, connect, quietRuntime, uid } from './helpers';
import * as wf from './workflows';

const TASK_QUEUE = 'schedules-it';
const HOUR = 3_600_000;

let sandbox: RunningTemporalSandbox;
let client: Client;
let connection: Connection;
let native: NativeConnection;
let worker: Worker;
let workerRun: Promise<void>;

beforeAll(async () => {
  quietRuntime();
  // A manual clock: schedule times arrive only when a test moves the server's time.
  sandbox = await start({ port: 0, clock: 'manual' });
  ({ client, connection, native } = await connect(sandbox.address));
  worker = await Worker.create({ connection: native, taskQueue: TASK_QUEUE, workflowBundle: await bundle(), activities: createActivities() });
  workerRun = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await workerRun;
  await native?.close();
  await connection?.close();
  await sandbox?.close();
});

/** Moves server time to `ms` (never backwards). */
function advanceTo(ms: number): void {
  sandbox.clock.advance(Math.max(0, ms - sandbox.clock.now()));
}

/** Runs the schedule started, found through the search attribute the scheduler sets. */
async function runsOf(scheduleId: string): Promise<WorkflowExecutionInfo[]> {
  const out: WorkflowExecutionInfo[] = [];
  for await (const w of client.workflow.list({ query: `TemporalScheduledById = '${scheduleId}'` })) out.push(w);
  return out.sort((a, b) => (a.workflowId < b.workflowId ? -1 : 1));
}

/** Waits (in real time) until the schedule has started `n` runs. */
async function waitForRuns(scheduleId: string, n: number): Promise<WorkflowExecutionInfo[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const runs = await runsOf(scheduleId);
    if (runs.length >= n || Date.now() > deadline) return runs;
    await sleep(50);
  }
}

const suffix = (d: Date) => d.toISOString().replace('.000Z', 'Z');

describe('schedules through ScheduleClient', () => {
  it('a cron schedule starts its workflow at each nominal time, named and tagged like the real server does', async () => {
    const scheduleId = uid('cron');
    const handle = await client.schedule.create({
      scheduleId,
      spec: { cronExpressions: ['*/10 * * * *'] },
      action: { type: 'startWorkflow', workflowType: wf.patchedFlow, taskQueue: TASK_QUEUE, workflowId: `${scheduleId}-wf` },
    });
    const d = await handle.describe();
    // The server compiles the cron string into a structured calendar, which the client decodes.
    expect(d.spec.calendars?.[0]?.minute).toEqual([{ start: 0, end: 59, step: 10 }]);
    const next = d.info.nextActionTimes[0] as Date;
    expect(next.getTime() % (10 * 60_000)).toBe(0);
    expect(next.getTime()).toBeGreaterThan(sandbox.clock.now());
    expect(d.info.nextActionTimes[1]!.getTime() - next.getTime()).toBe(10 * 60_000);

    advanceTo(next.getTime() - 1000);
    await sleep(200);
    expect(await runsOf(scheduleId)).toHaveLength(0);

    advanceTo(next.getTime());
    const [run] = await waitForRuns(scheduleId, 1);
    expect(run?.workflowId).toBe(`${scheduleId}-wf-${suffix(next)}`);
    expect(run?.type).toBe('patchedFlow');
    expect(run?.searchAttributes.TemporalScheduledById).toEqual([scheduleId]);
    expect((run?.searchAttributes.TemporalScheduledStartTime as Date[] | undefined)?.[0]?.getTime()).toBe(next.getTime());
    expect(await client.workflow.getHandle(run!.workflowId).result()).toBe('new');

    const after = await handle.describe();
    expect(after.info.numActionsTaken).toBe(1);
    expect(after.info.recentActions[0]?.scheduledAt.getTime()).toBe(next.getTime());
    expect(after.info.recentActions[0]?.action.workflow.workflowId).toBe(run?.workflowId);
    await handle.delete();
  });

  it('an interval schedule is listed, updated and fires on its new grid', async () => {
    const scheduleId = uid('interval');
    const handle = await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1h' }] },
      action: { type: 'startWorkflow', workflowType: wf.patchedFlow, taskQueue: TASK_QUEUE },
      memo: { team: 'incident-response' },
    });
    const d = await handle.describe();
    expect(d.info.nextActionTimes).toHaveLength(10);
    for (const t of d.info.nextActionTimes) expect(t.getTime() % HOUR).toBe(0);
    expect(d.memo).toEqual({ team: 'incident-response' });

    const listed = [];
    for await (const s of client.schedule.list()) listed.push(s);
    const mine = listed.find((s) => s.scheduleId === scheduleId);
    expect(mine?.action?.workflowType).toBe('patchedFlow');
    expect(mine?.memo).toEqual({ team: 'incident-response' });
    expect(mine?.info.nextActionTimes[0]?.getTime()).toBe(d.info.nextActionTimes[0]?.getTime());
    const filtered = [];
    for await (const s of client.schedule.list({ query: `ScheduleId = '${scheduleId}'` })) filtered.push(s.scheduleId);
    expect(filtered).toEqual([scheduleId]);

    await handle.update((prev) => ({ ...prev, spec: { intervals: [{ every: '2h', offset: '30m' }] } }));
    const updated = await handle.describe();
    expect(updated.spec.intervals).toEqual([{ every: 2 * HOUR, offset: 30 * 60_000 }]);
    expect(updated.info.lastUpdatedAt).toBeInstanceOf(Date);
    const next = updated.info.nextActionTimes[0] as Date;
    expect((next.getTime() - 30 * 60_000) % (2 * HOUR)).toBe(0);

    advanceTo(next.getTime());
    const runs = await waitForRuns(scheduleId, 1);
    expect(runs.map((r) => r.workflowId)).toEqual([`${scheduleId}-workflow-${suffix(next)}`]);
    await handle.delete();
  });

  it('pause holds actions back, trigger and backfill act anyway, delete stops the schedule', async () => {
    const scheduleId = uid('ops');
    const handle = await client.schedule.create({
      scheduleId,
      spec: { cronExpressions: ['0 * * * *'] },
      action: { type: 'startWorkflow', workflowType: wf.patchedFlow, taskQueue: TASK_QUEUE, workflowId: scheduleId },
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
    });
    await handle.pause('change freeze');
    let d = await handle.describe();
    expect(d.state).toMatchObject({ paused: true, note: 'change freeze' });
    advanceTo((d.info.nextActionTimes[0] as Date).getTime() + 1000);
    await sleep(200);
    expect(await runsOf(scheduleId)).toHaveLength(0);

    const triggeredAt = new Date(Math.floor(sandbox.clock.now() / 1000) * 1000);
    await handle.trigger();
    expect((await waitForRuns(scheduleId, 1)).map((r) => r.workflowId)).toEqual([`${scheduleId}-${suffix(triggeredAt)}`]);

    await handle.unpause('freeze lifted');
    d = await handle.describe();
    expect(d.state).toMatchObject({ paused: false, note: 'freeze lifted' });

    const hour = Math.floor(sandbox.clock.now() / HOUR) * HOUR;
    await handle.backfill({ start: new Date(hour - 3 * HOUR), end: new Date(hour - HOUR), overlap: ScheduleOverlapPolicy.ALLOW_ALL });
    const runs = await waitForRuns(scheduleId, 4);
    expect(runs.map((r) => r.workflowId)).toEqual(
      expect.arrayContaining([1, 2, 3].map((h) => `${scheduleId}-${suffix(new Date(hour - h * HOUR))}`)),
    );
    expect(runs).toHaveLength(4);

    await handle.delete();
    await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    advanceTo(sandbox.clock.now() + 2 * HOUR);
    await sleep(200);
    expect(await runsOf(scheduleId)).toHaveLength(4);
  });

  it('BUFFER_ONE holds the next time while a run is open and starts it when that run closes', async () => {
    const scheduleId = uid('buffer');
    const handle = await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1h' }] },
      action: { type: 'startWorkflow', workflowType: wf.accumulator, taskQueue: TASK_QUEUE, workflowId: scheduleId },
      policies: { overlap: ScheduleOverlapPolicy.BUFFER_ONE },
    });
    const [first, second, third] = (await handle.describe()).info.nextActionTimes as [Date, Date, Date];
    advanceTo(first.getTime());
    const [run1] = await waitForRuns(scheduleId, 1);
    advanceTo(third.getTime());
    await sleep(200);
    expect(await runsOf(scheduleId)).toHaveLength(1);
    const d = await handle.describe();
    expect(d.info.runningActions.map((a) => a.workflow.workflowId)).toEqual([run1?.workflowId]);
    expect(d.info.numActionsSkippedOverlap).toBe(1);

    await client.workflow.getHandle(run1!.workflowId).signal(wf.doneSignal);
    const runs = await waitForRuns(scheduleId, 2);
    expect(runs.map((r) => r.workflowId)).toEqual([`${scheduleId}-${suffix(first)}`, `${scheduleId}-${suffix(second)}`]);
    await handle.delete();
    for (const r of runs) await client.workflow.getHandle(r.workflowId).terminate('test done').catch(() => undefined);
  });

  it('rejects an invalid spec with the reason', async () => {
    await expect(
      client.schedule.create({
        scheduleId: uid('bad'),
        spec: { cronExpressions: ['61 * * * *'] },
        action: { type: 'startWorkflow', workflowType: wf.patchedFlow, taskQueue: TASK_QUEUE },
      }),
    ).rejects.toThrow(/minute value 61 is out of range/);
  });
});

describe('workflow list queries', () => {
  const prefix = uid('vq');
  const ids = { a: `${prefix}-a`, b: `${prefix}-b`, c: `${prefix}-c` };
  let startedAt: number;

  beforeAll(async () => {
    startedAt = sandbox.clock.now();
    const specs: Array<[string, string, number]> = [
      [ids.a, 'alpha', 1],
      [ids.b, 'beta', 5],
      [ids.c, 'gamma', 9],
    ];
    for (const [workflowId, kw, n] of specs) {
      advanceTo(sandbox.clock.now() + 60_000);
      await client.workflow.execute(wf.patchedFlow, {
        taskQueue: TASK_QUEUE,
        workflowId,
        searchAttributes: { CustomKeywordField: [kw], CustomIntField: [n] },
      });
    }
  });

  const list = async (query: string) => {
    const out: string[] = [];
    for await (const w of client.workflow.list({ query })) out.push(w.workflowId);
    return out;
  };
  const iso = (ms: number) => new Date(ms).toISOString();

  it.each([
    [`WorkflowId = '${ids.a}'`, [ids.a]],
    [`WorkflowId = "${ids.b}"`, [ids.b]],
    [`WorkflowId IN ('${ids.a}', '${ids.c}') ORDER BY StartTime ASC`, [ids.a, ids.c]],
    [`WorkflowId STARTS_WITH '${prefix}' ORDER BY StartTime ASC`, [ids.a, ids.b, ids.c]],
    [`WorkflowId STARTS_WITH '${prefix}'`, [ids.c, ids.b, ids.a]],
    [`WorkflowId STARTS_WITH '${prefix}' AND CustomIntField > 1 ORDER BY CustomIntField DESC`, [ids.c, ids.b]],
    [`WorkflowId STARTS_WITH '${prefix}' AND CustomIntField BETWEEN 2 AND 9 ORDER BY StartTime ASC`, [ids.b, ids.c]],
    [`WorkflowId STARTS_WITH '${prefix}' AND CustomKeywordField NOT IN ('alpha', 'beta')`, [ids.c]],
    [`WorkflowId STARTS_WITH '${prefix}' AND (CustomKeywordField = 'alpha' OR CustomIntField = 9) ORDER BY StartTime ASC`, [ids.a, ids.c]],
    [`WorkflowId STARTS_WITH '${prefix}' AND ExecutionStatus = 'Completed' AND CloseTime IS NOT NULL AND WorkflowType = 'patchedFlow' ORDER BY StartTime ASC`, [ids.a, ids.b, ids.c]],
    [`WorkflowId STARTS_WITH '${prefix}' AND ExecutionStatus = 'Running'`, []],
    [`WorkflowId STARTS_WITH '${prefix}' AND TaskQueue = '${TASK_QUEUE}' AND TemporalScheduledById IS NULL ORDER BY StartTime ASC`, [ids.a, ids.b, ids.c]],
  ])('%s', async (query, expected) => {
    expect(await list(query)).toEqual(expected);
  });

  it('compares datetimes as instants', async () => {
    const q = (op: string, ms: number) => list(`WorkflowId STARTS_WITH '${prefix}' AND StartTime ${op} '${iso(ms)}' ORDER BY StartTime ASC`);
    expect(await q('>', startedAt + 90_000)).toEqual([ids.b, ids.c]);
    expect(await q('<=', startedAt + 60_000)).toEqual([ids.a]);
  });

  it('answers a bad query with INVALID_ARGUMENT naming the token', async () => {
    const failure = async (query: string) => {
      const err = await list(query).then(() => undefined, (e: unknown) => e);
      const cause = (err as { cause?: { code?: number; details?: string } } | undefined)?.cause;
      return { code: cause?.code, details: cause?.details };
    };
    expect(await failure('Bogus = 1')).toEqual({ code: status.INVALID_ARGUMENT, details: "invalid query: unknown search attribute 'Bogus' at position 0" });
    expect(await failure(`WorkflowId = '${ids.a}' AND`)).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/unexpected end of query/) as unknown });
  });
});

describe('schedules across a server restart', () => {
  it('come back from the journal and go on without repeating an action', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'breachline-schedules-'));
    const scheduleId = uid('durable');
    const open = async () => {
      const server = await start({ port: 0, clock: 'manual', dataDir });
      const conn = await TemporalConnection.connect({ address: server.address });
      return { server, conn, client: new TemporalClient({ connection: conn }) };
    };
    const ids = async (c: TemporalClient) => {
      const out: string[] = [];
      for await (const w of c.workflow.list({ query: `TemporalScheduledById = '${scheduleId}'` })) out.push(w.workflowId);
      return out.sort();
    };
    try {
      // No worker: the started runs simply stay open, which is all this test needs.
      const first = await open();
      const handle = await first.client.schedule.create({
        scheduleId,
        spec: { intervals: [{ every: '1h' }] },
        action: { type: 'startWorkflow', workflowType: 'patchedFlow', taskQueue: 'nobody-polls', workflowId: scheduleId },
        policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
      });
      const [t1, t2] = (await handle.describe()).info.nextActionTimes as [Date, Date];
      first.server.clock.advance(t1.getTime() - first.server.clock.now());
      await sleep(200);
      expect(await ids(first.client)).toEqual([`${scheduleId}-${suffix(t1)}`]);
      await first.conn.close();
      await first.server.close();

      const second = await open();
      try {
        const d = await second.client.schedule.getHandle(scheduleId).describe();
        expect(d.info.numActionsTaken).toBe(1);
        expect(d.info.recentActions.map((a) => a.scheduledAt.getTime())).toEqual([t1.getTime()]);
        await sleep(200);
        expect(await ids(second.client)).toEqual([`${scheduleId}-${suffix(t1)}`]);
        second.server.clock.advance(t2.getTime() - second.server.clock.now());
        await sleep(200);
        expect(await ids(second.client)).toEqual([`${scheduleId}-${suffix(t1)}`, `${scheduleId}-${suffix(t2)}`]);
      } finally {
        await second.conn.close();
        await second.server.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('schedules under time skipping', () => {
  it('the clock jumps to each action time, and the runs see that time', async () => {
    const server = await start({ port: 0, timeSkipping: true });
    const conn = await TemporalConnection.connect({ address: server.address });
    const c = new TemporalClient({ connection: conn });
    const nativeConn = await NativeConnection.connect({ address: server.address });
    const w = await Worker.create({ connection: nativeConn, taskQueue: 'schedules-skip', workflowBundle: await bundle(), activities: createActivities() });
    const running = w.run();
    try {
      const scheduleId = uid('skip');
      const handle = await c.schedule.create({
        scheduleId,
        spec: { intervals: [{ every: '1d' }] },
        action: { type: 'startWorkflow', workflowType: wf.patchedFlow, taskQueue: 'schedules-skip', workflowId: scheduleId },
        // Limited, so that skipping stops once the schedule has nothing left to do.
        state: { remainingActions: 3 },
      });
      const times = (await handle.describe()).info.nextActionTimes;
      expect(times).toHaveLength(3);
      const before = server.clock.now();
      server.clock.unlockTimeSkipping();
      const deadline = Date.now() + 15_000;
      let ids: string[] = [];
      while (ids.length < 3 && Date.now() < deadline) {
        ids = [];
        for await (const x of c.workflow.list({ query: `TemporalScheduledById = '${scheduleId}'` })) ids.push(x.workflowId);
        await sleep(50);
      }
      server.clock.lockTimeSkipping();
      expect(ids.sort()).toEqual(times.map((t) => `${scheduleId}-${suffix(t)}`));
      // Three days of server time went by in (much) less than fifteen seconds of real time.
      expect(server.clock.now() - before).toBeGreaterThanOrEqual(times[2]!.getTime() - before);
      expect((await handle.describe()).state.remainingActions).toBe(0);
    } finally {
      w.shutdown();
      await running;
      await nativeConn.close();
      await conn.close();
      await server.close();
    }
  });
});
