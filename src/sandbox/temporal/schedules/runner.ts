/**
 * One schedule at run time: turns due nominal times into buffered starts, applies overlap
 * policies, starts workflows through the host, follows them until they close, and journals its
 * state after every change. All work for one schedule runs one task at a time, in order.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Logger } from '../../../log/logger';
import { asLong, compileScheduleSpec, protoTimeToMs, type CompiledScheduleSpec } from '../schedule-spec';
import type { ExecutionStatusName } from '../visibility-query';
import { MAX_BUFFER_SIZE, OverlapPolicy, processBuffer, resolveOverlapPolicy, type BufferedStart } from './buffer';
import { searchAttributePayload, snapshotRecord } from './codec';
import type { ScheduleHost, ScheduleSnapshot } from './types';

/** Catch-up window when the schedule sets none (the real server's default). */
export const DEFAULT_CATCHUP_WINDOW_MS = 365 * 24 * 3600 * 1000;
/** The server raises shorter catch-up windows to this. */
export const MIN_CATCHUP_WINDOW_MS = 10_000;
/** How many recent actions `info.recent_actions` keeps. */
export const RECENT_ACTIONS = 10;
/** Due times looked at in one wake-up; beyond this a long outage is skipped rather than replayed. */
const MAX_TIMES_PER_WAKEUP = 100_000;

