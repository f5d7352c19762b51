import { status } from '@grpc/grpc-js';
import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { TemporalServiceError } from '../../../src/sandbox/temporal/errors';
import { msToProtoTime } from '../../../src/sandbox/temporal/schedule-spec';
import { ScheduleManager, type ScheduleHost } from '../../../src/sandbox/temporal/schedules';
import type { ExecutionStatusName } from '../../../src/sandbox/temporal/visibility-query';

const Overlap = temporal.api.enums.v1.ScheduleOverlapPolicy;
type Overlap = temporal.api.enums.v1.ScheduleOverlapPolicy;
const T0 = Date.parse('2026-01-01T00:02:00Z');
const at = (hhmmss: string) => Date.parse(`2026-01-01T${hhmmss}Z`);

interface Started {
  namespace: string;
  workflowId: string;
  runId: string;
  action: temporal.api.workflow.v1.INewWorkflowExecutionInfo;
  extra: { searchAttributes?: temporal.api.common.v1.ISearchAttributes; memo?: temporal.api.common.v1.IMemo };
}

/** The schedule manager's port, over a hand-driven clock and an in-memory set of workflows. */
class FakeHost implements ScheduleHost {
  time = T0;
  private timers: Array<{ at: number; fire: () => void }> = [];
  readonly records: unknown[] = [];
  readonly started: Started[] = [];
  readonly cancelled: string[] = [];
  readonly terminated: string[] = [];
  private readonly running = new Set<string>();
  private readonly everStarted = new Set<string>();
  private listeners: Array<(ns: string, id: string, run: string, s: ExecutionStatusName) => void> = [];
  /** When set, start calls never return (a crash in the middle of starting). */
  hangStarts = false;

  now(): number {
    return this.time;
  }
  setTimer(atMs: number, fire: () => void): () => void {
    const entry = { at: atMs, fire };
    this.timers.push(entry);
    return () => {
      this.timers = this.timers.filter((t) => t !== entry);
    };
  }
  startWorkflow(namespace: string, workflowId: string, action: Started['action'], extra: Started['extra']): Promise<{ runId: string }> {
    if (this.hangStarts) return new Promise(() => undefined);
    if (this.everStarted.has(workflowId)) {
      return Promise.reject(new TemporalServiceError(status.ALREADY_EXISTS, `workflow ${workflowId} already started`));
    }
    const runId = `run-${this.started.length + 1}`;
    this.everStarted.add(workflowId);
    this.running.add(`${workflowId}/${runId}`);
    this.started.push({ namespace, workflowId, runId, action, extra });
    return Promise.resolve({ runId });
  }
  isRunning(_ns: string, workflowId: string, runId: string): boolean {
    return this.running.has(`${workflowId}/${runId}`);
  }
  cancelWorkflow(_ns: string, workflowId: string): Promise<void> {
    this.cancelled.push(workflowId);
    return Promise.resolve();
  }
  terminateWorkflow(_ns: string, workflowId: string): Promise<void> {
    this.terminated.push(workflowId);
    return Promise.resolve();
  }
  onWorkflowClosed(listener: (ns: string, id: string, run: string, s: ExecutionStatusName) => void): void {
    this.listeners.push(listener);
  }
  journal(record: unknown): void {
    // Through JSON, as a file journal would keep it.
    this.records.push(JSON.parse(JSON.stringify(record)) as unknown);
  }

  /** A "restart": the old manager's listener is gone with its process. */
  forgetListeners(): void {
    this.listeners = [];
  }
  /** Closes a started run, as the workflow engine would report it. */
  async close(index: number, s: ExecutionStatusName = 'Completed'): Promise<void> {
    const w = this.started[index];
    if (!w) throw new Error(`no started workflow #${index}`);
    this.running.delete(`${w.workflowId}/${w.runId}`);
    for (const l of this.listeners) l(w.namespace, w.workflowId, w.runId, s);
    await settle();
  }
  /** Moves the clock, firing due timers in order. */
  async advanceTo(target: number): Promise<void> {
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.fire();
      await settle();
    }
    this.time = target;
    await settle();
  }
  ids(): string[] {
    return this.started.map((s) => s.workflowId);
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

function payload(value: unknown, type: string): temporal.api.common.v1.IPayload {
  return { metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from(type) }, data: Buffer.from(JSON.stringify(value)) };
}
function decode(p: temporal.api.common.v1.IPayload | undefined): { value: unknown; type: string } {
  return { value: JSON.parse(Buffer.from(p?.data ?? []).toString()) as unknown, type: Buffer.from(p?.metadata?.type ?? []).toString() };
}

