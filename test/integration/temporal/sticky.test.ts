/**
 * Sticky execution on the wire, driven by hand through the real client's WorkflowService stub (a
 * worker's calls, one at a time, so each answer can be checked): tasks of a run whose worker named
 * a sticky queue go there with only the new events; a task that arrives while one is being
 * processed comes back in the completion's response when asked for; stickiness ends with the
 * worker's shutdown, a reset or a completion without sticky attributes, and the next task then
 * carries the whole history on the normal queue. The SDK's own worker runs on sticky queues in
 * every other test of this folder.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import type { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type RunningTemporalSandbox } from '../../../src/sandbox/temporal';
import { connect, uid } from './helpers';

type PollResponse = temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse;
const { EventType, TaskQueueKind } = temporal.api.enums.v1;
const NS = 'default';

let sandbox: RunningTemporalSandbox;
let connection: Connection;
let native: NativeConnection;

beforeAll(async () => {
  sandbox = await start({ port: 0 });
  ({ connection, native } = await connect(sandbox.address));
});

afterAll(async () => {
  await native.close();
  await connection.close();
  await sandbox.close();
});

const service = (): Connection['workflowService'] => connection.workflowService;
const ids = (task: PollResponse): number[] => (task.history?.events ?? []).map((e) => Number(e.eventId));
const stickyAttributes = (name: string): temporal.api.taskqueue.v1.IStickyExecutionAttributes => ({
  workerTaskQueue: { name, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY, normalName: 'sticky-tests' },
  scheduleToStartTimeout: { seconds: Long.fromNumber(10) },
});

/** Polls a queue (normal or sticky) with a deadline, so a test never hangs on a missing task. */
function poll(name: string, sticky = false): Promise<PollResponse> {
  return connection.withDeadline(Date.now() + 15_000, () => service().pollWorkflowTaskQueue({
    namespace: NS, identity: 'hand-worker',
    taskQueue: sticky ? { name, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY, normalName: 'sticky-tests' } : { name, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
  }));
}

/** Polls the sticky queue and waits until the server has the poll, then runs `cause` and returns the task. */
async function stickyTaskAfter(name: string, cause: () => Promise<unknown>): Promise<PollResponse> {
  const task = poll(name, true);
  while (!sandbox.server.engine.workflowTasks.isServed(NS, `\u0000sticky:${name}`, 0)) await sleep(5);
  await cause();
  return task;
}

async function startRun(): Promise<string> {
  const workflowId = uid('sticky');
  await service().startWorkflowExecution({ namespace: NS, workflowId, requestId: uid('req'), workflowType: { name: 'hand' }, taskQueue: { name: 'sticky-tests' }, identity: 'test' });
  return workflowId;
}

const signal = (workflowId: string, n: number): Promise<unknown> =>
  service().signalWorkflowExecution({ namespace: NS, workflowExecution: { workflowId }, signalName: 'poke', requestId: uid(`sig-${n}`), identity: 'test' });

async function history(workflowId: string): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  return (await service().getWorkflowExecutionHistory({ namespace: NS, execution: { workflowId } })).history?.events ?? [];
}

