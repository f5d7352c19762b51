import { randomUUID } from 'node:crypto';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { isGrpcServiceError, ServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { encodeMapToPayloads, encodeToPayloads } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import type { Alert } from '../domain/alert';
import type { IncidentWorkflowInput } from '../domain/step-contract';
import { alertBatchSignal, alertSignal, INCIDENT_WORKFLOW_TYPE, incidentWorkflowId } from '../../workflows/api';
import { IngressError } from './errors';
import { nextIdentity, readIncidentMemo, type IncidentMemo } from './incident-identity';
import type { OpenIncident } from './incident-cache';
import type { RunbookChoice } from './runbooks';

/** What Temporal said about an alert. */
export interface IncidentAcceptance {
  /** Absent only for a queued alert whose incident this process does not know yet. */
  incidentId: string | undefined;
  /** Run that holds the incident (absent as `incidentId`). */
  runId: string | undefined;
  /** True when the incident was already running and the alert joined it. */
  duplicate: boolean;
  /** True when the alert is durable on the alerts topic and not yet handed to Temporal. */
  queued?: boolean;
}

/** Opens or joins incidents; the seam tests and the bench can replace. */
export interface IncidentGateway {
  /** Resolves once Temporal has durably accepted the alert; rejects with a 503/500 `IngressError`. */
  accept(alert: Alert, choice: RunbookChoice): Promise<IncidentAcceptance>;
  /** Resolves when Temporal answers; rejects otherwise. */
  ping(): Promise<void>;
}

/** Options for {@link createTemporalIncidentGateway}. */
export interface TemporalGatewayOptions {
  taskQueue: string;
  /** Task queue of the evidence replay (issue 13); absent: the playbook's own queue. */
  evidenceTaskQueue?: string;
  /** Longest a request waits for Temporal before answering 503. @default 10000 */
  acceptTimeoutMs?: number;
  /** `Retry-After` sent with a 503, seconds. @default 5 */
  retryAfterSeconds?: number;
  /** Told of every RPC made, by name (the `breachline_ingress_temporal_calls_total` metric). */
  onCall?: (rpc: TemporalCall) => void;
}

/** The Temporal RPCs the ingress makes, as counted in its metrics. */
export type TemporalCall = 'describe' | 'signal_with_start' | 'signal_batch';

/** gRPC codes after which the same request may well succeed later: answered 503, not 500. */
const TRANSIENT = new Set<number>([
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.RESOURCE_EXHAUSTED,
  GrpcStatus.ABORTED,
  GrpcStatus.CANCELLED,
  GrpcStatus.UNKNOWN,
  GrpcStatus.INTERNAL,
]);

/** A Temporal error as the ingress answers it: 503 when a retry may succeed, else 500. */
function temporalFailure(error: unknown, what: string, retryAfter: string): IngressError {
  // The workflow client wraps gRPC errors of signals in a ServiceError; the raw RPCs do not.
  const grpc = isGrpcServiceError(error) ? error : error instanceof ServiceError && isGrpcServiceError(error.cause) ? error.cause : undefined;
  const code = grpc?.code;
  if (code === undefined || TRANSIENT.has(code)) {
    return new IngressError(503, 'temporal_unavailable', `Temporal did not accept the ${what}; retry later`, undefined, { 'Retry-After': retryAfter });
  }
  return new IngressError(500, 'internal', `Temporal refused the ${what} (gRPC status ${GrpcStatus[code] ?? code})`);
}

/**
 * Hands alerts to Temporal with one SignalWithStartWorkflowExecution per alert, on the workflow id
 * derived from the fingerprint: the first alert starts the incident (its input carries the alert
 * and the pinned runbook) and every alert, first included, arrives as an `alert` signal. The
 * server decides atomically whether it started a run; its `started` flag is what `duplicate`
 * reports, exact even when two replicas race on the same fingerprint.
 *
 * The raw RPC is used because `WorkflowClient.signalWithStart` drops `started`; payloads still go
 * through the client's data converter (and codecs), so the worker decodes them as usual.
 */
export function createTemporalIncidentGateway(client: Client, options: TemporalGatewayOptions): IncidentGateway {
  const timeoutMs = options.acceptTimeoutMs ?? 10_000;
  const retryAfter = String(options.retryAfterSeconds ?? 5);
  const namespace = client.options.namespace;
  const converter = client.options.loadedDataConverter;

  const failure = (error: unknown, what: string): IngressError => temporalFailure(error, what, retryAfter);

  /** The newest run of the workflow id: its identity and whether it still runs; absent when none. */
  const latestRun = async (workflowId: string): Promise<{ memo: IncidentMemo; running: boolean } | undefined> => {
    options.onCall?.('describe');
    try {
      const d = await client.withDeadline(Date.now() + timeoutMs, () => client.workflow.getHandle(workflowId).describe());
      return { memo: readIncidentMemo(workflowId, d.memo), running: d.status.name === 'RUNNING' };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw failure(error, 'alert');
    }
  };

  return {
    async accept(alert, choice) {
      const workflowId = incidentWorkflowId(alert.fingerprint);
      // Each run is its own incident: a re-opened fingerprint gets the next generation's id.
      const latest = await latestRun(workflowId);
      const next = nextIdentity(workflowId, latest?.memo);
      const input: IncidentWorkflowInput = {
        incidentId: next.incidentId,
        ...(next.previousIncidentId !== undefined ? { previousIncidentId: next.previousIncidentId } : {}),
        mode: 'live',
        alert,
        principal: choice.principal,
        runbook: choice.loaded.runbook,
        runbookContentHash: choice.loaded.contentHash,
        ...(options.evidenceTaskQueue !== undefined ? { evidenceTaskQueue: options.evidenceTaskQueue } : {}),
      };
      let response: temporal.api.workflowservice.v1.SignalWithStartWorkflowExecutionResponse;
      try {
        const [args, signalArgs, memo] = await Promise.all([
          encodeToPayloads(converter, input),
          encodeToPayloads(converter, alert),
          encodeMapToPayloads(converter, { ...next } as Record<string, unknown>),
        ]);
        options.onCall?.('signal_with_start');
        response = await client.withDeadline(Date.now() + timeoutMs, () =>
          client.workflowService.signalWithStartWorkflowExecution({
            namespace,
            identity: client.options.identity,
            requestId: randomUUID(),
            workflowId,
            workflowType: { name: INCIDENT_WORKFLOW_TYPE },
            taskQueue: { name: options.taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
            input: { payloads: args },
            signalName: alertSignal.name,
            signalInput: { payloads: signalArgs },
            memo: { fields: memo },
            // A closed incident does not swallow a new alert: the same workflow id starts a fresh run (a new incident id).
            workflowIdReusePolicy: temporal.api.enums.v1.WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
            workflowIdConflictPolicy: temporal.api.enums.v1.WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
            header: { fields: {} },
          }),
        );
      } catch (error) {
        throw failure(error, 'alert');
      }
      // Joined: the open run's incident. Started: ours (also when the open one closed meanwhile).
      const incidentId = response.started ? next.incidentId : (latest?.memo.incidentId ?? next.incidentId);
      return { incidentId, runId: response.runId, duplicate: !response.started };
    },

    async ping() {
      try {
        await client.withDeadline(Date.now() + Math.min(timeoutMs, 2_000), () => client.workflowService.describeNamespace({ namespace }));
      } catch (error) {
        throw failure(error, 'readiness probe');
      }
    },
  };
}

// Alert storms (issue 15, item 3).
/** Delivers coalesced alerts to one known run: `closed` when that run no longer runs. */
export type BatchSignaller = (incident: OpenIncident, alerts: readonly Alert[]) => Promise<'delivered' | 'closed'>;

/**
 * One `alertBatch` signal to the exact run the ingress believes open. Addressed by run id, so a
 * batch never lands on a later generation by accident: a closed run answers NOT_FOUND, reported as
 * `closed`, and the caller starts the next generation the ordinary way.
 */
export function createTemporalBatchSignaller(client: Client, options: Omit<TemporalGatewayOptions, 'taskQueue'> = {}): BatchSignaller {
  const timeoutMs = options.acceptTimeoutMs ?? 10_000;
  const retryAfter = String(options.retryAfterSeconds ?? 5);
  return async (incident, alerts) => {
    options.onCall?.('signal_batch');
    try {
      await client.withDeadline(Date.now() + timeoutMs, () => client.workflow.getHandle(incident.workflowId, incident.runId).signal(alertBatchSignal, [...alerts]));
      return 'delivered';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return 'closed';
      throw temporalFailure(error, 'alerts', retryAfter);
    }
  };
}
