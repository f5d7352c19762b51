import { randomUUID } from 'node:crypto';
import type { Logger } from '../../log/logger';
import type { ServerClock } from './clock';
import { serviceErrors } from './errors';
import { applyEvent } from './history/apply';
import { assertAppendable, attributesKey } from './history/invariants';
import type { Journal, JournalRecord } from './journal';
import { TaskMatcher } from './matching';
import type { ExecutionStatusName, PendingQuery, Run } from './model';
import { enforceHistoryLimit, refuseGrowth, watchHistoryLimits } from './history/limits';
import { resolveLimits, type TemporalLimits } from './limits';
import { encodeEvent, timestamp, temporal, type IHistoryEvent, type Loose } from './proto';
import { SearchAttributeRegistry } from './search-attributes';

const HistoryEvent = temporal.api.history.v1.HistoryEvent;

type PollWft = Loose<temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse>;
type PollAct = Loose<temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse>;

/** A registered namespace and the executions in it. */
export interface NamespaceState {
  name: string;
  id: string;
  /** workflowId → runs, oldest first; the last is the current run. */
  executions: Map<string, Run[]>;
  searchAttributes: SearchAttributeRegistry;
}

/** Listener for run closes (schedules track their running workflows with it). */
export type CloseListener = (namespace: string, workflowId: string, runId: string, status: ExecutionStatusName) => void;

/**
 * Shared state of the sandbox server: namespaces, runs, task queues, clock and journal. The
 * behaviour lives in the modules beside it (workflow-task, commands, activity-task, timers,
 * children, …), which take the engine as their first argument.
 */
export class Engine {
  readonly namespaces = new Map<string, NamespaceState>();
  readonly runs = new Map<string, Run>();
  readonly workflowTasks = new TaskMatcher<PollWft>(55_000);
  readonly activityTasks = new TaskMatcher<PollAct>(55_000);
  readonly closeListeners: CloseListener[] = [];
  /** Query tasks handed to workers, by token id, awaiting RespondQueryTaskCompleted. */
  readonly pendingQueries = new Map<string, PendingQuery>();
  /** Set by close(): long polls answer at once. */
  closing = false;
  /** Set while replaying the journal: nothing is re-journaled and no side effects run. */
  restoring = false;

  /** Runs that crossed a hard history limit, terminated once the current operation is done. */
  private readonly overLimit = new Set<Run>();

  constructor(
    readonly clock: ServerClock,
    readonly logger: Logger,
    private readonly journal: Journal | undefined,
    /** Size and history limits (the real server's defaults unless the start options lower them). */
    readonly limits: TemporalLimits = resolveLimits(),
  ) {}

  /** Appends to the journal unless replaying it. */
  record(record: JournalRecord): void {
    if (!this.restoring) this.journal?.append(record);
  }

  /** The namespace, created on first use (DescribeNamespace auto-registers any name). */
  namespace(name: string): NamespaceState {
    let ns = this.namespaces.get(name);
    if (!ns) {
      ns = { name, id: randomUUID(), executions: new Map(), searchAttributes: new SearchAttributeRegistry() };
      this.namespaces.set(name, ns);
      this.record({ k: 'ns', name, id: ns.id });
    }
    return ns;
  }

  /** The namespace if registered; NOT_FOUND like the real frontend otherwise. */
  existingNamespace(name: string | null | undefined): NamespaceState {
    if (!name) throw serviceErrors.invalidArgument('namespace is required');
    const ns = this.namespaces.get(name);
    if (!ns) throw serviceErrors.notFound(`Namespace ${name} is not found.`);
    return ns;
  }

  /** A run by id, or the current run of the workflow; NOT_FOUND if neither exists. */
  findRun(namespace: string, workflowId: string | null | undefined, runId?: string | null): Run {
    if (!workflowId) throw serviceErrors.invalidArgument('workflow_id is required');
    const ns = this.existingNamespace(namespace);
    const runs = ns.executions.get(workflowId);
    const run = runId ? runs?.find((r) => r.runId === runId) : runs?.[runs.length - 1];
    if (!run) throw serviceErrors.notFound(`workflow execution not found for workflow ID "${workflowId}" and run ID "${runId ?? ''}"`);
    return run;
  }

  /** The current run of a workflow id, if any. */
  currentRun(namespace: string, workflowId: string): Run | undefined {
    const runs = this.namespaces.get(namespace)?.executions.get(workflowId);
    return runs?.[runs.length - 1];
  }

  /** Registers a new run (its first event is appended by the caller). */
  addRun(run: Run): void {
    const ns = this.namespace(run.namespace);
    const runs = ns.executions.get(run.workflowId) ?? [];
    runs.push(run);
    ns.executions.set(run.workflowId, runs);
    this.runs.set(run.runId, run);
  }

