/**
 * Sticky execution, as the real server offers it to a worker that caches its workflows.
 *
 * A worker completing a workflow task names its own sticky queue (`sticky_attributes`). The run's
 * next tasks go to that queue with only the events after the last completed task, which the
 * worker applies to the workflow it holds in memory, instead of the whole history on the normal
 * queue. Stickiness ends when a task fails or times out, on `ResetStickyTaskQueue`, when the
 * worker shuts down (`ShutdownWorker` names its sticky queue), when a completion carries no sticky
 * attributes, and when the sticky queue has nobody polling it; the task then goes to the normal
 * queue with the whole history. Stickiness is not journaled: after a restart every task starts on
 * the normal queue, as after a sticky worker's loss.
 */
import type { Engine } from './engine';
import type { Run } from './model';
import { millis, temporal } from './proto';

/** The sticky queue a run's tasks go to, as the worker named it. */
export interface StickyQueue {
  name: string;
  /** How long a task may wait there before it goes to the normal queue instead. */
  scheduleToStartMs: number;
}

/** The SDKs' default sticky schedule-to-start timeout, used when a completion gives none. */
const DEFAULT_SCHEDULE_TO_START_MS = 10_000;

/**
 * A sticky queue whose last poll is older than this, with no poll waiting on it, has lost its
 * worker: its tasks go to the normal queue at once (the real matching service does the same after
 * a quiet spell, rather than letting every task wait out its schedule-to-start timeout).
 */
export const STICKY_POLLER_WINDOW_MS = 1_000;

const Kind = temporal.api.enums.v1.TaskQueueKind;

/** The matcher's name of a sticky queue, apart from every normal queue's name. */
export function stickyQueueKey(name: string): string {
  return `\u0000sticky:${name}`;
}

/** Records (or, without a queue name, ends) the run's stickiness from a task completion. */
export function rememberSticky(run: Run, attributes: temporal.api.taskqueue.v1.IStickyExecutionAttributes | null | undefined): void {
  const name = attributes?.workerTaskQueue?.name;
  run.sticky = name ? { name, scheduleToStartMs: millis(attributes.scheduleToStartTimeout) || DEFAULT_SCHEDULE_TO_START_MS } : undefined;
}

/**
 * The sticky queue the run's next task goes to, or undefined for the normal queue. A sticky queue
 * nobody serves any more ends the run's stickiness here.
 */
export function stickyTarget(engine: Engine, run: Run): StickyQueue | undefined {
  const sticky = run.sticky;
  if (!sticky) return undefined;
  if (engine.workflowTasks.isServed(run.namespace, stickyQueueKey(sticky.name), STICKY_POLLER_WINDOW_MS)) return sticky;
  run.sticky = undefined;
  return undefined;
}

/** The task queue a WorkflowTaskScheduled event names: the sticky queue when the task goes there. */
export function scheduledTaskQueue(run: Run, sticky: StickyQueue | undefined): temporal.api.taskqueue.v1.ITaskQueue {
  return sticky
    ? { name: sticky.name, kind: Kind.TASK_QUEUE_KIND_STICKY, normalName: run.taskQueue }
    : { name: run.taskQueue, kind: Kind.TASK_QUEUE_KIND_NORMAL };
}

/** Running runs sticky to `name` in `namespace` (ShutdownWorker). */
export function runsStickyTo(engine: Engine, namespace: string, name: string): Run[] {
  return [...engine.runs.values()].filter((r) => r.status === 'Running' && r.namespace === namespace && r.sticky?.name === name);
}