describe('sticky execution', () => {
  it('sends a sticky worker only the new events, and returns the next task in the completion when asked', async () => {
    const workflowId = await startRun();
    const first = await poll('sticky-tests');
    expect(ids(first)).toEqual([1, 2, 3]);
    const queue = uid('sticky-queue');
    await service().respondWorkflowTaskCompleted({ namespace: NS, taskToken: first.taskToken, identity: 'hand-worker', stickyAttributes: stickyAttributes(queue) });

    const second = await stickyTaskAfter(queue, () => signal(workflowId, 1));
    expect(Number(second.previousStartedEventId)).toBe(3);
    expect(ids(second)).toEqual([4, 5, 6, 7]); // completed, signalled, scheduled, started: nothing before
    const scheduled = (await history(workflowId)).find((e) => Number(e.eventId) === 6)!;
    expect(scheduled.workflowTaskScheduledEventAttributes?.taskQueue).toMatchObject({ name: queue, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY });

    // A signal while the task is being processed: the next task comes back in the response.
    await signal(workflowId, 2);
    const completed = await service().respondWorkflowTaskCompleted({ namespace: NS, taskToken: second.taskToken, identity: 'hand-worker', stickyAttributes: stickyAttributes(queue), returnNewWorkflowTask: true });
    const third = completed.workflowTask!;
    expect(third.taskToken?.length).toBeGreaterThan(0);
    expect(Number(third.previousStartedEventId)).toBe(7);
    expect(third.history?.events?.map((e) => e.eventType)).toEqual([
      EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    ]);
    expect(ids(third)).toEqual([8, 9, 10, 11]);

    // Completed without sticky attributes (a worker that stopped caching): whole history, normal queue.
    await service().respondWorkflowTaskCompleted({ namespace: NS, taskToken: third.taskToken, identity: 'hand-worker' });
    await signal(workflowId, 3);
    const fourth = await poll('sticky-tests');
    expect(ids(fourth)[0]).toBe(1);
    expect(ids(fourth).at(-1)).toBe(Number(fourth.startedEventId));
    await service().respondWorkflowTaskCompleted({ namespace: NS, taskToken: fourth.taskToken, identity: 'hand-worker', commands: [
      { commandType: temporal.api.enums.v1.CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: {} },
    ] });
    expect((await history(workflowId)).at(-1)?.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  });

  it('moves a run to the normal queue with its whole history when its sticky worker shuts down', async () => {
    const workflowId = await startRun();
    const first = await poll('sticky-tests');
    const queue = uid('sticky-queue');
    await service().respondWorkflowTaskCompleted({ namespace: NS, taskToken: first.taskToken, identity: 'hand-worker', stickyAttributes: stickyAttributes(queue) });
    const second = await stickyTaskAfter(queue, () => signal(workflowId, 1));
    await service().respondWorkflowTaskCompleted({ namespace: NS, taskToken: second.taskToken, identity: 'hand-worker', stickyAttributes: stickyAttributes(queue) });

    // The sticky queue is still being polled, but its worker says it is gone.
    const abandoned = poll(queue, true);
    await service().shutdownWorker({ namespace: NS, stickyTaskQueue: queue, identity: 'hand-worker', reason: 'test' });
    await signal(workflowId, 2);
    const third = await poll('sticky-tests');
    expect(ids(third)[0]).toBe(1);
    expect(third.history?.events?.some((e) => e.workflowExecutionSignaledEventAttributes)).toBe(true);
    const scheduled = (await history(workflowId)).find((e) => Number(e.eventId) === Number(third.startedEventId) - 1)!;
    expect(scheduled.workflowTaskScheduledEventAttributes?.taskQueue).toMatchObject({ name: 'sticky-tests', kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL });
    await service().respondWorkflowTaskCompleted({ namespace: NS, taskToken: third.taskToken, identity: 'hand-worker' });
    await service().terminateWorkflowExecution({ namespace: NS, workflowExecution: { workflowId }, reason: 'done' });
    void abandoned.catch(() => undefined); // answered empty when the server closes
  });

  it('retries a failed task, and the tasks after a reset, on the normal queue with the whole history', async () => {
    const workflowId = await startRun();
    const first = await poll('sticky-tests');
    const queue = uid('sticky-queue');
    await service().respondWorkflowTaskCompleted({ namespace: NS, taskToken: first.taskToken, identity: 'hand-worker', stickyAttributes: stickyAttributes(queue) });
    const second = await stickyTaskAfter(queue, () => signal(workflowId, 1));
    expect(ids(second)[0]).toBe(4);
    // What the SDK's worker answers to a sticky task for a run it no longer holds.
    await service().respondWorkflowTaskFailed({ namespace: NS, taskToken: second.taskToken, identity: 'hand-worker', cause: temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_STICKY_TASK_QUEUE });
    const retried = await poll('sticky-tests');
    expect(ids(retried)[0]).toBe(1);
    expect(retried.attempt).toBe(2);
    await service().respondWorkflowTaskCompleted({ namespace: NS, taskToken: retried.taskToken, identity: 'hand-worker', stickyAttributes: stickyAttributes(queue) });

    const held = poll(queue, true);
    while (!sandbox.server.engine.workflowTasks.isServed(NS, `\u0000sticky:${queue}`, 0)) await sleep(5);
    await service().resetStickyTaskQueue({ namespace: NS, execution: { workflowId } });
    await signal(workflowId, 2);
    const afterReset = await poll('sticky-tests');
    expect(ids(afterReset)[0]).toBe(1);
    await service().terminateWorkflowExecution({ namespace: NS, workflowExecution: { workflowId }, reason: 'done' });
    void held.catch(() => undefined); // answered empty when the server closes
  });
});