function createRequest(
  scheduleId: string,
  opts: { cron?: string; overlap?: Overlap; paused?: boolean; remaining?: number; catchupMs?: number; pauseOnFailure?: boolean } = {},
): temporal.api.workflowservice.v1.ICreateScheduleRequest {
  return {
    namespace: 'default',
    scheduleId,
    requestId: 'r',
    schedule: {
      spec: { cronString: [opts.cron ?? '*/5 * * * *'] },
      action: {
        startWorkflow: {
          workflowId: `${scheduleId}-wf`,
          workflowType: { name: 'DrillWorkflow' },
          taskQueue: { name: 'breachline-drill' },
          memo: { fields: { owner: payload('ir-team', 'Keyword') } },
          searchAttributes: { indexedFields: { CustomKeywordField: payload('drill', 'Keyword') } },
        },
      },
      policies: {
        overlapPolicy: opts.overlap ?? Overlap.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED,
        ...(opts.catchupMs ? { catchupWindow: msToProtoTime(opts.catchupMs) } : {}),
        pauseOnFailure: opts.pauseOnFailure ?? false,
      },
      state: {
        paused: opts.paused ?? false,
        ...(opts.remaining !== undefined ? { limitedActions: true, remainingActions: opts.remaining as unknown as never } : {}),
      },
    },
    memo: { fields: { team: payload('ir', 'Keyword') } },
    searchAttributes: { indexedFields: { Env: payload('staging', 'Keyword') } },
  };
}

async function setup(id = 's', opts: Parameters<typeof createRequest>[1] = {}) {
  const host = new FakeHost();
  const mgr = new ScheduleManager(host);
  await mgr.create(createRequest(id, opts));
  return { host, mgr };
}

async function expectCode(p: Promise<unknown> | (() => unknown), code: status, message?: RegExp): Promise<void> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(TemporalServiceError);
  expect((err as TemporalServiceError).code).toBe(code);
  if (message) expect((err as Error).message).toMatch(message);
}

const tsMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000;

