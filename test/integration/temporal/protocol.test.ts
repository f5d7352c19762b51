import { setTimeout as sleep } from 'node:timers/promises';
import Long from 'long';
import { status } from '@grpc/grpc-js';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { TimeoutFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type RunningTemporalSandbox } from '../../../src/sandbox/temporal';
import { uid } from './helpers';

/**
 * The wire protocol as a worker sees it, driven by hand over a real client connection: buffering
 * while a workflow task is out, UNHANDLED_COMMAND, stale tokens, timeouts without a worker.
 */
const E = temporal.api.enums.v1.EventType;
const C = temporal.api.enums.v1.CommandType;
let sandbox: RunningTemporalSandbox;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  sandbox = await start({});
  connection = await Connection.connect({ address: sandbox.address });
  client = new Client({ connection });
});

afterAll(async () => {
  await connection?.close();
  await sandbox?.close();
});

const svc = () => connection.workflowService;
const types = async (workflowId: string): Promise<string[]> => {
  const res = await svc().getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId } });
  return (res.history?.events ?? []).map((e) => E[e.eventType!]!.replace('EVENT_TYPE_', ''));
};
const startRaw = async (taskQueue: string, extra: Partial<temporal.api.workflowservice.v1.IStartWorkflowExecutionRequest> = {}): Promise<string> => {
  const workflowId = uid('raw');
  await svc().startWorkflowExecution({ namespace: 'default', workflowId, workflowType: { name: 'Raw' }, taskQueue: { name: taskQueue }, requestId: uid('req'), ...extra });
  return workflowId;
};
const pollWft = (taskQueue: string) => svc().pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, identity: 'by-hand' });

