import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { Kafka } from 'kafkajs';
import { auditEventsByIncident, readAuditRecords, verifyAuditRecords } from '../audit/audit-reader';
import { breachRegister, type RegisterRow } from '../domain/breach-register';
import type { IncidentState } from '../domain/incident';
import { SCENARIOS } from '../drill/scenario-registry';
import { INCIDENT_WORKFLOW_TYPE, stateQuery } from '../../workflows/api';
import { DRILL_WORKFLOW_TYPE, type DrillResult } from '../../workflows/drill';
import type { DrillView, IncidentStatusFilter } from './contract';
import { HttpError } from './http-kit';

/**
 * Where the console reads what the Slack port does not offer: incidents in every status (the port
 * lists running ones), drill history, and the breach register from the audit topic.
 */

/** An incident as the list needs it. */
export interface ListedIncident {
  readonly workflowId: string;
  readonly state: IncidentState;
}

/** Incidents by status. */
export interface IncidentDirectory {
  list(status: IncidentStatusFilter): Promise<ListedIncident[]>;
}

/** Finished drills and their scores, oldest first. */
export interface DrillHistory {
  list(): Promise<DrillView[]>;
}

/** The breach register, rebuilt from the audit topic. */
export interface RegisterSource {
  rows(): Promise<RegisterRow[]>;
}

/** A run that continued as new is the same incident as its successor: never listed on its own. */
const STATUS_CLAUSE: Readonly<Record<IncidentStatusFilter, string>> = {
  open: " AND ExecutionStatus = 'Running'",
  closed: " AND ExecutionStatus != 'Running' AND ExecutionStatus != 'ContinuedAsNew'",
  all: " AND ExecutionStatus != 'ContinuedAsNew'",
};

/**
 * Incidents from Temporal visibility, newest first, each with its state (a query, which Temporal
 * answers for closed runs too). A run that cannot answer is left out of the list rather than shown
 * with made-up fields. `limit` bounds the queries per request.
 */
export function temporalIncidentDirectory(client: Client, limit = 100): IncidentDirectory {
  return {
    async list(status) {
      const infos: WorkflowExecutionInfo[] = [];
      for await (const info of client.workflow.list({ query: `WorkflowType = '${INCIDENT_WORKFLOW_TYPE}'${STATUS_CLAUSE[status]}` })) {
        infos.push(info);
        if (infos.length >= limit) break;
      }
      const answers = await Promise.all(
        infos.map(async (info) => {
          try {
            const state = await client.workflow.getHandle(info.workflowId, info.runId).query(stateQuery);
            return { workflowId: consoleRef(info.workflowId, info.status.name === 'RUNNING', state.incidentId), state };
          } catch {
            return undefined;
          }
        }),
      );
      return answers.filter((a): a is ListedIncident => a !== undefined);
    },
  };
}

/**
 * The id the console hands out for an incident run, which `/api/incidents/:id` resolves back to
 * that run: the workflow id for a running run (always the latest of its id) and for a first
 * generation; for a closed later generation of a re-opened fingerprint its incident id
 * (`incident-<fp>.<n>`), since the workflow id then means the newest run.
 */
export function consoleRef(workflowId: string, running: boolean, incidentId: string): string {
  return running || incidentId === workflowId ? workflowId : incidentId;
}

/** A drill passes with at least this many of its 100 points. */
export const DRILL_PASS_MARK = 70;

/** The scenario a drill's workflow id names (`drill-<scenario>-…`, see src/drill/port.ts). */
function scenarioOf(workflowId: string): string {
  const rest = workflowId.replace(/^drill-/, '');
  return [...SCENARIOS].sort((a, b) => b.length - a.length).find((s) => rest === s || rest.startsWith(`${s}-`)) ?? 'unknown';
}

/** Drills from Temporal visibility: score and pass for completed ones, null while running or after a failure. */
export function temporalDrillHistory(client: Client, limit = 200): DrillHistory {
  return {
    async list() {
      const infos: WorkflowExecutionInfo[] = [];
      for await (const info of client.workflow.list({ query: `WorkflowType = '${DRILL_WORKFLOW_TYPE}'` })) {
        infos.push(info);
        if (infos.length >= limit) break;
      }
      const drills = await Promise.all(
        infos.map(async (info): Promise<DrillView> => {
          let score: number | null = null;
          if (info.status.name === 'COMPLETED') {
            try {
              score = ((await client.workflow.getHandle(info.workflowId, info.runId).result()) as DrillResult).points;
            } catch {
              score = null;
            }
          }
          return { id: info.workflowId, scenario: scenarioOf(info.workflowId), startedAt: info.startTime.toISOString(), score, passed: score === null ? null : score >= DRILL_PASS_MARK };
        }),
      );
      return drills.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    },
  };
}

/**
 * The register from the audit topic, as `breachline register export` builds it. A topic whose
 * hash chain does not verify yields no register (a register built on tampered records is a
 * forgery): the console answers 503 naming the broken record.
 */
export function auditRegisterSource(kafka: Kafka, topic: string): RegisterSource {
  return {
    async rows() {
      const records = await readAuditRecords(kafka, topic);
      const verdict = verifyAuditRecords(records);
      if (!verdict.ok) throw new HttpError(503, `the audit topic's chain is broken at record ${verdict.index} (offset ${verdict.offset ?? '?'}): ${verdict.message}`);
      return breachRegister(auditEventsByIncident(records));
    },
  };
}