/** Workflow id suffix: the nominal time as RFC 3339 UTC to the second. */
export function nominalTimeSuffix(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function isAlreadyStarted(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === GrpcStatus.ALREADY_EXISTS;
}

/**
 * Runs one schedule: owns its journaled {@link ScheduleSnapshot}, its compiled spec and its
 * wake-up timer, and serialises every change to them through {@link ScheduleRunner.run}.
 */
export class ScheduleRunner {
  compiled: CompiledScheduleSpec;
  private cancelTimer: (() => void) | undefined;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private lastSnapshot: string | undefined;

  constructor(
    public state: ScheduleSnapshot,
    private readonly host: ScheduleHost,
    private readonly logger: Logger,
    /** Runs that closed before their start call returned, keyed `workflowId/runId`. */
    private readonly closedEarly: Map<string, ExecutionStatusName>,
  ) {
    this.compiled = compileScheduleSpec(state.schedule.spec ?? {});
  }

  get key(): string {
    return `${this.state.namespace}\u0000${this.state.scheduleId}`;
  }

  /**
   * Queues work behind everything already queued for this schedule. Errors are logged, or, with
   * `rethrow`, handed to the caller (a request that must fail); the queue goes on either way.
   */
  run(task: () => Promise<void> | void, rethrow = false): Promise<void> {
    const next = this.chain.then(async () => {
      if (this.stopped) return;
      try {
        await task();
      } catch (err) {
        if (rethrow) throw err;
        this.logger.error({ err, scheduleId: this.state.scheduleId }, 'schedule task failed');
      }
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Stops firing (delete or shutdown); waits for the task in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.chain;
  }

  /** Journals the state if it changed since the last record (every record holds the whole state). */
  persist(): void {
    const record = snapshotRecord(this.state);
    if (record.snapshot === this.lastSnapshot) return;
    this.lastSnapshot = record.snapshot;
    this.host.journal(record);
  }

  catchupWindowMs(): number {
    const cw = protoTimeToMs(this.state.schedule.policies?.catchupWindow);
    return cw === undefined || cw <= 0 ? DEFAULT_CATCHUP_WINDOW_MS : Math.max(cw, MIN_CATCHUP_WINDOW_MS);
  }

  defaultOverlapPolicy(): OverlapPolicy {
    return resolveOverlapPolicy(this.state.schedule.policies?.overlapPolicy);
  }

  /** Buffers every nominal time that came due since the last wake-up, then acts on the buffer. */
  async process(): Promise<void> {
    const now = this.host.now();
    const s = this.state;
    const window = this.catchupWindowMs();
    const policy = this.defaultOverlapPolicy();
    let looked = 0;
    for (let t = this.compiled.next(s.lastProcessed); t !== undefined && t <= now; ) {
      if (++looked > MAX_TIMES_PER_WAKEUP) {
        this.logger.warn({ scheduleId: s.scheduleId }, 'too many due times after an outage; skipping the rest');
        break;
      }
      if (now - t > window) {
        s.missedCatchupWindow++;
        // Jump over the rest of a long outage instead of counting it second by second.
        t = looked > 10_000 ? this.compiled.next(Math.max(t, now - window)) : this.compiled.next(t);
        continue;
      }
      if (s.buffer.length >= MAX_BUFFER_SIZE) s.bufferDropped++;
      else s.buffer.push({ nominal: t, actual: t, overlapPolicy: policy, manual: false });
      t = this.compiled.next(t);
    }
    s.lastProcessed = Math.max(s.lastProcessed, now);
    await this.drain();
  }

  /** Adds a trigger or backfill start and acts on the buffer. */
  async addManual(starts: BufferedStart[]): Promise<void> {
    this.state.buffer.push(...starts);
    await this.drain();
  }

  /** Applies overlap policies to the buffer, starts what may start, and re-arms the timer. */
  async drain(): Promise<void> {
    const s = this.state;
    // Starts decided before a restart go first; their fixed workflow ids keep them from running twice.
    await this.startPending();
    s.running = s.running.filter((r) => this.host.isRunning(s.namespace, r.workflowId, r.runId));
    const d = processBuffer(s.buffer, s.running.some((r) => !r.overlapping));
    s.buffer = d.keep;
    s.overlapSkipped += d.overlapSkipped;
    s.bufferDropped += d.bufferDropped;
    for (const start of d.start) {
      if (!start.manual) {
        if (s.schedule.state?.paused) continue;
        if (s.schedule.state?.limitedActions) {
          if (Number(s.schedule.state.remainingActions ?? 0) <= 0) continue;
          s.schedule.state.remainingActions = asLong(Number(s.schedule.state.remainingActions) - 1);
        }
      }
      s.pending.push(start);
    }
    this.persist();
    if (d.cancelRunning || d.terminateRunning) await this.stopRunning(d.terminateRunning);
    await this.startPending();
    this.arm();
  }

  private async stopRunning(terminate: boolean): Promise<void> {
    const s = this.state;
    const reason = `overlap policy of schedule ${s.scheduleId}`;
    for (const r of s.running.filter((x) => !x.overlapping)) {
      try {
        if (terminate) await this.host.terminateWorkflow(s.namespace, r.workflowId, r.runId, reason);
        else await this.host.cancelWorkflow(s.namespace, r.workflowId, r.runId, reason);
      } catch (err) {
        this.logger.warn({ err, scheduleId: s.scheduleId, workflowId: r.workflowId }, 'could not stop the running workflow');
      }
    }
  }

  private async startPending(): Promise<void> {
    const s = this.state;
    while (s.pending.length > 0) {
      await this.startOne(s.pending[0] as BufferedStart);
      s.pending.shift();
      this.persist();
    }
  }

  private async startOne(start: BufferedStart): Promise<void> {
    const s = this.state;
    const action = s.schedule.action?.startWorkflow;
    if (!action) return;
    const baseId = action.workflowId ?? `${s.scheduleId}-workflow`;
    const workflowId = s.schedule.policies?.keepOriginalWorkflowId ? baseId : `${baseId}-${nominalTimeSuffix(start.nominal)}`;
    const indexedFields = {
      ...(action.searchAttributes?.indexedFields ?? {}),
      TemporalScheduledStartTime: searchAttributePayload(new Date(start.nominal).toISOString(), 'Datetime'),
      TemporalScheduledById: searchAttributePayload(s.scheduleId, 'Keyword'),
    };
    let runId: string;
    try {
      ({ runId } = await this.host.startWorkflow(s.namespace, workflowId, action, {
        searchAttributes: { indexedFields },
        ...(action.memo ? { memo: action.memo } : {}),
      }));
    } catch (err) {
      if (isAlreadyStarted(err)) {
        this.logger.info({ scheduleId: s.scheduleId, workflowId }, 'scheduled workflow already started; not starting it again');
      } else {
        this.logger.warn({ err, scheduleId: s.scheduleId, workflowId }, 'scheduled workflow did not start');
      }
      return;
    }
    s.actionCount++;
    const early = this.closedEarly.get(`${workflowId}/${runId}`);
    this.closedEarly.delete(`${workflowId}/${runId}`);
    s.recentActions.push({ scheduleTime: start.nominal, actualTime: this.host.now(), workflowId, runId, status: early ?? 'Running' });
    if (s.recentActions.length > RECENT_ACTIONS) s.recentActions.splice(0, s.recentActions.length - RECENT_ACTIONS);
    if (early) this.afterClose(workflowId, early);
    else s.running.push({ workflowId, runId, overlapping: start.overlapPolicy === OverlapPolicy.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL });
  }

  /** True when this schedule is following that run. */
  follows(workflowId: string, runId: string): boolean {
    return this.state.running.some((r) => r.workflowId === workflowId && r.runId === runId);
  }

  /** A workflow this schedule started has closed. */
  workflowClosed(workflowId: string, runId: string, status: ExecutionStatusName): Promise<void> {
    return this.run(async () => {
      const s = this.state;
      s.running = s.running.filter((r) => !(r.workflowId === workflowId && r.runId === runId));
      const recent = s.recentActions.find((a) => a.workflowId === workflowId && a.runId === runId);
      if (recent) recent.status = status;
      this.afterClose(workflowId, status);
      await this.drain();
    });
  }

  private afterClose(workflowId: string, status: ExecutionStatusName): void {
    const state = this.state.schedule.state ?? (this.state.schedule.state = {});
    if (this.state.schedule.policies?.pauseOnFailure && (status === 'Failed' || status === 'TimedOut')) {
      state.paused = true;
      state.notes = `Schedule paused due to workflow failure: ${workflowId}: ${status}`;
      this.logger.info({ scheduleId: this.state.scheduleId, workflowId }, 'schedule paused after a failed run');
    }
  }

  /** Sets the wake-up for the next nominal time. */
  arm(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.stopped) return;
    const at = this.compiled.next(this.state.lastProcessed);
    if (at === undefined) return;
    this.cancelTimer = this.host.setTimer(at, () => {
      this.cancelTimer = undefined;
      void this.run(() => this.process());
    });
  }

  /** The next `n` action times from now, fewer when the remaining actions are limited. */
  futureActionTimes(n = 10): number[] {
    const st = this.state.schedule.state;
    const limit = st?.limitedActions ? Math.min(n, Math.max(0, Number(st.remainingActions ?? 0))) : n;
    const out: number[] = [];
    for (let t = this.compiled.next(Math.max(this.state.lastProcessed, this.host.now())); t !== undefined && out.length < limit; t = this.compiled.next(t)) {
      out.push(t);
    }
    return out;
  }
}