describe('ScheduleManager — firing', () => {
  it('starts the action at each nominal time, with the id suffix and scheduler search attributes', async () => {
    const { host, mgr } = await setup();
    expect(host.started).toHaveLength(0);
    await host.advanceTo(at('00:04:59'));
    expect(host.started).toHaveLength(0);
    await host.advanceTo(at('00:05:00'));
    expect(host.ids()).toEqual(['s-wf-2026-01-01T00:05:00Z']);
    const sa = host.started[0]!.extra.searchAttributes?.indexedFields ?? {};
    expect(decode(sa.TemporalScheduledStartTime)).toEqual({ value: '2026-01-01T00:05:00.000Z', type: 'Datetime' });
    expect(decode(sa.TemporalScheduledById)).toEqual({ value: 's', type: 'Keyword' });
    expect(decode(sa.CustomKeywordField)).toEqual({ value: 'drill', type: 'Keyword' });
    expect(decode(host.started[0]!.extra.memo?.fields?.owner).value).toBe('ir-team');
    expect(host.started[0]!.action.workflowType?.name).toBe('DrillWorkflow');

    await host.close(0);
    await host.advanceTo(at('00:10:00'));
    expect(host.ids()).toEqual(['s-wf-2026-01-01T00:05:00Z', 's-wf-2026-01-01T00:10:00Z']);

    const d = mgr.describe({ namespace: 'default', scheduleId: 's' });
    expect(Number(d.info?.actionCount)).toBe(2);
    expect(d.info?.recentActions?.map((a) => [tsMs(a.scheduleTime), a.startWorkflowResult?.workflowId, a.startWorkflowStatus])).toEqual([
      [at('00:05:00'), 's-wf-2026-01-01T00:05:00Z', temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED],
      [at('00:10:00'), 's-wf-2026-01-01T00:10:00Z', temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING],
    ]);
    expect(d.info?.runningWorkflows).toEqual([{ workflowId: 's-wf-2026-01-01T00:10:00Z', runId: 'run-2' }]);
    expect(d.info?.futureActionTimes?.slice(0, 2).map(tsMs)).toEqual([at('00:15:00'), at('00:20:00')]);
    expect(d.info?.futureActionTimes).toHaveLength(10);
    expect(tsMs(d.info?.createTime)).toBe(T0);
    expect(d.schedule?.spec?.structuredCalendar?.[0]?.minute).toEqual([{ start: 0, end: 59, step: 5 }]);
    expect(d.schedule?.policies?.overlapPolicy).toBe(Overlap.SCHEDULE_OVERLAP_POLICY_SKIP);
    expect(tsMs(d.schedule?.policies?.catchupWindow)).toBe(365 * 24 * 3600 * 1000);
    expect(decode(d.memo?.fields?.team).value).toBe('ir');
    expect(Buffer.from(d.conflictToken ?? []).length).toBe(8);
    // The response must survive the gRPC layer's encoding.
    const R = temporal.api.workflowservice.v1.DescribeScheduleResponse;
    expect(() => R.encode(R.fromObject(d as Record<string, unknown>)).finish()).not.toThrow();
  });

  it('keeps the original workflow id when the policy says so', async () => {
    const host = new FakeHost();
    const mgr = new ScheduleManager(host);
    const req = createRequest('k');
    req.schedule!.policies!.keepOriginalWorkflowId = true;
    await mgr.create(req);
    await host.advanceTo(at('00:05:00'));
    expect(host.ids()).toEqual(['k-wf']);
  });

  it('stops after the remaining actions are used up', async () => {
    const { host, mgr } = await setup('lim', { remaining: 2, overlap: Overlap.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL });
    expect(mgr.describe({ namespace: 'default', scheduleId: 'lim' }).info?.futureActionTimes).toHaveLength(2);
    await host.advanceTo(at('00:30:00'));
    expect(host.ids()).toEqual(['lim-wf-2026-01-01T00:05:00Z', 'lim-wf-2026-01-01T00:10:00Z']);
    const d = mgr.describe({ namespace: 'default', scheduleId: 'lim' });
    expect(Number(d.schedule?.state?.remainingActions)).toBe(0);
    expect(d.info?.futureActionTimes).toHaveLength(0);
  });

  it('pauses itself when a run fails and pause_on_failure is set', async () => {
    const { host, mgr } = await setup('pf', { pauseOnFailure: true });
    await host.advanceTo(at('00:05:00'));
    await host.close(0, 'Failed');
    const d = mgr.describe({ namespace: 'default', scheduleId: 'pf' });
    expect(d.schedule?.state?.paused).toBe(true);
    expect(d.schedule?.state?.notes).toMatch(/pf-wf-2026-01-01T00:05:00Z/);
    await host.advanceTo(at('00:20:00'));
    expect(host.started).toHaveLength(1);
  });
});

