/**
 * Task queues: match long polls with tasks. A task is a thunk evaluated at hand-over time so the
 * server writes WorkflowTaskStarted (or marks an activity started) only when a poller really takes
 * it; a thunk returning `undefined` is stale and skipped.
 */

/** A task waiting for a poller. */
export type TaskThunk<T> = (identity: string) => T | undefined;

interface Poller<T> {
  identity: string;
  deliver(task: T | undefined): void;
  isCancelled(): boolean;
}

class Queue<T> {
  readonly tasks: Array<TaskThunk<T>> = [];
  readonly pollers: Array<Poller<T>> = [];
  /** Wall-clock ms of the latest poll on this queue (0: never polled). */
  lastPollAt = 0;
}

/** Long-poll matching for one kind of task (workflow or activity). */
export class TaskMatcher<T> {
  private readonly queues = new Map<string, Queue<T>>();
  private closed = false;

  constructor(private readonly maxPollMs: number) {}

  private queue(namespace: string, name: string): Queue<T> {
    const key = `${namespace}\u0000${name}`;
    let q = this.queues.get(key);
    if (!q) this.queues.set(key, (q = new Queue<T>()));
    return q;
  }

  /** Adds a task; hands it straight to a waiting poller if there is one. */
  offer(namespace: string, taskQueue: string, task: TaskThunk<T>): void {
    const q = this.queue(namespace, taskQueue);
    q.tasks.push(task);
    this.drain(q);
  }

  /**
   * Waits for a task (up to the poll limit or the caller's deadline) and resolves with it, or with
   * `undefined` for an empty poll response.
   */
  poll(namespace: string, taskQueue: string, identity: string, deadlineMs: number, isCancelled: () => boolean): Promise<T | undefined> {
    const q = this.queue(namespace, taskQueue);
    q.lastPollAt = Date.now();
    return new Promise((resolve) => {
      let done = false;
      const timer = setTimeout(() => finish(undefined), Math.max(0, Math.min(this.maxPollMs, deadlineMs)));
      const finish = (task: T | undefined): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const i = q.pollers.indexOf(poller);
        if (i >= 0) q.pollers.splice(i, 1);
        resolve(task);
      };
      const poller: Poller<T> = { identity, deliver: finish, isCancelled: () => done || isCancelled() };
      q.pollers.push(poller);
      if (this.closed) finish(undefined);
      else this.drain(q);
    });
  }

  /**
   * Whether a worker is serving the queue: a poll is waiting on it now, or one arrived less than
   * `windowMs` ago (a worker between two polls; 0 asks for a waiting poll only). Sticky queues use it to decide whether their worker is
   * still there, as the real matching service does before it dispatches to a sticky queue.
   */
  isServed(namespace: string, taskQueue: string, windowMs: number): boolean {
    const q = this.queues.get(`${namespace}\u0000${taskQueue}`);
    if (!q) return false;
    return q.pollers.some((p) => !p.isCancelled()) || Date.now() - q.lastPollAt < windowMs;
  }

  /** Number of tasks waiting on a queue (DescribeTaskQueue backlog, tests). */
  backlog(namespace: string, taskQueue: string): number {
    return this.queue(namespace, taskQueue).tasks.length;
  }

  /** Answers every waiting poll with an empty response. */
  close(): void {
    this.closed = true;
    for (const q of this.queues.values()) for (const p of [...q.pollers]) p.deliver(undefined);
  }

  private drain(q: Queue<T>): void {
    while (q.tasks.length > 0) {
      // A poll whose call was cancelled (worker shutdown) must not swallow a task.
      while (q.pollers.length > 0 && q.pollers[0]!.isCancelled()) q.pollers.shift()!.deliver(undefined);
      const poller = q.pollers.shift();
      if (!poller) return;
      let task: T | undefined;
      while (task === undefined && q.tasks.length > 0) task = q.tasks.shift()!(poller.identity);
      if (task === undefined) {
        q.pollers.unshift(poller);
        return;
      }
      poller.deliver(task);
    }
  }
}
