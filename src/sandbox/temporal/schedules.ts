/**
 * The sandbox's schedules: the WorkflowService schedule RPCs (create, describe, list, update,
 * patch, delete, list matching times) over {@link ScheduleRunner}s, which take the actions. The
 * gRPC layer hands in decoded requests and encodes the returned plain objects with `fromObject`.
 */
import { temporal } from '@temporalio/proto';
import { silentLogger, type Logger } from '../../log/logger';
import { serviceErrors, TemporalServiceError } from './errors';
import { compileScheduleSpec, msToProtoTime, protoTimeToMs, ScheduleSpecError, type CompiledScheduleSpec } from './schedule-spec';
import { OverlapPolicy, resolveOverlapPolicy, type BufferedStart } from './schedules/buffer';
import { encodeConflictToken, isScheduleRecord, readSnapshot } from './schedules/codec';
import { ScheduleRunner } from './schedules/runner';
import type { ScheduleHost, ScheduleSnapshot } from './schedules/types';
import { describeView, listEntryView, scheduleAttributeTypes, scheduleRecord } from './schedules/views';
import { compileVisibilityQuery, VisibilityQueryError, type ExecutionStatusName } from './visibility-query';

export type { ScheduleHost, ScheduleJournalRecord, ScheduleSnapshot } from './schedules/types';
export { DEFAULT_CATCHUP_WINDOW_MS, nominalTimeSuffix } from './schedules/runner';


/** Page size of ListSchedules when the client names none. */
const DEFAULT_PAGE_SIZE = 1000;
/** Most times one ListScheduleMatchingTimes or backfill request may cover. */
const MAX_MATCHING_TIMES = 1000;

function namespaceOf(req: { namespace?: string | null }): string {
  return req.namespace || 'default';
}

function specOrInvalid(spec: temporal.api.schedule.v1.IScheduleSpec | null | undefined): CompiledScheduleSpec {
  try {
    return compileScheduleSpec(spec ?? {});
  } catch (err) {
    if (err instanceof ScheduleSpecError) throw serviceErrors.invalidArgument(`Invalid schedule spec: ${err.message}`);
    throw err;
  }
}

function checkAction(schedule: temporal.api.schedule.v1.ISchedule | null | undefined): temporal.api.workflow.v1.INewWorkflowExecutionInfo {
  const start = schedule?.action?.startWorkflow;
  if (!start) throw serviceErrors.invalidArgument('schedule action must be start_workflow');
  if (!start.workflowId) throw serviceErrors.invalidArgument('schedule action needs a workflow_id');
  if (!start.workflowType?.name) throw serviceErrors.invalidArgument('schedule action needs a workflow_type');
  if (!start.taskQueue?.name) throw serviceErrors.invalidArgument('schedule action needs a task_queue');
  return start;
}

function conflictTokenNumber(token: Uint8Array | null | undefined): number | undefined {
  if (!token || token.length === 0) return undefined;
  if (token.length !== 8) return -1;
  return Number(Buffer.from(token).readBigInt64BE());
}

/** Schedule state and the schedule RPCs; see the module comment. */
export class ScheduleManager {
  private readonly runners = new Map<string, ScheduleRunner>();
  private readonly closedEarly = new Map<string, ExecutionStatusName>();
  private closed = false;

  constructor(
    private readonly host: ScheduleHost,
    private readonly logger: Logger = silentLogger,
  ) {
    host.onWorkflowClosed((namespace, workflowId, runId, status) => this.workflowClosed(namespace, workflowId, runId, status));
  }

  private key(namespace: string, scheduleId: string): string {
    return `${namespace}\u0000${scheduleId}`;
  }

  private get(req: { namespace?: string | null; scheduleId?: string | null }): ScheduleRunner {
    const r = this.runners.get(this.key(namespaceOf(req), req.scheduleId ?? ''));
    if (!r || this.closed) throw serviceErrors.notFound(`schedule not found: ${req.scheduleId ?? ''}`);
    return r;
  }

  private workflowClosed(namespace: string, workflowId: string, runId: string, status: ExecutionStatusName): void {
    if (this.closed) return;
    for (const r of this.runners.values()) {
      if (r.state.namespace === namespace && r.follows(workflowId, runId)) {
        void r.workflowClosed(workflowId, runId, status);
        return;
      }
    }
    // The start call may not have returned yet; remember the outcome briefly for it.
    if (workflowId.length > 0) {
      this.closedEarly.set(`${workflowId}/${runId}`, status);
      if (this.closedEarly.size > 1000) this.closedEarly.delete(this.closedEarly.keys().next().value as string);
    }
  }