describe('ScheduleManager — overlap policies', () => {
  it('SKIP (default) drops a time while the previous run is open', async () => {
    const { host, mgr } = await setup();
    await host.advanceTo(at('00:10:00'));
    expect(host.ids()).toEqual(['s-wf-2026-01-01T00:05:00Z']);
    expect(Number(mgr.describe({ namespace: 'default', scheduleId: 's' }).info?.overlapSkipped)).toBe(1);
  });

  it('BUFFER_ONE keeps one waiting and skips the rest; it starts when the run closes', async () => {
    const { host, mgr } = await setup('b1', { overlap: Overlap.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE });
    await host.advanceTo(at('00:15:00'));
    expect(host.started).toHaveLength(1);
    const d = mgr.describe({ namespace: 'default', scheduleId: 'b1' });
    expect(Number(d.info?.overlapSkipped)).toBe(1);
    expect(Number(d.info?.bufferSize)).toBe(1);
    await host.close(0);
    expect(host.ids()).toEqual(['b1-wf-2026-01-01T00:05:00Z', 'b1-wf-2026-01-01T00:10:00Z']);
  });

  it('BUFFER_ALL runs every time, one after another', async () => {
    const { host } = await setup('ba', { overlap: Overlap.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL });
    await host.advanceTo(at('00:15:00'));
    expect(host.started).toHaveLength(1);
    await host.close(0);
    expect(host.started).toHaveLength(2);
    await host.close(1);
    expect(host.ids()).toEqual(['ba-wf-2026-01-01T00:05:00Z', 'ba-wf-2026-01-01T00:10:00Z', 'ba-wf-2026-01-01T00:15:00Z']);
  });

  it('CANCEL_OTHER cancels the running workflow and starts the new one once it has closed', async () => {
    const { host } = await setup('co', { overlap: Overlap.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER });
    await host.advanceTo(at('00:10:00'));
    expect(host.cancelled).toEqual(['co-wf-2026-01-01T00:05:00Z']);
    expect(host.started).toHaveLength(1);
    await host.close(0, 'Canceled');
    expect(host.ids()).toEqual(['co-wf-2026-01-01T00:05:00Z', 'co-wf-2026-01-01T00:10:00Z']);
  });

  it('TERMINATE_OTHER terminates the running workflow', async () => {
    const { host } = await setup('to', { overlap: Overlap.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER });
    await host.advanceTo(at('00:10:00'));
    expect(host.terminated).toEqual(['to-wf-2026-01-01T00:05:00Z']);
    expect(host.cancelled).toEqual([]);
    await host.close(0, 'Terminated');
    expect(host.started).toHaveLength(2);
  });

  it('ALLOW_ALL starts every time regardless of open runs', async () => {
    const { host, mgr } = await setup('aa', { overlap: Overlap.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL });
    await host.advanceTo(at('00:15:00'));
    expect(host.started).toHaveLength(3);
    expect(mgr.describe({ namespace: 'default', scheduleId: 'aa' }).info?.runningWorkflows).toHaveLength(3);
  });
});

describe('ScheduleManager — patch', () => {
  it('pause stops actions and records the note; unpause resumes at the next time', async () => {
    const { host, mgr } = await setup();
    await mgr.patch({ namespace: 'default', scheduleId: 's', patch: { pause: 'incident freeze' } });
    let d = mgr.describe({ namespace: 'default', scheduleId: 's' });
    expect(d.schedule?.state).toMatchObject({ paused: true, notes: 'incident freeze' });
    await host.advanceTo(at('00:12:00'));
    expect(host.started).toHaveLength(0);
    await mgr.patch({ namespace: 'default', scheduleId: 's', patch: { unpause: 'freeze over' } });
    d = mgr.describe({ namespace: 'default', scheduleId: 's' });
    expect(d.schedule?.state).toMatchObject({ paused: false, notes: 'freeze over' });
    await host.advanceTo(at('00:15:00'));
    expect(host.ids()).toEqual(['s-wf-2026-01-01T00:15:00Z']);
  });

  it('trigger starts now, even when paused, named after the trigger time', async () => {
    const { host, mgr } = await setup('t', { paused: true });
    host.time = at('00:03:07');
    await mgr.patch({ namespace: 'default', scheduleId: 't', patch: { triggerImmediately: {} } });
    expect(host.ids()).toEqual(['t-wf-2026-01-01T00:03:07Z']);
    expect(Number(mgr.describe({ namespace: 'default', scheduleId: 't' }).info?.actionCount)).toBe(1);
  });

  it('trigger honours its overlap policy', async () => {
    const { host, mgr } = await setup('t2');
    await host.advanceTo(at('00:05:00'));
    host.time = at('00:06:00');
    await mgr.patch({ namespace: 'default', scheduleId: 't2', patch: { triggerImmediately: { overlapPolicy: Overlap.SCHEDULE_OVERLAP_POLICY_SKIP } } });
    expect(host.started).toHaveLength(1);
    await mgr.patch({ namespace: 'default', scheduleId: 't2', patch: { triggerImmediately: { overlapPolicy: Overlap.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL } } });
    expect(host.ids()).toEqual(['t2-wf-2026-01-01T00:05:00Z', 't2-wf-2026-01-01T00:06:00Z']);
  });

  it('backfill runs every nominal time in [start, end], start inclusive', async () => {
    const { host, mgr } = await setup('bf');
    await mgr.patch({
      namespace: 'default',
      scheduleId: 'bf',
      patch: {
        backfillRequest: [
          { startTime: msToProtoTime(Date.parse('2025-12-31T23:00:00Z')), endTime: msToProtoTime(Date.parse('2025-12-31T23:10:00Z')), overlapPolicy: Overlap.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL },
        ],
      },
    });
    expect(host.ids()).toEqual(['bf-wf-2025-12-31T23:00:00Z', 'bf-wf-2025-12-31T23:05:00Z', 'bf-wf-2025-12-31T23:10:00Z']);
  });
});

