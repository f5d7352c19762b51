import type { Engine } from './engine';
import { serviceErrors } from './errors';
import type { Run, UpdateState } from './model';
import { EventType, temporal, type Loose } from './proto';
import { scheduleWorkflowTask } from './workflow-task';

type WS = typeof temporal.api.workflowservice.v1;
type Req<K extends keyof WS> = WS[K] extends { create(p?: infer P): unknown } ? P : never;
type ProtocolMessage = Loose<temporal.api.protocol.v1.IMessage>;

const Stage = temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage;
const REQUEST_TYPE = 'type.googleapis.com/temporal.api.update.v1.Request';
/** Longest an update call is held before answering with the stage reached (the client polls on). */
const UPDATE_WAIT_MS = 20_000;

function stageOf(update: UpdateState): number {
  if (update.state === 'completed') return Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED;
  if (update.state === 'accepted') return Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED;
  return Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED;
}

async function waitForStage(engine: Engine, run: Run, updateId: string, stage: number, maxWaitMs: number): Promise<Loose<temporal.api.workflowservice.v1.IUpdateWorkflowExecutionResponse>> {
  const current = (): UpdateState | undefined => run.updates.get(updateId);
  const ready = (): boolean => {
    const u = current();
    return !u || run.status !== 'Running' || engine.closing || stageOf(u) >= stage;
  };
  if (!ready()) {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        run.waiters.delete(check);
        resolve();
      };
      const check = (): void => void (ready() && done());
      const timer = setTimeout(done, Math.max(0, Math.min(UPDATE_WAIT_MS, maxWaitMs)));
      run.waiters.add(check);
    });
  }
  const u = current();
  // As the real server does (temporalio/temporal#6485): an update the worker never accepted, on a run
  // that continued as new, fails retryably; the client's retry lands on the new run.
  if (u && run.status === 'ContinuedAsNew' && (u.state === 'admitted' || u.state === 'delivered')) throw serviceErrors.unavailable('Workflow is closing.');
  if (!u || (run.status !== 'Running' && u.state !== 'completed')) throw serviceErrors.notFound('workflow execution already completed');
  return {
    updateRef: { workflowExecution: { workflowId: run.workflowId, runId: run.runId }, updateId },
    outcome: u.state === 'completed' ? u.outcome : undefined,
    stage: stageOf(u),
  };
}

/** UpdateWorkflowExecution: admits the update (deduped by id) and waits for the requested stage. */
export function updateWorkflow(engine: Engine, run: Run, req: Req<'UpdateWorkflowExecutionRequest'>, maxWaitMs: number): Promise<Loose<temporal.api.workflowservice.v1.IUpdateWorkflowExecutionResponse>> {
  const updateId = req.request?.meta?.updateId;
  if (!updateId || !req.request?.input?.name) throw serviceErrors.invalidArgument('Update id and name are required.');
  if (req.firstExecutionRunId && req.firstExecutionRunId !== run.firstRunId) throw serviceErrors.notFound('workflow execution not found');
  if (!run.updates.has(updateId)) {
    if (run.status !== 'Running') throw serviceErrors.notFound('workflow execution already completed');
    run.updates.set(updateId, { id: updateId, request: req.request, state: 'admitted', acceptedEventId: 0 });
    scheduleWorkflowTask(engine, run);
  }
  const wanted = Math.max(req.waitPolicy?.lifecycleStage ?? 0, Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED);
  return waitForStage(engine, run, updateId, wanted, maxWaitMs);
}

/** PollWorkflowExecutionUpdate. */
export function pollUpdate(engine: Engine, run: Run, req: Req<'PollWorkflowExecutionUpdateRequest'>, maxWaitMs: number): Promise<Loose<temporal.api.workflowservice.v1.IPollWorkflowExecutionUpdateResponse>> {
  const updateId = req.updateRef?.updateId ?? '';
  if (!run.updates.has(updateId)) throw serviceErrors.notFound(`update ${updateId} not found`);
  return waitForStage(engine, run, updateId, req.waitPolicy?.lifecycleStage || Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED, maxWaitMs);
}

/** Request messages for the updates waiting for a workflow task; marks them delivered. */
export function updateMessages(run: Run, startedId: number): ProtocolMessage[] {
  const messages: ProtocolMessage[] = [];
  for (const u of run.updates.values()) {
    if (u.state !== 'admitted') continue;
    u.state = 'delivered';
    messages.push({
      id: `${u.id}/request`,
      protocolInstanceId: u.id,
      // The worker applies the request after this event: the one just before WorkflowTaskStarted.
      eventId: startedId - 1,
      body: { type_url: REQUEST_TYPE, value: temporal.api.update.v1.Request.encode(temporal.api.update.v1.Request.fromObject(u.request)).finish() } as never,
    });
  }
  return messages;
}

/** Whether updates still wait for a workflow task. */
export function hasAdmittedUpdates(run: Run): boolean {
  return [...run.updates.values()].some((u) => u.state === 'admitted');
}

/** Puts updates a finished task did not answer back in line (the worker never saw them). */
export function requeueDelivered(run: Run): void {
  for (const u of run.updates.values()) if (u.state === 'delivered') u.state = 'admitted';
}

function unpack<T>(message: ProtocolMessage, decode: (b: Uint8Array) => T): T {
  const body = message.body as { value?: Uint8Array | null } | null | undefined;
  return decode(body?.value ?? new Uint8Array());
}

function bodyType(message: ProtocolMessage): string {
  const body = message.body as { type_url?: string | null; typeUrl?: string | null } | null | undefined;
  return (body?.type_url ?? body?.typeUrl ?? '').replace(/^.*\//, '');
}

/**
 * Writes the event for a ProtocolMessage command (update accepted or completed). Returns false if
 * the message is not one the sandbox understands.
 */
export function applyProtocolCommand(engine: Engine, run: Run, message: ProtocolMessage | undefined, completedId: number): boolean {
  if (!message) return false;
  const type = bodyType(message);
  if (type === 'temporal.api.update.v1.Acceptance') {
    const a = unpack(message, (b) => temporal.api.update.v1.Acceptance.decode(b));
    engine.append(run, {
      eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
      workflowExecutionUpdateAcceptedEventAttributes: {
        protocolInstanceId: message.protocolInstanceId, acceptedRequestMessageId: a.acceptedRequestMessageId,
        acceptedRequestSequencingEventId: a.acceptedRequestSequencingEventId, acceptedRequest: a.acceptedRequest,
      },
    });
    return true;
  }
  if (type === 'temporal.api.update.v1.Response') {
    const r = unpack(message, (b) => temporal.api.update.v1.Response.decode(b));
    const update = run.updates.get(message.protocolInstanceId ?? '');
    engine.append(run, {
      eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
      workflowExecutionUpdateCompletedEventAttributes: { meta: r.meta, acceptedEventId: update?.acceptedEventId ?? completedId, outcome: r.outcome },
    });
    return true;
  }
  return false;
}

/** Rejections carry no command and write no history: they only answer the caller. */
export function applyRejections(run: Run, messages: readonly ProtocolMessage[]): void {
  for (const m of messages) {
    if (bodyType(m) !== 'temporal.api.update.v1.Rejection') continue;
    const r = unpack(m, (b) => temporal.api.update.v1.Rejection.decode(b));
    const update = run.updates.get(m.protocolInstanceId ?? '');
    if (!update || update.state === 'completed') continue;
    update.state = 'completed';
    update.outcome = { failure: r.failure };
  }
  for (const wake of [...run.waiters]) wake();
}