  /**
   * Appends an event to a run's history: assigns id and time, checks the invariants, journals it
   * and folds it into the run's state. Wakes history long polls.
   */
  append(run: Run, partial: IHistoryEvent, extra?: { requestId?: string }): IHistoryEvent {
    const event: IHistoryEvent = { ...partial, eventId: run.events.length + 1, eventTime: partial.eventTime ?? timestamp(this.clock.now()) };
    assertAppendable(run.events, event);
    if (run.events.length === 0 && !this.runs.has(run.runId)) this.addRun(run);
    // Encoded once: the bytes serve the journal, every later poll response and the size limits.
    const bytes = HistoryEvent.encode(HistoryEvent.fromObject(event)).finish();
    run.events.push(event);
    run.eventBytes.push(bytes);
    run.historySizeBytes += bytes.length;
    if (this.journal && !this.restoring) {
      this.journal.append({ k: 'ev', ns: run.namespace, wid: run.workflowId, rid: run.runId, e: Buffer.from(bytes).toString('base64'), req: extra?.requestId });
    }
    applyEvent(run, event, this.clock.now());
    if (!this.restoring && run.status === 'Running' && watchHistoryLimits(this, run)) this.scheduleLimitEnforcement(run);
    for (const wake of [...run.waiters]) wake();
    return event;
  }

  /**
   * A run crossed a hard history limit: it is terminated as soon as the operation that grew it
   * has finished writing (the real server checks at the end of each transaction).
   */
  private scheduleLimitEnforcement(run: Run): void {
    if (this.overLimit.has(run)) return;
    this.overLimit.add(run);
    if (this.overLimit.size > 1) return;
    queueMicrotask(() => {
      for (const r of [...this.overLimit]) {
        this.overLimit.delete(r);
        try {
          enforceHistoryLimit(this, r);
        } catch (err) {
          this.logger.error({ err, workflowId: r.workflowId }, 'terminating a run over the history limit failed');
        }
      }
    });
  }

  /**
   * Adds an event caused by the outside world (signal, activity result, timer, child outcome).
   * While a workflow task is started it is buffered, as the worker may not see events after
   * WorkflowTaskStarted; otherwise it is appended and a workflow task scheduled.
   * `linkStarted` items get `startedEventId` set to the id of the event written just before them.
   */
  addExternal(run: Run, items: Array<{ event: IHistoryEvent; linkStarted?: boolean }>, schedule: (run: Run) => void): void {
    if (run.status !== 'Running') return;
    if (run.wft.state === 'started') {
      for (const { event, linkStarted } of items) {
        run.buffered.push({ event, linkStarted: !!linkStarted });
        if (this.journal && !this.restoring) this.record({ k: 'buf', rid: run.runId, e: encodeEvent({ ...event, eventId: 0 }), link: !!linkStarted });
      }
      return;
    }
    // The events and the workflow task they schedule, as one transaction under the history limit.
    if (refuseGrowth(this, run, items.length + 1)) return;
    for (const { event, linkStarted } of items) this.append(run, linkStarted ? linkTo(event, run.events.length) : event);
    schedule(run);
  }

  /** Writes the buffered events to history; true if there were any. */
  flushBuffer(run: Run): boolean {
    if (run.buffered.length === 0) return false;
    const items = run.buffered.splice(0);
    this.record({ k: 'unbuf', rid: run.runId });
    for (const { event, linkStarted } of items) {
      if (run.status !== 'Running') break;
      this.append(run, linkStarted ? linkTo(event, run.events.length) : event);
    }
    return true;
  }

  /** Answers every waiting history long poll and task poll; used when the server stops. */
  shutdown(): void {
    this.closing = true;
    this.workflowTasks.close();
    this.activityTasks.close();
    for (const run of this.runs.values()) for (const wake of [...run.waiters]) wake();
  }

  /** Notifies close listeners (schedules, tests). */
  emitClosed(run: Run): void {
    for (const l of this.closeListeners) {
      try {
        l(run.namespace, run.workflowId, run.runId, run.status);
      } catch (err) {
        this.logger.warn({ err }, 'close listener failed');
      }
    }
  }
}

/** Sets `startedEventId` on whichever attributes the event carries. */
function linkTo(event: IHistoryEvent, startedId: number): IHistoryEvent {
  const key = attributesKey(event);
  if (!key) return event;
  const attrs = (event as Record<string, unknown>)[key] as Record<string, unknown>;
  return { ...event, [key]: { ...attrs, startedEventId: startedId } };
}
