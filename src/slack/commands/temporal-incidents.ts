import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import {
  abortUpdate,
  approveSignal,
  denySignal,
  eventsQuery,
  fileNotificationSignal,
  INCIDENT_WORKFLOW_TYPE,
  incidentWorkflowId,
  retryStepUpdate,
  skipStepUpdate,
  stateQuery,
  timelineQuery,
} from '../../../workflows/api';
import { statusText } from '../cards/incident-card';
import type { IncidentPort, IncidentSummary, UpdateAnswer } from './incident-port';
import { breakerSignal, closeSignal, refusalSignal } from './proposed-signals';

/** Options for {@link createTemporalIncidentPort}. */
export interface TemporalIncidentPortOptions {
  /** Most incidents `/ir list` queries for their title and status. @default 25 */
  readonly listLimit?: number;
}

/**
 * The incident port over a `@temporalio/client` Client: visibility for the list, queries for
 * reading, signals for acting. Signals are fire-and-forget by Temporal's design; commands read
 * the state back afterwards to tell the user what changed.
 */
export function createTemporalIncidentPort(client: Client, options: TemporalIncidentPortOptions = {}): IncidentPort {
  const limit = options.listLimit ?? 25;
  const handle = (workflowId: string) => client.workflow.getHandle(workflowId);
  const exists = async (workflowId: string): Promise<boolean> => {
    try {
      const d = await handle(workflowId).describe();
      return d.type === INCIDENT_WORKFLOW_TYPE;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  };
  return {
    async list() {
      const query = `WorkflowType = '${INCIDENT_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;
      const ids: string[] = [];
      for await (const info of client.workflow.list({ query })) {
        ids.push(info.workflowId);
        if (ids.length >= limit) break;
      }
      const out: IncidentSummary[] = [];
      for (const workflowId of ids) {
        try {
          const s = await handle(workflowId).query(stateQuery);
          out.push({ workflowId, incidentId: s.incidentId, title: s.title, status: statusText(s), severity: s.severity, pendingApprovals: s.pendingApprovals.length });
        } catch {
          // A run that cannot answer yet (no worker) is still listed, without details.
          out.push({ workflowId, incidentId: workflowId, title: '(not answering)', status: 'unknown', severity: 'unknown', pendingApprovals: 0 });
        }
      }
      return out;
    },
    async resolve(id) {
      if (id.length === 0) return undefined;
      // The incident id is the workflow id today; a bare fingerprint maps through the same rule.
      for (const candidate of [id, incidentWorkflowId(id)]) {
        if (await exists(candidate)) return candidate;
      }
      return undefined;
    },
    state: (workflowId) => handle(workflowId).query(stateQuery),
    timeline: (workflowId) => handle(workflowId).query(timelineQuery),
    events: (workflowId) => handle(workflowId).query(eventsQuery),
    approve: (workflowId, signal) => handle(workflowId).signal(approveSignal, signal),
    deny: (workflowId, signal) => handle(workflowId).signal(denySignal, signal),
    fileNotification: (workflowId, filing) => handle(workflowId).signal(fileNotificationSignal, filing),
    breaker: (workflowId, signal) => handle(workflowId).signal(breakerSignal, signal),
    close: (workflowId, signal) => handle(workflowId).signal(closeSignal, signal),
    refusal: (workflowId, signal) => handle(workflowId).signal(refusalSignal, signal),
    retry: (workflowId, request) => answer(handle(workflowId).executeUpdate(retryStepUpdate, { args: [request] })),
    skip: (workflowId, request) => answer(handle(workflowId).executeUpdate(skipStepUpdate, { args: [request] })),
    abort: (workflowId, request) => answer(handle(workflowId).executeUpdate(abortUpdate, { args: [request] })),
  };
}

/** An Update's result, or the validator's refusal as the workflow worded it. */
async function answer(update: Promise<string>): Promise<UpdateAnswer> {
  try {
    return { accepted: true, message: await update };
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) return { accepted: false, message: err.cause?.message ?? err.message };
    throw err;
  }
}