describe('ScheduleManager — lifecycle and errors', () => {
  it('rejects duplicates, bad specs and incomplete actions with the right status', async () => {
    const { mgr } = await setup();
    await expectCode(mgr.create(createRequest('s')), status.ALREADY_EXISTS);
    await expectCode(mgr.create(createRequest('bad', { cron: '61 * * * *' })), status.INVALID_ARGUMENT, /^Invalid schedule spec: minute value 61/);
    const noType = createRequest('nt');
    noType.schedule!.action!.startWorkflow!.workflowType = null;
    await expectCode(mgr.create(noType), status.INVALID_ARGUMENT, /workflow_type/);
    await expectCode(() => mgr.describe({ namespace: 'default', scheduleId: 'missing' }), status.NOT_FOUND);
    await expectCode(() => mgr.describe({ namespace: 'other', scheduleId: 's' }), status.NOT_FOUND);
  });

  it('update replaces the spec; a stale conflict token is refused', async () => {
    const { host, mgr } = await setup();
    const before = mgr.describe({ namespace: 'default', scheduleId: 's' });
    const req = createRequest('s', { cron: '0 * * * *' });
    await mgr.update({ namespace: 'default', scheduleId: 's', schedule: req.schedule!, conflictToken: before.conflictToken! });
    const after = mgr.describe({ namespace: 'default', scheduleId: 's' });
    expect(after.info?.futureActionTimes?.[0] && tsMs(after.info.futureActionTimes[0])).toBe(at('01:00:00'));
    expect(after.info?.updateTime).toBeTruthy();
    await expectCode(
      mgr.update({ namespace: 'default', scheduleId: 's', schedule: req.schedule!, conflictToken: before.conflictToken! }),
      status.FAILED_PRECONDITION,
      /conflict token/,
    );
    await host.advanceTo(at('00:59:59'));
    expect(host.started).toHaveLength(0);
    await host.advanceTo(at('01:00:00'));
    expect(host.ids()).toEqual(['s-wf-2026-01-01T01:00:00Z']);
  });

  it('delete stops firing and frees the id', async () => {
    const { host, mgr } = await setup();
    await mgr.delete({ namespace: 'default', scheduleId: 's' });
    await host.advanceTo(at('00:30:00'));
    expect(host.started).toHaveLength(0);
    await expectCode(() => mgr.describe({ namespace: 'default', scheduleId: 's' }), status.NOT_FOUND);
    await expectCode(mgr.delete({ namespace: 'default', scheduleId: 's' }), status.NOT_FOUND);
    await mgr.create(createRequest('s'));
    await host.advanceTo(at('00:35:00'));
    expect(host.ids()).toEqual(['s-wf-2026-01-01T00:35:00Z']);
  });

  it('lists in id order, page by page, filtered by a query', async () => {
    const host = new FakeHost();
    const mgr = new ScheduleManager(host);
    for (const id of ['c', 'a', 'b']) await mgr.create(createRequest(id));
    await mgr.patch({ namespace: 'default', scheduleId: 'b', patch: { pause: 'x' } });
    const page1 = mgr.list({ namespace: 'default', maximumPageSize: 2 });
    expect(page1.schedules?.map((s) => s.scheduleId)).toEqual(['a', 'b']);
    const page2 = mgr.list({ namespace: 'default', maximumPageSize: 2, nextPageToken: page1.nextPageToken! });
    expect(page2.schedules?.map((s) => s.scheduleId)).toEqual(['c']);
    expect(page2.nextPageToken).toHaveLength(0);
    const entry = page1.schedules![1]!;
    expect(entry.info).toMatchObject({ paused: true, notes: 'x', workflowType: { name: 'DrillWorkflow' } });
    expect(entry.info?.futureActionTimes).toHaveLength(10);
    expect(mgr.list({ namespace: 'default', query: "ScheduleId = 'c'" }).schedules?.map((s) => s.scheduleId)).toEqual(['c']);
    expect(mgr.list({ namespace: 'default', query: 'TemporalSchedulePaused = true' }).schedules?.map((s) => s.scheduleId)).toEqual(['b']);
    expect(mgr.list({ namespace: 'default', query: "Env = 'staging' AND ScheduleId != 'a'" }).schedules?.map((s) => s.scheduleId)).toEqual(['b', 'c']);
    expect(() => mgr.list({ namespace: 'default', query: "Nope = 'x'" })).toThrow(/unknown search attribute 'Nope'/);
    await expectCode(() => mgr.list({ namespace: 'default', query: "Nope = 'x'" }), status.INVALID_ARGUMENT);
    expect(mgr.list({ namespace: 'elsewhere' }).schedules).toEqual([]);
  });

  it('lists matching times in (start, end]', async () => {
    const { mgr } = await setup();
    const res = mgr.listMatchingTimes({ namespace: 'default', scheduleId: 's', startTime: msToProtoTime(at('00:05:00')), endTime: msToProtoTime(at('00:20:00')) });
    expect(res.startTime?.map(tsMs)).toEqual([at('00:10:00'), at('00:15:00'), at('00:20:00')]);
  });
});