  /** CreateSchedule. */
  async create(req: temporal.api.workflowservice.v1.ICreateScheduleRequest): Promise<temporal.api.workflowservice.v1.ICreateScheduleResponse> {
    const namespace = namespaceOf(req);
    const scheduleId = req.scheduleId ?? '';
    if (!scheduleId) throw serviceErrors.invalidArgument('schedule_id is required');
    checkAction(req.schedule);
    const compiled = specOrInvalid(req.schedule?.spec);
    const key = this.key(namespace, scheduleId);
    if (this.runners.has(key)) throw serviceErrors.alreadyExists(`schedule ${scheduleId} is already registered`);
    const now = this.host.now();
    const schedule = temporal.api.schedule.v1.Schedule.fromObject({ ...(req.schedule ?? {}), spec: compiled.canonical });
    const snapshot: ScheduleSnapshot = {
      namespace,
      scheduleId,
      schedule,
      memo: req.memo ?? null,
      searchAttributes: req.searchAttributes ?? null,
      createTime: now,
      updateTime: null,
      conflictToken: 1,
      lastProcessed: now,
      actionCount: 0,
      missedCatchupWindow: 0,
      overlapSkipped: 0,
      bufferDropped: 0,
      recentActions: [],
      running: [],
      buffer: [],
      pending: [],
    };
    const runner = new ScheduleRunner(snapshot, this.host, this.logger, this.closedEarly);
    this.runners.set(key, runner);
    runner.persist();
    runner.arm();
    this.logger.info({ namespace, scheduleId }, 'schedule created');
    if (req.initialPatch) await this.applyPatch(runner, req.initialPatch);
    return { conflictToken: encodeConflictToken(snapshot.conflictToken) };
  }

  /** DescribeSchedule. */
  describe(req: temporal.api.workflowservice.v1.IDescribeScheduleRequest): temporal.api.workflowservice.v1.IDescribeScheduleResponse {
    return describeView(this.get(req));
  }

  /** ListSchedules: ordered by schedule id; the page token is the last id returned. */
  list(req: temporal.api.workflowservice.v1.IListSchedulesRequest): temporal.api.workflowservice.v1.IListSchedulesResponse {
    const namespace = namespaceOf(req);
    const inNamespace = [...this.runners.values()].filter((r) => r.state.namespace === namespace);
    let matches = (_r: ScheduleRunner) => true;
    if (req.query && req.query.trim() !== '') {
      const known = new Map(inNamespace.flatMap((r) => [...scheduleAttributeTypes(r)]));
      try {
        const q = compileVisibilityQuery(req.query, (name) => this.host.searchAttributeType?.(namespace, name) ?? known.get(name), {
          fieldAliases: { ScheduleId: 'WorkflowId' },
        });
        matches = (r) => q.matches(scheduleRecord(r));
      } catch (err) {
        if (err instanceof VisibilityQueryError) throw serviceErrors.invalidArgument(err.message);
        throw err;
      }
    }
    const after = req.nextPageToken && req.nextPageToken.length > 0 ? Buffer.from(req.nextPageToken).toString('utf8') : undefined;
    const size = req.maximumPageSize && req.maximumPageSize > 0 ? req.maximumPageSize : DEFAULT_PAGE_SIZE;
    const sorted = inNamespace
      .filter((r) => after === undefined || r.state.scheduleId > after)
      .sort((a, b) => (a.state.scheduleId < b.state.scheduleId ? -1 : a.state.scheduleId > b.state.scheduleId ? 1 : 0))
      .filter(matches);
    const page = sorted.slice(0, size);
    const more = sorted.length > size;
    return {
      schedules: page.map(listEntryView),
      nextPageToken: more ? Buffer.from(page[page.length - 1]?.state.scheduleId ?? '') : Buffer.alloc(0),
    };
  }

  /** UpdateSchedule: replaces spec, action, policies and state; a stale conflict token fails. */
  async update(req: temporal.api.workflowservice.v1.IUpdateScheduleRequest): Promise<temporal.api.workflowservice.v1.IUpdateScheduleResponse> {
    const runner = this.get(req);
    checkAction(req.schedule);
    const compiled = specOrInvalid(req.schedule?.spec);
    const token = conflictTokenNumber(req.conflictToken);
    await runner.run(async () => {
      const s = runner.state;
      if (token !== undefined && token !== s.conflictToken) {
        throw serviceErrors.failedPrecondition(`conflict token mismatch: schedule ${s.scheduleId} was changed since it was read`);
      }
      s.schedule = temporal.api.schedule.v1.Schedule.fromObject({ ...(req.schedule ?? {}), spec: compiled.canonical });
      runner.compiled = compiled;
      if (req.searchAttributes) s.searchAttributes = req.searchAttributes;
      if (req.memo) s.memo = req.memo;
      s.conflictToken++;
      s.updateTime = this.host.now();
      await runner.process();
    }, true);
    return {};
  }

