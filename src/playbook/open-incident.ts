import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Alert } from '../domain/alert';
import type { RunMode } from '../domain/events';
import { runbookStepOf } from '../domain/runbook';
import type { LoadedRunbook } from '../domain/runbook-loader';
import type { IncidentWorkflowInput } from '../domain/step-contract';
import { alertSignal, INCIDENT_WORKFLOW_TYPE, incidentWorkflowId } from '../../workflows/api';

/** What {@link openIncident} needs. */
export interface OpenIncidentOptions {
  client: Client;
  /** Task queue of the worker that runs the playbook (the drill queue for drills). */
  taskQueue: string;
  alert: Alert;
  /** The runbook as loaded and validated by `src/domain/runbook-loader.ts`. */
  runbook: LoadedRunbook;
  /** @default 'live' */
  mode?: RunMode;
  /** Compromised principal; defaults to the alert's, then the runbook's contain step's. */
  principal?: string;
  /** Workflow id; defaults to `incident-<fingerprint>` so duplicate alerts land on one incident. */
  workflowId?: string;
  options?: IncidentWorkflowInput['options'];
  /** Task queue of the evidence replay (issue 13); absent: the playbook's own queue. */
  evidenceTaskQueue?: string;
}

/** Raised when no compromised principal can be determined for an alert. */
export class NoPrincipalError extends Error {
  constructor(readonly alertId: string) {
    super(`alert ${alertId} names no principal and the runbook's contain step has none`);
    this.name = 'NoPrincipalError';
  }
}

/** The principal the incident acts on: explicit, from the alert, or from the runbook. */
export function principalFor(alert: Alert, runbook: LoadedRunbook, explicit?: string): string {
  const fromRunbook = runbookStepOf(runbook.runbook, 'contain')?.with?.principal;
  const principal = explicit ?? alert.principal ?? fromRunbook;
  if (principal === undefined) throw new NoPrincipalError(alert.alertId);
  return principal;
}

/**
 * Opens (or joins) the incident for an alert with `signalWithStart`: the first alert starts the
 * workflow, a duplicate only signals it (workflow ids are unique, so a storm of duplicates needs
 * no shared cache). Resolves once Temporal has accepted the signal.
 */
export async function openIncident(options: OpenIncidentOptions): Promise<{ workflowId: string; incidentId: string; handle: WorkflowHandle }> {
  const workflowId = options.workflowId ?? incidentWorkflowId(options.alert.fingerprint);
  const input: IncidentWorkflowInput = {
    incidentId: workflowId,
    mode: options.mode ?? 'live',
    alert: options.alert,
    principal: principalFor(options.alert, options.runbook, options.principal),
    runbook: options.runbook.runbook,
    runbookContentHash: options.runbook.contentHash,
    ...(options.options !== undefined ? { options: options.options } : {}),
    ...(options.evidenceTaskQueue !== undefined ? { evidenceTaskQueue: options.evidenceTaskQueue } : {}),
  };
  const handle = await options.client.workflow.signalWithStart(INCIDENT_WORKFLOW_TYPE, {
    workflowId,
    taskQueue: options.taskQueue,
    args: [input],
    signal: alertSignal,
    signalArgs: [options.alert],
  });
  return { workflowId, incidentId: workflowId, handle };
}
