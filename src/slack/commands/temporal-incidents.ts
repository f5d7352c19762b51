import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import {
  abortUpdate,
  approveSignal,
  approveUpdate,
  closeUpdate,
  denyUpdate,
  severityUpdate,
  breakerUpdate,
  noteUpdate,
  taskUpdate,
  taskDoneUpdate,
  followUpUpdate,
  awareUpdate,
  classifyUpdate,
  clocksQuery,
  denySignal,
  eventsQuery,
  filingRefusedSignal,
  fileUpdate,
  materialUpdate,
  notNotifiableUpdate,
  subjectsUpdate,
  INCIDENT_WORKFLOW_TYPE,
  type DecisionResult,
  incidentWorkflowId,
  retryStepUpdate,
  skipStepUpdate,
  waitForDecisionUpdate,
  stateQuery,
  timelineQuery,
  evidenceProgressQuery,
} from '../../../workflows/api';
import { parseIncidentId, readIncidentMemo } from '../../ingress/incident-identity';
import { statusText } from '../cards/incident-card';
import type { DecisionAnswer, IncidentPort, IncidentSummary } from './incident-port';
import { breakerSignal, closeSignal, refusalSignal } from './proposed-signals';

const RUN_SEPARATOR = '::';
/** Incident ids are quoted into a visibility query: nothing but these characters. */
const SAFE_ID = /^[A-Za-z0-9._:-]+$/;

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
  // A reference is the workflow id (its latest run) or `<workflowId>::<runId>` for an earlier
  // generation of a re-opened fingerprint (see src/ingress/incident-identity.ts).
  const handle = (ref: string) => {
    const at = ref.indexOf(RUN_SEPARATOR);
    return at < 0 ? client.workflow.getHandle(ref) : client.workflow.getHandle(ref.slice(0, at), ref.slice(at + RUN_SEPARATOR.length));
  };
  /** The run holding `incidentId`: the latest run of its workflow id when its memo says so, else the run listed with it. */
  const findRun = async (incidentId: string): Promise<string | undefined> => {
    if (!SAFE_ID.test(incidentId)) return undefined;
    const { workflowId } = parseIncidentId(incidentId);
    let latest;
    try {
      latest = await client.workflow.getHandle(workflowId).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
    if (latest.type !== INCIDENT_WORKFLOW_TYPE) return undefined;
    if (readIncidentMemo(workflowId, latest.memo).incidentId === incidentId) return workflowId;
    for await (const info of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      if (readIncidentMemo(workflowId, info.memo).incidentId === incidentId) return `${workflowId}${RUN_SEPARATOR}${info.runId}`;
    }
    return undefined;
  };
  /** Runs an update; a validator's refusal comes back as the answer, anything else throws. */
  const decide = async <A>(workflowId: string, update: UpdateDefinition<DecisionResult, [A]>, arg: A): Promise<DecisionAnswer> => {
    try {
      const result = await handle(workflowId).executeUpdate(update, { args: [arg] });
      return { accepted: true, message: result.message };
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) return { accepted: false, message: refusalMessage(err) };
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
      // `incident-<fp>.<n>` is generation n of workflow `incident-<fp>`; plain `incident-<fp>` is
      // generation 1; a bare fingerprint maps through the same rule.
      for (const candidate of [id, incidentWorkflowId(id)]) {
        const ref = await findRun(candidate);
        if (ref !== undefined) return ref;
      }
      return undefined;
    },
    state: (workflowId) => handle(workflowId).query(stateQuery),
    // Issue 13.
    evidenceProgress: (workflowId) => handle(workflowId).query(evidenceProgressQuery),
    timeline: (workflowId) => handle(workflowId).query(timelineQuery),
    events: (workflowId) => handle(workflowId).query(eventsQuery),
    approve: (workflowId, request) =>
      orSignal(decide(workflowId, approveUpdate, request), () => handle(workflowId).signal(approveSignal, request)),
    deny: (workflowId, request) => orSignal(decide(workflowId, denyUpdate, request), () => handle(workflowId).signal(denySignal, request)),
    severity: (workflowId, request) => decide(workflowId, severityUpdate, request),
    // War room (issue 16).
    note: (workflowId, request) => decide(workflowId, noteUpdate, request),
    task: (workflowId, request) => decide(workflowId, taskUpdate, request),
    taskDone: (workflowId, request) => decide(workflowId, taskDoneUpdate, request),
    followUp: (workflowId, request) => decide(workflowId, followUpUpdate, request),
    async file(workflowId, request) {
      const answer = await decide(workflowId, fileUpdate, request);
      // A rejected update leaves no trace in history: the refusal is recorded by a signal the workflow re-checks.
      if (!answer.accepted) await handle(workflowId).signal(filingRefusedSignal, request);
      return answer;
    },
    aware: (workflowId, decision) => decide(workflowId, awareUpdate, decision),
    classify: (workflowId, decision) => decide(workflowId, classifyUpdate, decision),
    material: (workflowId, decision) => decide(workflowId, materialUpdate, decision),
    notNotifiable: (workflowId, decision) => decide(workflowId, notNotifiableUpdate, decision),
    subjects: (workflowId, decision) => decide(workflowId, subjectsUpdate, decision),
    clocks: (workflowId) => handle(workflowId).query(clocksQuery),
    breaker: (workflowId, signal) => orSignal(decide(workflowId, breakerUpdate, signal), () => handle(workflowId).signal(breakerSignal, signal)),
    close: (workflowId, request) => orSignal(decide(workflowId, closeUpdate, request), () => handle(workflowId).signal(closeSignal, request)),
    refusal: (workflowId, signal) => handle(workflowId).signal(refusalSignal, signal),
    retry: (workflowId, request) => decide(workflowId, retryStepUpdate, request),
    skip: (workflowId, request) => decide(workflowId, skipStepUpdate, request),
    abort: (workflowId, request) => decide(workflowId, abortUpdate, request),
    // wait-for (issue 17, item 3).
    async decide(workflowId, request) {
      try {
        const r = await handle(workflowId).executeUpdate(waitForDecisionUpdate, { args: [request] });
        return { accepted: true, message: `step "${r.stepId}" answered "${r.answer}"${r.stops ? '; the playbook stops (the steps up to close are skipped)' : ''}` };
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) return { accepted: false, message: refusalMessage(err) };
        throw err;
      }
    },
  };
}

/**
 * An incident started on a build older than its Update (worker versioning keeps it on that build
 * until it ends) refuses it as unknown: there the decision goes by the old signal, and the answer
 * says that it was sent rather than accepted.
 */
async function orSignal(update: Promise<DecisionAnswer>, signal: () => Promise<void>): Promise<DecisionAnswer> {
  const answer = await update;
  if (answer.accepted || !answer.message.startsWith('No registered handler for update')) return answer;
  await signal();
  return { accepted: true, message: 'sent; this incident runs an earlier build, which records the decision without answering' };
}

/** The validator's own message, without the failure wrapping. */
function refusalMessage(err: WorkflowUpdateFailedError): string {
  const cause = err.cause;
  return cause instanceof Error && cause.message ? cause.message : err.message;
}
