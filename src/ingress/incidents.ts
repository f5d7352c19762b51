import { randomUUID } from 'node:crypto';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { isGrpcServiceError, type Client } from '@temporalio/client';
import { encodeToPayloads } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import type { Alert } from '../domain/alert';
import type { IncidentWorkflowInput } from '../domain/step-contract';
import { alertSignal, INCIDENT_WORKFLOW_TYPE, incidentWorkflowId } from '../../workflows/api';
import { IngressError } from './errors';
import type { RunbookChoice } from './runbooks';

/** What Temporal said about an alert. */
export interface IncidentAcceptance {
  incidentId: string;
  /** Run that holds the incident. */
  runId: string;
  /** True when the incident was already running and the alert joined it. */
  duplicate: boolean;
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
  /** Longest a request waits for Temporal before answering 503. @default 10000 */
  acceptTimeoutMs?: number;
  /** `Retry-After` sent with a 503, seconds. @default 5 */
  retryAfterSeconds?: number;
}

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

  const failure = (error: unknown, what: string): IngressError => {
    const code = isGrpcServiceError(error) ? error.code : undefined;
    if (code === undefined || TRANSIENT.has(code)) {
      return new IngressError(503, 'temporal_unavailable', `Temporal did not accept the ${what}; retry later`, undefined, { 'Retry-After': retryAfter });
    }
    return new IngressError(500, 'internal', `Temporal refused the ${what} (gRPC status ${GrpcStatus[code] ?? code})`);
  };

  return {
    async accept(alert, choice) {
      const incidentId = incidentWorkflowId(alert.fingerprint);
      const input: IncidentWorkflowInput = {
        incidentId,
        mode: 'live',
        alert,
        principal: choice.principal,
        runbook: choice.loaded.runbook,
        runbookContentHash: choice.loaded.contentHash,
      };
      let response: temporal.api.workflowservice.v1.SignalWithStartWorkflowExecutionResponse;
      try {
        const [args, signalArgs] = await Promise.all([encodeToPayloads(converter, input), encodeToPayloads(converter, alert)]);
        response = await client.withDeadline(Date.now() + timeoutMs, () =>
          client.workflowService.signalWithStartWorkflowExecution({
            namespace,
            identity: client.options.identity,
            requestId: randomUUID(),
            workflowId: incidentId,
            workflowType: { name: INCIDENT_WORKFLOW_TYPE },
            taskQueue: { name: options.taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
            input: { payloads: args },
            signalName: alertSignal.name,
            signalInput: { payloads: signalArgs },
            // A closed incident does not swallow a new alert: the same id starts a fresh run.
            workflowIdReusePolicy: temporal.api.enums.v1.WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
            workflowIdConflictPolicy: temporal.api.enums.v1.WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
            header: { fields: {} },
          }),
        );
      } catch (error) {
        throw failure(error, 'alert');
      }
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