describe('ScheduleManager — restart', () => {
  it('continues after restore without firing an action twice', async () => {
    const { host, mgr } = await setup('r', { overlap: Overlap.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL });
    await host.advanceTo(at('00:05:00'));
    expect(host.started).toHaveLength(1);
    await mgr.close();
    host.forgetListeners();

    const mgr2 = new ScheduleManager(host);
    await mgr2.restore(host.records);
    expect(host.started).toHaveLength(1);
    const d = mgr2.describe({ namespace: 'default', scheduleId: 'r' });
    expect(Number(d.info?.actionCount)).toBe(1);
    expect(d.info?.runningWorkflows).toEqual([{ workflowId: 'r-wf-2026-01-01T00:05:00Z', runId: 'run-1' }]);
    await host.advanceTo(at('00:10:00'));
    expect(host.ids()).toEqual(['r-wf-2026-01-01T00:05:00Z', 'r-wf-2026-01-01T00:10:00Z']);
    // The restored manager follows runs started before the restart.
    await host.close(0);
    expect(mgr2.describe({ namespace: 'default', scheduleId: 'r' }).info?.runningWorkflows).toHaveLength(1);
    await mgr2.close();
  });

  it('re-issues a start that was in flight at the crash exactly once', async () => {
    const { host, mgr } = await setup('c');
    host.hangStarts = true;
    await host.advanceTo(at('00:05:00'));
    void mgr.close();
    host.forgetListeners();
    host.hangStarts = false;

    const mgr2 = new ScheduleManager(host);
    await mgr2.restore(host.records);
    expect(host.ids()).toEqual(['c-wf-2026-01-01T00:05:00Z']);
    // A third life: the start went through before the crash, so the retry is a duplicate.
    const mgr3 = new ScheduleManager(host);
    await mgr3.restore(host.records.slice(0, host.records.length - 1));
    expect(host.ids()).toEqual(['c-wf-2026-01-01T00:05:00Z']);
  });

  it('catches up on missed times inside the catch-up window only', async () => {
    const { host, mgr } = await setup('cu', { overlap: Overlap.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL, catchupMs: 10 * 60_000 });
    await mgr.close();
    host.forgetListeners();
    host.time = at('01:02:00');

    const mgr2 = new ScheduleManager(host);
    await mgr2.restore(host.records);
    expect(host.ids()).toEqual(['cu-wf-2026-01-01T00:55:00Z', 'cu-wf-2026-01-01T01:00:00Z']);
    expect(Number(mgr2.describe({ namespace: 'default', scheduleId: 'cu' }).info?.missedCatchupWindow)).toBe(10);
  });

  it('a deleted schedule stays deleted after restore', async () => {
    const { host, mgr } = await setup('d');
    await mgr.delete({ namespace: 'default', scheduleId: 'd' });
    const mgr2 = new ScheduleManager(host);
    await mgr2.restore(host.records);
    await expectCode(() => mgr2.describe({ namespace: 'default', scheduleId: 'd' }), status.NOT_FOUND);
  });
});