  /** PatchSchedule: pause, unpause, trigger now, backfill. */
  async patch(req: temporal.api.workflowservice.v1.IPatchScheduleRequest): Promise<temporal.api.workflowservice.v1.IPatchScheduleResponse> {
    const runner = this.get(req);
    await this.applyPatch(runner, req.patch ?? {});
    return {};
  }

  private async applyPatch(runner: ScheduleRunner, patch: temporal.api.schedule.v1.ISchedulePatch): Promise<void> {
    const manual: BufferedStart[] = [];
    const now = this.host.now();
    const policy = runner.defaultOverlapPolicy();
    if (patch.triggerImmediately) {
      const nominal = protoTimeToMs(patch.triggerImmediately.scheduledTime) ?? now;
      manual.push({ nominal, actual: now, overlapPolicy: resolveOverlapPolicy(patch.triggerImmediately.overlapPolicy, policy), manual: true });
    }
    for (const b of patch.backfillRequest ?? []) {
      const from = protoTimeToMs(b.startTime);
      const to = protoTimeToMs(b.endTime);
      if (from === undefined || to === undefined || to < from) throw serviceErrors.invalidArgument('backfill needs start_time <= end_time');
      // The start is inclusive; matchingTimes is exclusive at its lower end.
      const times = runner.compiled.matchingTimes(from - 1, to, MAX_MATCHING_TIMES);
      const overlapPolicy = resolveOverlapPolicy(b.overlapPolicy, policy);
      for (const t of times) manual.push({ nominal: t, actual: now, overlapPolicy, manual: true });
    }
    await runner.run(async () => {
      const st = runner.state.schedule.state ?? (runner.state.schedule.state = {});
      if (patch.pause) {
        st.paused = true;
        st.notes = patch.pause;
      }
      if (patch.unpause) {
        st.paused = false;
        st.notes = patch.unpause;
      }
      if (patch.pause || patch.unpause) runner.state.updateTime = now;
      await runner.addManual(manual);
    });
  }

  /** DeleteSchedule: stops future actions; workflows already started keep running. */
  async delete(req: temporal.api.workflowservice.v1.IDeleteScheduleRequest): Promise<temporal.api.workflowservice.v1.IDeleteScheduleResponse> {
    const runner = this.get(req);
    this.runners.delete(runner.key);
    await runner.stop();
    this.host.journal({ type: 'schedule.delete', namespace: runner.state.namespace, scheduleId: runner.state.scheduleId });
    this.logger.info({ namespace: runner.state.namespace, scheduleId: runner.state.scheduleId }, 'schedule deleted');
    return {};
  }

  /** ListScheduleMatchingTimes: nominal times in (start_time, end_time]. */
  listMatchingTimes(req: temporal.api.workflowservice.v1.IListScheduleMatchingTimesRequest): temporal.api.workflowservice.v1.IListScheduleMatchingTimesResponse {
    const runner = this.get(req);
    const from = protoTimeToMs(req.startTime);
    const to = protoTimeToMs(req.endTime);
    if (from === undefined || to === undefined || to < from) throw serviceErrors.invalidArgument('start_time and end_time are required, start_time <= end_time');
    return { startTime: runner.compiled.matchingTimes(from, to, MAX_MATCHING_TIMES).map(msToProtoTime) };
  }

  /**
   * Rebuilds state from journal records (those this manager wrote; others are ignored), then
   * catches up: re-issues starts decided before the restart (their workflow ids make them
   * idempotent) and runs the actions that came due while the server was down, within each
   * schedule's catch-up window. Resolves once that catch-up has been done.
   */
  async restore(records: readonly unknown[]): Promise<void> {
    const snapshots = new Map<string, ScheduleSnapshot>();
    for (const rec of records) {
      if (!isScheduleRecord(rec)) continue;
      if (rec.type === 'schedule.delete') {
        snapshots.delete(this.key(rec.namespace, rec.scheduleId));
        continue;
      }
      try {
        const snap = readSnapshot(rec.snapshot);
        snapshots.set(this.key(snap.namespace, snap.scheduleId), snap);
      } catch (err) {
        this.logger.warn({ err }, 'unreadable schedule record in the journal; skipped');
      }
    }
    const restored: ScheduleRunner[] = [];
    for (const [key, snap] of snapshots) {
      try {
        const runner = new ScheduleRunner(snap, this.host, this.logger, this.closedEarly);
        this.runners.get(key)?.stop().catch(() => undefined);
        this.runners.set(key, runner);
        restored.push(runner);
      } catch (err) {
        this.logger.warn({ err, scheduleId: snap.scheduleId }, 'schedule in the journal no longer compiles; skipped');
      }
    }
    await Promise.all(restored.map((r) => r.run(() => r.process())));
  }

  /** Stops every schedule's timer and waits for work in progress. State stays in the journal. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
  }
}

export { OverlapPolicy, TemporalServiceError };
