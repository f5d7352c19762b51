import { Client as GrpcClient, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { WorkflowFailedError, type Client, type Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type RunningTemporalSandbox } from '../../../src/sandbox/temporal';
import { createActivities, sideEffects } from './workflows/activities';
import { bundle, connect, quietRuntime, replayAll, uid } from './helpers';
import * as wf from './workflows';

const TASK_QUEUE = 'limits';
/** History lines lowered so a test reaches them in a second; blob limits keep the real defaults. */
const SUGGEST_AT = 30;
const COUNT_LIMIT = 90;
const MB = 1024 * 1024;
const EventType = temporal.api.enums.v1.EventType;

let sandbox: RunningTemporalSandbox;
let client: Client;
let connection: Connection;
let native: NativeConnection;
let workflowBundle: WorkflowBundleWithSourceMap;
let worker: Worker;
let running: Promise<void>;
/** Every warning the sandbox logged, as pino wrote it. */
const logged: Array<{ msg: string; workflowId?: string; [k: string]: unknown }> = [];

beforeAll(async () => {
  quietRuntime();
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line) as (typeof logged)[number]) });
  sandbox = await start({
    logger,
    limits: { historyCountSuggestContinueAsNew: SUGGEST_AT, historyCountWarn: SUGGEST_AT, historyCountError: COUNT_LIMIT },
  });
  ({ client, connection, native } = await connect(sandbox.address));
  workflowBundle = await bundle();
  worker = await Worker.create({ connection: native, taskQueue: TASK_QUEUE, workflowBundle, activities: createActivities() });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await native?.close();
  await connection?.close();
  await sandbox?.close();
});

/** Sends raw bytes to a WorkflowService method, past the SDK client's own retries (gzipped with `gzip`). */
function rawCall(method: string, body: Uint8Array, gzip = false): Promise<Buffer> {
  const raw = new GrpcClient(sandbox.address, credentials.createInsecure(), gzip ? { 'grpc.default_compression_algorithm': 2 } : {});
  return new Promise<Buffer>((resolve, reject) => {
    raw.makeUnaryRequest(`/temporal.api.workflowservice.v1.WorkflowService/${method}`, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(body), (err, res) => {
      raw.close();
      if (err) reject(err);
      else resolve(res!);
    });
  });
}

async function historyOf(workflowId: string): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return history.events ?? [];
}

