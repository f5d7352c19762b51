import { setTimeout as sleep } from 'node:timers/promises';
import { Client as GrpcClient, credentials, status } from '@grpc/grpc-js';
import { Client, WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowFailedError, type Connection } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type RunningTemporalSandbox } from '../../../src/sandbox/temporal';
import { createActivities, sideEffects } from './workflows/activities';
import { bundle, connect, quietRuntime, replayAll, uid } from './helpers';
import * as wf from './workflows';

const CACHED = 'conformance-cached';

/** Sends raw bytes to a WorkflowService method, bypassing protobuf encoding. */
function rawCall(address: string, method: string, body: Buffer): Promise<Buffer> {
  const raw = new GrpcClient(address, credentials.createInsecure());
  return new Promise<Buffer>((resolve, reject) => {
    raw.makeUnaryRequest(`/temporal.api.workflowservice.v1.WorkflowService/${method}`, (b: Buffer) => b, (b: Buffer) => b, body, (err, res) => {
      raw.close();
      if (err) reject(err);
      else resolve(res!);
    });
  });
}
const UNCACHED = 'conformance-uncached';

let sandbox: RunningTemporalSandbox;
let client: Client;
let connection: Connection;
let native: NativeConnection;
let workflowBundle: WorkflowBundleWithSourceMap;
const workers: Worker[] = [];
const running: Array<Promise<void>> = [];

beforeAll(async () => {
  quietRuntime();
  sandbox = await start({ port: 0 });
  ({ client, connection, native } = await connect(sandbox.address));
  workflowBundle = await bundle();
  for (const [taskQueue, maxCachedWorkflows] of [[CACHED, undefined], [UNCACHED, 0]] as const) {
    const worker = await Worker.create({
      connection: native, taskQueue, workflowBundle, activities: createActivities(),
      ...(maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows }),
    });
    workers.push(worker);
    running.push(worker.run());
  }
});

afterAll(async () => {
  for (const w of workers) w.shutdown();
  await Promise.all(running);
  await native?.close();
  await connection?.close();
  await sandbox?.close();
});