describe('workflow task protocol', () => {
  it('buffers events during a task and fails a closing completion with UNHANDLED_COMMAND', async () => {
    const workflowId = await startRaw('raw-buffer');
    const task = await pollWft('raw-buffer');
    expect(task.history?.events?.map((e) => e.eventType)).toEqual([E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, E.EVENT_TYPE_WORKFLOW_TASK_STARTED]);
    await client.workflow.getHandle(workflowId).signal('poke');
    expect(await types(workflowId)).toEqual(['WORKFLOW_EXECUTION_STARTED', 'WORKFLOW_TASK_SCHEDULED', 'WORKFLOW_TASK_STARTED']);
    const complete = { namespace: 'default', taskToken: task.taskToken, commands: [{ commandType: C.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: {} }] };
    await expect(svc().respondWorkflowTaskCompleted(complete)).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    expect((await types(workflowId)).slice(3)).toEqual(['WORKFLOW_TASK_FAILED', 'WORKFLOW_EXECUTION_SIGNALED', 'WORKFLOW_TASK_SCHEDULED']);
    // The old token is stale now; the new task completes the run.
    await expect(svc().respondWorkflowTaskCompleted(complete)).rejects.toMatchObject({ code: status.NOT_FOUND });
    const retry = await pollWft('raw-buffer');
    expect(retry.previousStartedEventId?.toString()).toBe('0');
    await svc().respondWorkflowTaskCompleted({ ...complete, taskToken: retry.taskToken });
    expect((await types(workflowId)).slice(-2)).toEqual(['WORKFLOW_TASK_COMPLETED', 'WORKFLOW_EXECUTION_COMPLETED']);
    expect(await client.workflow.getHandle(workflowId).result()).toBeUndefined();
  });

  it('makes a worker that cancels a timer which has just fired look at the firing first', async () => {
    const workflowId = await startRaw('raw-timer');
    const first = await pollWft('raw-timer');
    await svc().respondWorkflowTaskCompleted({
      namespace: 'default', taskToken: first.taskToken,
      commands: [{ commandType: C.COMMAND_TYPE_START_TIMER, startTimerCommandAttributes: { timerId: 't', startToFireTimeout: { nanos: 300_000_000 } } }],
    });
    await client.workflow.getHandle(workflowId).signal('poke');
    const second = await pollWft('raw-timer');
    for (let i = 0; i < 40 && sandbox.server.engine.runs.get(second.workflowExecution!.runId!)!.buffered.length === 0; i++) await sleep(25);
    await expect(svc().respondWorkflowTaskCompleted({
      namespace: 'default', taskToken: second.taskToken,
      commands: [{ commandType: C.COMMAND_TYPE_CANCEL_TIMER, cancelTimerCommandAttributes: { timerId: 't' } }],
    })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    expect((await types(workflowId)).slice(-3)).toEqual(['WORKFLOW_TASK_FAILED', 'TIMER_FIRED', 'WORKFLOW_TASK_SCHEDULED']);
    await client.workflow.getHandle(workflowId).terminate();
  });

  it('rejects a close command that is not last, without writing anything', async () => {
    const workflowId = await startRaw('raw-order');
    const task = await pollWft('raw-order');
    await expect(svc().respondWorkflowTaskCompleted({
      namespace: 'default', taskToken: task.taskToken,
      commands: [
        { commandType: C.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: {} },
        { commandType: C.COMMAND_TYPE_START_TIMER, startTimerCommandAttributes: { timerId: '1', startToFireTimeout: { seconds: Long.fromNumber(1) } } },
      ],
    })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    expect(await types(workflowId)).toHaveLength(3);
    await client.workflow.getHandle(workflowId).terminate();
  });

  it('completes an activity by id, and answers a late completion with NOT_FOUND', async () => {
    const workflowId = await startRaw('raw-act');
    const task = await pollWft('raw-act');
    await svc().respondWorkflowTaskCompleted({
      namespace: 'default', taskToken: task.taskToken,
      commands: [{ commandType: C.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK, scheduleActivityTaskCommandAttributes: { activityId: 'a1', activityType: { name: 'Act' }, taskQueue: { name: 'raw-act' }, startToCloseTimeout: { seconds: Long.fromNumber(30) } } }],
    });
    const act = await svc().pollActivityTaskQueue({ namespace: 'default', taskQueue: { name: 'raw-act' }, identity: 'by-hand' });
    expect(act.activityId).toBe('a1');
    expect(act.attempt).toBe(1);
    const hb = await svc().recordActivityTaskHeartbeatById({ namespace: 'default', workflowId, activityId: 'a1' });
    expect(hb.cancelRequested).toBe(false);
    await svc().respondActivityTaskCompletedById({ namespace: 'default', workflowId, activityId: 'a1' });
    await expect(svc().respondActivityTaskCompleted({ namespace: 'default', taskToken: act.taskToken })).rejects.toMatchObject({ code: status.NOT_FOUND });
    expect((await types(workflowId)).slice(-4)).toEqual(['ACTIVITY_TASK_SCHEDULED', 'ACTIVITY_TASK_STARTED', 'ACTIVITY_TASK_COMPLETED', 'WORKFLOW_TASK_SCHEDULED']);
    await client.workflow.getHandle(workflowId).terminate();
  });

  it('times out an activity nobody picks up after its schedule-to-start timeout', async () => {
    const workflowId = await startRaw('raw-s2s');
    const task = await pollWft('raw-s2s');
    await svc().respondWorkflowTaskCompleted({
      namespace: 'default', taskToken: task.taskToken,
      commands: [{ commandType: C.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK, scheduleActivityTaskCommandAttributes: { activityId: 'a1', activityType: { name: 'Act' }, taskQueue: { name: 'nobody-polls' }, startToCloseTimeout: { seconds: Long.fromNumber(30) }, scheduleToStartTimeout: { nanos: 200_000_000 } } }],
    });
    for (let i = 0; i < 40 && !(await types(workflowId)).includes('ACTIVITY_TASK_TIMED_OUT'); i++) await sleep(50);
    expect((await types(workflowId)).slice(-2)).toEqual(['ACTIVITY_TASK_TIMED_OUT', 'WORKFLOW_TASK_SCHEDULED']);
    await client.workflow.getHandle(workflowId).terminate();
  });

  it('times out a started activity at its schedule-to-close deadline, writing the deferred start', async () => {
    const workflowId = await startRaw('raw-s2c');
    const task = await pollWft('raw-s2c');
    await svc().respondWorkflowTaskCompleted({
      namespace: 'default', taskToken: task.taskToken,
      commands: [{ commandType: C.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK, scheduleActivityTaskCommandAttributes: { activityId: 'a1', activityType: { name: 'Act' }, taskQueue: { name: 'raw-s2c' }, scheduleToCloseTimeout: { nanos: 300_000_000 } } }],
    });
    const act = await svc().pollActivityTaskQueue({ namespace: 'default', taskQueue: { name: 'raw-s2c' }, identity: 'by-hand' });
    expect(act.scheduleToCloseTimeout?.nanos).toBe(300_000_000);
    for (let i = 0; i < 40 && !(await types(workflowId)).includes('ACTIVITY_TASK_TIMED_OUT'); i++) await sleep(50);
    expect((await types(workflowId)).slice(-3)).toEqual(['ACTIVITY_TASK_STARTED', 'ACTIVITY_TASK_TIMED_OUT', 'WORKFLOW_TASK_SCHEDULED']);
    await expect(svc().recordActivityTaskHeartbeat({ namespace: 'default', taskToken: act.taskToken })).rejects.toMatchObject({ code: status.NOT_FOUND });
    await client.workflow.getHandle(workflowId).terminate();
  });

  it('registers a namespace on DescribeNamespace, as workers expect', async () => {
    const namespace = uid('ns');
    const described = await svc().describeNamespace({ namespace });
    expect(described.namespaceInfo?.name).toBe(namespace);
    const other = new Client({ connection, namespace });
    const handle = await other.workflow.start('Raw', { taskQueue: 'raw-ns', workflowId: uid('in-ns') });
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate();
  });

  it('times out a run after its run timeout', async () => {
    const workflowId = await startRaw('raw-timeout', { workflowRunTimeout: { nanos: 300_000_000 } });
    const err = await client.workflow.getHandle(workflowId).result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(TimeoutFailure);
    expect((await types(workflowId)).at(-1)).toBe('WORKFLOW_EXECUTION_TIMED_OUT');
  });
});