describe('payload size limits (real server defaults: 2 MB error, 512 KB warning)', () => {
  it('refuses a 2.4 MB workflow argument with INVALID_ARGUMENT, and starts nothing', async () => {
    const workflowId = uid('big-arg');
    const err = await client.workflow
      .start(wf.echoLength, { taskQueue: TASK_QUEUE, workflowId, args: ['x'.repeat(2.4 * MB)] })
      .then(() => undefined, (e: unknown) => e as Error & { cause?: ServiceError });
    expect(err).toBeDefined();
    expect(err!.cause?.code).toBe(status.INVALID_ARGUMENT);
    expect(err!.cause?.details).toBe('Blob data size exceeds limit.');
    await expect(client.workflow.getHandle(workflowId).describe()).rejects.toThrow(/not found/i);
  });

  it('accepts a 600 KB argument but logs a warning naming the workflow', async () => {
    const workflowId = uid('warned-arg');
    const length = await client.workflow.execute(wf.echoLength, { taskQueue: TASK_QUEUE, workflowId, args: ['x'.repeat(600 * 1024)] });
    expect(length).toBe(600 * 1024);
    expect(logged.find((l) => l.msg === 'Blob data size exceeds the warning limit.' && l.workflowId === workflowId)).toBeDefined();
  });

  it('refuses a message over the 4 MB gRPC limit with RESOURCE_EXHAUSTED before reading it', async () => {
    const T = temporal.api.workflowservice.v1.StartWorkflowExecutionRequest;
    const request = T.encode({
      namespace: 'default', workflowId: uid('huge'), workflowType: { name: 'echoLength' }, taskQueue: { name: TASK_QUEUE }, requestId: uid('r'),
      input: { payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.alloc(5 * MB, 0x41) }] },
    }).finish();
    const err = await rawCall('StartWorkflowExecution', request).then(() => undefined, (e: unknown) => e as ServiceError);
    expect(err?.code).toBe(status.RESOURCE_EXHAUSTED);
    // Gzipped (as the worker sends everything), the same request is a few kilobytes on the wire
    // and is refused once inflated past the limit.
    const zipped = await rawCall('StartWorkflowExecution', request, true).then(() => undefined, (e: unknown) => e as ServiceError);
    expect(zipped?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(zipped?.details).toMatch(/decompresses to a size larger than 4194304/);
  });

  it('records a 2.4 MB activity result as a non-retryable server failure, after one attempt', async () => {
    sideEffects.delete('blob');
    const outcome = await client.workflow.execute(wf.largeActivityResult, { taskQueue: TASK_QUEUE, workflowId: uid('big-result'), args: [2.4 * MB] });
    expect(outcome).toEqual({ ok: false, cause: 'Complete result exceeds size limit.', causeName: 'ServerFailure', nonRetryable: true, retryState: 'NON_RETRYABLE_FAILURE' });
    expect(sideEffects.get('blob')).toBe(1);
  });

  it('fails the workflow task and terminates the run when a command carries 2.4 MB', async () => {
    const workflowId = uid('big-input');
    const handle = await client.workflow.start(wf.largeActivityInput, { taskQueue: TASK_QUEUE, workflowId, args: [2.4 * MB] });
    const err = await handle.result().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const reason = 'BadScheduleActivityAttributes: ScheduleActivityTaskCommandAttributes.Input exceeds size limit.';
    expect((err as WorkflowFailedError).cause?.message).toBe(reason);
    const events = await historyOf(workflowId);
    const [failed, terminated] = events.slice(-2);
    expect(failed!.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
    expect(failed!.workflowTaskFailedEventAttributes?.cause).toBe(temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES);
    expect(terminated!.workflowExecutionTerminatedEventAttributes).toMatchObject({ reason, identity: 'history-service' });
    expect(events.some((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe(false);
  });
});

describe('history limits (lowered: suggest and warn at 30 events, terminate past 90)', () => {
  it('suggests continue-as-new past the warn line, then terminates a run that ignores it', async () => {
    const workflowId = uid('grower');
    const handle = await client.workflow.start(wf.historyGrower, { taskQueue: TASK_QUEUE, workflowId, args: [1_000] });
    const err = await handle.result().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause?.message).toBe('Workflow history count exceeds limit.');

    const events = await historyOf(workflowId);
    const last = events[events.length - 1]!;
    expect(last.workflowExecutionTerminatedEventAttributes).toMatchObject({ reason: 'Workflow history count exceeds limit.', identity: 'history-service' });
    // Cut at the line: the completion that would cross it is refused, so at most the failed task
    // and the termination follow the last event under the limit.
    expect(events.length).toBeGreaterThan(COUNT_LIMIT - 10);
    expect(events.length).toBeLessThanOrEqual(COUNT_LIMIT + 2);

    const started = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
    for (const e of started) {
      const a = e.workflowTaskStartedEventAttributes!;
      expect(a.suggestContinueAsNew).toBe(Number(e.eventId) >= SUGGEST_AT);
      expect(Number(a.historySizeBytes)).toBeGreaterThan(0);
    }
    expect(started.some((e) => e.workflowTaskStartedEventAttributes!.suggestContinueAsNew)).toBe(true);

    // The SDK exposes the suggestion: the workflow noted where it first saw it.
    const seen = await handle.query(wf.suggestionQuery);
    expect(seen?.suggested).toBe(true);
    expect(seen!.historyLength).toBeGreaterThanOrEqual(SUGGEST_AT);
    expect(seen!.historyLength).toBeLessThan(SUGGEST_AT + 10);
    expect(seen!.historySize).toBeGreaterThan(0);

    expect(logged.find((l) => l.msg === 'history count exceeds warn limit.' && l.workflowId === workflowId)).toBeDefined();
  });

  it('lets a run that continues as new on the suggestion finish, carrying its state', async () => {
    const result = await client.workflow.execute(wf.historyFolder, { taskQueue: TASK_QUEUE, workflowId: uid('folder'), args: [25] });
    expect(result.total).toBe(25);
    expect(result.runs).toBeGreaterThan(1);
  });

  it('replays every history the limits produced', async () => {
    expect(await replayAll(client, workflowBundle)).toBeGreaterThan(4);
  });
});