describe.each([CACHED, UNCACHED])('temporal sandbox on task queue %s', (taskQueue) => {
  const run = <T>(fn: Parameters<typeof client.workflow.execute>[0], args: unknown[], id = uid(String(fn))) =>
    client.workflow.execute(fn as never, { taskQueue, workflowId: id, args: args as never }) as Promise<T>;

  it('runs three activities in sequence', async () => {
    expect(await run(wf.threeActivities, [10])).toBe(16);
  });

  it('retries a failing activity and hands it the last heartbeat', async () => {
    expect(await run(wf.retrying, [])).toEqual({ attempt: 3, previousHeartbeat: { reached: 2 } });
  });

  it('stops retrying non-retryable failures and at the attempt limit', async () => {
    expect(await run(wf.nonRetryable, [])).toEqual(['Fatal:NON_RETRYABLE_FAILURE', 'Unrecoverable:NON_RETRYABLE_FAILURE', 'flaky:MAXIMUM_ATTEMPTS_REACHED']);
  });

  it('times out an activity after its start-to-close timeout and retries', async () => {
    expect(await run(wf.activityTimeout, [])).toBe('START_TO_CLOSE:MAXIMUM_ATTEMPTS_REACHED');
  });

  it('times out on missing heartbeats and passes the details to the retry', async () => {
    expect(await run(wf.heartbeatTimeout, [])).toBe('progress-1');
  });

  it('delivers activity cancellation through heartbeats', async () => {
    const before = sideEffects.get('cancelled-activity') ?? 0;
    expect(await run(wf.cancelActivity, [])).toBe('cancelled');
    expect(sideEffects.get('cancelled-activity')).toBe(before + 1);
  });

  it('fires timers', async () => {
    expect(await run<number>(wf.sleeper, [200])).toBeGreaterThanOrEqual(200);
  });

  it('delivers signals and answers queries, also after completion', async () => {
    const handle = await client.workflow.start(wf.accumulator, { taskQueue, workflowId: uid('acc') });
    await handle.signal(wf.addSignal, 2);
    await handle.signal(wf.addSignal, 3);
    expect(await handle.query(wf.totalQuery)).toBe(5);
    await handle.signal(wf.doneSignal);
    expect(await handle.result()).toBe(5);
    expect(await handle.query(wf.totalQuery)).toBe(5);
  });

  it('runs updates, rejecting those the validator refuses', async () => {
    const handle = await client.workflow.start(wf.updatable, { taskQueue, workflowId: uid('upd') });
    expect(await handle.executeUpdate(wf.addUpdate, { args: [2] })).toBe(2);
    await expect(handle.executeUpdate(wf.addUpdate, { args: [-1] })).rejects.toMatchObject({ name: 'WorkflowUpdateFailedError' });
    const started = await handle.startUpdate(wf.addUpdate, { args: [5], waitForStage: 'ACCEPTED', updateId: 'add-5' });
    expect(await started.result()).toBe(7);
    // Same update id again: the recorded outcome, not a second application.
    expect(await handle.executeUpdate(wf.addUpdate, { args: [5], updateId: 'add-5' })).toBe(7);
    await handle.signal(wf.doneSignal);
    expect(await handle.result()).toBe(7);
  });

  it('runs child workflows and reports their failures', async () => {
    const id = uid('parent');
    expect(await run(wf.parent, [], id)).toEqual([`child of ${id}`, 'ChildBoom']);
  });

  it('cancels a child from the parent', async () => {
    expect(await run(wf.cancelsChild, [])).toBe('child cancelled');
  });

  it('continues as new and follows the chain to the result', async () => {
    const id = uid('countdown');
    expect(await run(wf.countdown, [3], id)).toBe(6);
    const runs = await client.workflow.count(`WorkflowId = '${id}'`);
    expect(runs.count).toBe(4);
  });

  it('records patch markers', async () => {
    expect(await run(wf.patchedFlow, [])).toBe('new');
  });

  it('fails workflows with the application failure', async () => {
    const err = await run(wf.failing, []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause?.message).toBe('workflow failed');
  });

  it('retries a failed workflow under its retry policy, and the client follows the runs', async () => {
    const workflowId = uid('wf-retry');
    expect(await client.workflow.execute(wf.retriedWorkflow, { taskQueue, workflowId, retry: { initialInterval: '50ms', maximumAttempts: 5 } })).toBe('succeeded on attempt 3');
    expect((await client.workflow.count(`WorkflowId = '${workflowId}'`)).count).toBe(3);
    const capped = client.workflow.execute(wf.retriedWorkflow, { taskQueue, workflowId: uid('wf-retry-capped'), retry: { initialInterval: '50ms', maximumAttempts: 2 } });
    await expect(capped).rejects.toMatchObject({ name: 'WorkflowFailedError', retryState: 'MAXIMUM_ATTEMPTS_REACHED' });
  });

  it('retries a failed workflow task after its timeout', async () => {
    const handle = await client.workflow.start(wf.flakyTask, { taskQueue, workflowId: uid('flaky-task'), args: [300], workflowTaskTimeout: '1s' });
    expect(await handle.result()).toBe('recovered');
    const history = await handle.fetchHistory();
    const types = history.events!.map((e) => e.eventType);
    expect(types).toContain(temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
  });
});

describe('client operations', () => {
  const taskQueue = CACHED;

  it('cancels and terminates workflows, and describes them', async () => {
    const cancelled = await client.workflow.start(wf.waitForever, { taskQueue, workflowId: uid('cancel') });
    await cancelled.cancel();
    await expect(cancelled.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect((await cancelled.describe()).status.name).toBe('CANCELLED');

    const terminated = await client.workflow.start(wf.waitForever, { taskQueue, workflowId: uid('terminate') });
    await terminated.terminate('enough');
    expect((await terminated.describe()).status.name).toBe('TERMINATED');
  });

  it('applies workflow id reuse and conflict policies and dedupes request ids', async () => {
    const id = uid('reuse');
    const first = await client.workflow.start(wf.waitForever, { taskQueue, workflowId: id });
    await expect(client.workflow.start(wf.waitForever, { taskQueue, workflowId: id })).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    const same = await client.workflow.start(wf.waitForever, { taskQueue, workflowId: id, workflowIdConflictPolicy: 'USE_EXISTING' });
    expect(same.firstExecutionRunId).toBe(first.firstExecutionRunId);
    const replaced = await client.workflow.start(wf.waitForever, { taskQueue, workflowId: id, workflowIdConflictPolicy: 'TERMINATE_EXISTING' });
    expect(replaced.firstExecutionRunId).not.toBe(first.firstExecutionRunId);
    expect((await client.workflow.getHandle(id, first.firstExecutionRunId).describe()).status.name).toBe('TERMINATED');
    await replaced.terminate();
    await expect(client.workflow.start(wf.waitForever, { taskQueue, workflowId: id, workflowIdReusePolicy: 'REJECT_DUPLICATE' })).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    // Terminated counts as failed, so FAILED_ONLY allows another run.
    const again = await client.workflow.start(wf.threeActivities, { taskQueue, workflowId: id, args: [0], workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' });
    await again.result();
    await expect(client.workflow.start(wf.threeActivities, { taskQueue, workflowId: id, args: [0], workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' })).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    const terminateIfRunning = await client.workflow.start(wf.waitForever, { taskQueue, workflowId: id, workflowIdReusePolicy: 'TERMINATE_IF_RUNNING' });
    await terminateIfRunning.terminate();

    const req = { namespace: 'default', workflowId: uid('dedupe'), workflowType: { name: 'waitForever' }, taskQueue: { name: taskQueue }, requestId: 'same-request' };
    const a = await connection.workflowService.startWorkflowExecution(req);
    const b = await connection.workflowService.startWorkflowExecution(req);
    expect(b.runId).toBe(a.runId);
    await client.workflow.getHandle(req.workflowId).terminate();
  });

  it('updates with start, creating the run or updating the running one', async () => {
    const workflowId = uid('uws');
    const op = () => new WithStartWorkflowOperation(wf.updatable, { taskQueue, workflowId, workflowIdConflictPolicy: 'USE_EXISTING' });
    expect(await client.workflow.executeUpdateWithStart(wf.addUpdate, { args: [3], startWorkflowOperation: op() })).toBe(3);
    expect(await client.workflow.executeUpdateWithStart(wf.addUpdate, { args: [4], startWorkflowOperation: op() })).toBe(7);
    const handle = client.workflow.getHandle(workflowId);
    await handle.signal(wf.doneSignal);
    expect(await handle.result()).toBe(7);
    expect((await client.workflow.count(`WorkflowId = '${workflowId}'`)).count).toBe(1);
  });

  it('signals with start, creating the run or signalling the running one', async () => {
    const id = uid('sws');
    const h = await client.workflow.signalWithStart(wf.accumulator, { taskQueue, workflowId: id, signal: wf.addSignal, signalArgs: [4] });
    await client.workflow.signalWithStart(wf.accumulator, { taskQueue, workflowId: id, signal: wf.addSignal, signalArgs: [6] });
    await h.signal(wf.doneSignal);
    expect(await h.result()).toBe(10);
  });

  it.each(['TERMINATE', 'REQUEST_CANCEL', 'ABANDON'] as const)('applies parent close policy %s', async (policy) => {
    const childId = await client.workflow.execute(wf.abandoningParent, { taskQueue, workflowId: uid(`pcp-${policy}`), args: [policy] });
    const child = client.workflow.getHandle(childId);
    const expected = { TERMINATE: 'TERMINATED', REQUEST_CANCEL: 'CANCELLED', ABANDON: 'RUNNING' }[policy];
    for (let i = 0; i < 50 && (await child.describe()).status.name !== expected; i++) await sleep(50);
    expect((await child.describe()).status.name).toBe(expected);
    if (policy === 'ABANDON') await child.terminate();
  });

  it('registers custom search attributes, upserts them and lists by query', async () => {
    await connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: { BreachlineSeverity: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT },
    });
    const listed = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    expect(listed.customAttributes?.BreachlineSeverity).toBe(temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT);
    const tag = uid('tag');
    const id = uid('tagged');
    await client.workflow.execute(wf.tagged, { taskQueue, workflowId: id, args: [tag], memo: { owner: 'soc' }, searchAttributes: { CustomIntField: [3] }, typedSearchAttributes: [{ key: defineSearchAttributeKey('IncidentTeam', SearchAttributeType.KEYWORD), value: 'blue-team' }] });
    const found = [];
    for await (const w of client.workflow.list({ query: `CustomKeywordField = '${tag}' AND BreachlineSeverity >= 5 AND ExecutionStatus = 'Completed'` })) found.push(w);
    expect(found.map((w) => w.workflowId)).toEqual([id]);
    expect(found[0]!.memo).toMatchObject({ owner: 'soc', note: `tagged ${tag}` });
    expect((await client.workflow.count(`CustomIntField = 3 AND WorkflowId = '${id}'`)).count).toBe(1);
    // Set at start without registration: the type comes from the typed payload the SDK writes.
    expect((await client.workflow.count(`IncidentTeam = 'blue-team' AND WorkflowId = '${id}'`)).count).toBe(1);
    await expect(client.workflow.start(wf.tagged, { taskQueue, workflowId: uid('untyped'), args: ['x'], searchAttributes: { NeverRegistered: ['x'] } })).rejects.toMatchObject({ cause: { code: status.INVALID_ARGUMENT } });
    await expect(client.workflow.count('NoSuchAttribute = 1')).rejects.toMatchObject({ cause: { code: status.INVALID_ARGUMENT } });
  });

  it('answers bad input with the gRPC status the real server uses', async () => {
    const svc = connection.workflowService;
    await expect(svc.respondWorkflowTaskCompleted({ namespace: 'default', taskToken: Buffer.from('{"t":"wft","ns":"default","rid":"nope","sid":3,"attempt":1}') })).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(svc.respondActivityTaskCompleted({ namespace: 'default', taskToken: Buffer.from('garbage') })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(svc.recordActivityTaskHeartbeat({ namespace: 'default', taskToken: Buffer.alloc(0) })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(svc.startWorkflowExecution({ namespace: 'default', workflowId: 'x', taskQueue: { name: 'q' } })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(svc.startWorkflowExecution({ namespace: 'no-such-ns', workflowId: 'x', workflowType: { name: 't' }, taskQueue: { name: 'q' } })).rejects.toMatchObject({ code: status.NOT_FOUND });
    const otherNs = new Client({ connection, namespace: 'never-registered' });
    await expect(otherNs.workflow.start(wf.threeActivities, { taskQueue, workflowId: 'x', args: [1] })).rejects.toMatchObject({ name: 'NamespaceNotFoundError' });
    // Bytes that are not a protobuf message: the real (grpc-go) frontend answers INTERNAL too.
    await expect(rawCall(sandbox.address, 'StartWorkflowExecution', Buffer.from([0x0a, 0xff, 0xff, 0xff]))).rejects.toMatchObject({ code: status.INTERNAL });
    await expect(client.workflow.getHandle('does-not-exist').describe()).rejects.toMatchObject({ name: 'WorkflowNotFoundError' });
    await expect(svc.updateWorkflowExecution({ namespace: 'default' })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(svc.resetWorkflowExecution({ namespace: 'default' })).rejects.toMatchObject({ code: status.UNIMPLEMENTED });
    // The server is still serving.
    expect(await client.workflow.execute(wf.threeActivities, { taskQueue, workflowId: uid('after-bad'), args: [1] })).toBe(7);
  });

  it('fails the next calls of an RPC through the fault hooks', async () => {
    sandbox.faults.failNext('DescribeWorkflowExecution', 1, status.PERMISSION_DENIED);
    const handle = await client.workflow.start(wf.threeActivities, { taskQueue, workflowId: uid('faults'), args: [1] });
    await expect(connection.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId: handle.workflowId } })).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
    sandbox.faults.addLatency('*', 20);
    expect(await handle.result()).toBe(7);
    sandbox.faults.clear();
  });
});

describe('test clock', () => {
  it('fires a timer only when the clock is advanced', async () => {
    const manual = await start({ clock: 'manual' });
    const conn = await connect(manual.address);
    const worker = await Worker.create({ connection: conn.native, taskQueue: 'manual', workflowBundle, activities: createActivities() });
    try {
      await worker.runUntil(async () => {
        const handle = await conn.client.workflow.start(wf.sleeper, { taskQueue: 'manual', workflowId: uid('manual'), args: [3_600_000] });
        // Advance only once the timer is armed: advancing while the first workflow task is still
        // running would time that task out (a fixed pause was too short on a loaded machine).
        while (!(await handle.fetchHistory()).events!.some((e) => e.timerStartedEventAttributes)) await sleep(20);
        expect((await handle.describe()).status.name).toBe('RUNNING');
        manual.clock.advance(3_600_000);
        expect(await handle.result()).toBe(3_600_000);
      });
      await replayAll(conn.client, workflowBundle);
    } finally {
      await conn.native.close();
      await conn.connection.close();
      await manual.close();
    }
  });
});

describe('self-check', () => {
  it('would notice a nondeterministic history', async () => {
    const handle = await client.workflow.start(wf.threeActivities, { taskQueue: CACHED, workflowId: uid('tamper'), args: [1] });
    await handle.result();
    const history = await handle.fetchHistory();
    const scheduled = history.events!.find((e) => e.activityTaskScheduledEventAttributes)!;
    scheduled.activityTaskScheduledEventAttributes!.activityType = { name: 'somethingElse' };
    await expect(Worker.runReplayHistory({ workflowBundle, replayName: 'tampered' }, history, handle.workflowId)).rejects.toMatchObject({ name: 'DeterminismViolationError' });
  });

  it('replays every history the server produced', async () => {
    const replayed = await replayAll(client, workflowBundle);
    expect(replayed).toBeGreaterThan(30);
  });
});
