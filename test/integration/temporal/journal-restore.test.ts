import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { afterAll, describe, expect, it } from 'vitest';
import { start, type RunningTemporalSandbox } from '../../../src/sandbox/temporal';
import { uid } from './helpers';

/**
 * Journal recovery driven over the wire by hand: a server stops, a new one starts on the same data
 * directory, and the worker's view (tokens, attempts, heartbeat details, history) carries on.
 */
const C = temporal.api.enums.v1.CommandType;
const dataDir = mkdtempSync(join(tmpdir(), 'temporal-journal-'));
const open: Array<{ sandbox: RunningTemporalSandbox; connection: Connection }> = [];

async function boot(): Promise<Connection> {
  const sandbox = await start({ dataDir });
  const connection = await Connection.connect({ address: sandbox.address });
  open.push({ sandbox, connection });
  return connection;
}

async function stop(): Promise<void> {
  const last = open.pop()!;
  await last.connection.close();
  await last.sandbox.close();
}

afterAll(async () => {
  while (open.length > 0) await stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('journal recovery', () => {
  it('keeps history, a running activity attempt, its token and heartbeat details', async () => {
    let svc = (await boot()).workflowService;
    const workflowId = uid('journal');
    const { runId } = await svc.startWorkflowExecution({ namespace: 'default', workflowId, workflowType: { name: 'Raw' }, taskQueue: { name: 'jr' }, requestId: 'r1' });
    const task = await svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: 'jr' }, identity: 'by-hand' });
    await svc.respondWorkflowTaskCompleted({
      namespace: 'default', taskToken: task.taskToken,
      commands: [{
        commandType: C.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
        scheduleActivityTaskCommandAttributes: { activityId: 'a1', activityType: { name: 'Act' }, taskQueue: { name: 'jr' }, startToCloseTimeout: { seconds: Long.fromNumber(60) }, retryPolicy: { initialInterval: { nanos: 10_000_000 } } },
      }],
    });
    const act = await svc.pollActivityTaskQueue({ namespace: 'default', taskQueue: { name: 'jr' }, identity: 'by-hand' });
    const details = { payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"halfway"') }] };
    await svc.recordActivityTaskHeartbeat({ namespace: 'default', taskToken: act.taskToken, details });
    await stop();

    svc = (await boot()).workflowService;
    // Request-id dedupe survives: the same start resolves to the same run.
    const again = await svc.startWorkflowExecution({ namespace: 'default', workflowId, workflowType: { name: 'Raw' }, taskQueue: { name: 'jr' }, requestId: 'r1' });
    expect(again.runId).toBe(runId);
    // The attempt that was running is still running: its token is accepted.
    expect((await svc.recordActivityTaskHeartbeat({ namespace: 'default', taskToken: act.taskToken, details })).cancelRequested).toBe(false);
    await svc.respondActivityTaskFailed({ namespace: 'default', taskToken: act.taskToken, failure: { message: 'boom', applicationFailureInfo: { type: 'Transient' } } });
    const retry = await svc.pollActivityTaskQueue({ namespace: 'default', taskQueue: { name: 'jr' }, identity: 'by-hand' });
    expect(retry.attempt).toBe(2);
    expect(Buffer.from(retry.heartbeatDetails!.payloads![0]!.data!).toString()).toBe('"halfway"');
    await stop();

    svc = (await boot()).workflowService;
    await expect(svc.respondActivityTaskCompleted({ namespace: 'default', taskToken: act.taskToken })).rejects.toMatchObject({ code: status.NOT_FOUND });
    await svc.respondActivityTaskCompleted({ namespace: 'default', taskToken: retry.taskToken });
    const next = await svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: 'jr' }, identity: 'by-hand' });
    expect(next.previousStartedEventId?.toString()).toBe('3');
    const history = next.history!.events!.map((e) => temporal.api.enums.v1.EventType[e.eventType!]);
    expect(history.slice(-5)).toEqual([
      'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED', 'EVENT_TYPE_ACTIVITY_TASK_STARTED', 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED',
      'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', 'EVENT_TYPE_WORKFLOW_TASK_STARTED',
    ]);
    await svc.respondWorkflowTaskCompleted({ namespace: 'default', taskToken: next.taskToken, commands: [{ commandType: C.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: {} }] });
    const closed = await svc.describeWorkflowExecution({ namespace: 'default', execution: { workflowId } });
    expect(closed.workflowExecutionInfo?.status).toBe(temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
  });
});
