import { defineQuery, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type * as drillActs from '../activities/drill';
import type { DrillReport } from '../activities/drill';

/*
 * Tabletop drills (design §4, issue 6). A drill runs the real playbook in drill mode against the
 * embedded sandbox only: its own activities and the incident it opens are scheduled on the drill
 * task queue, which only the drill worker (sandbox-backed deps) serves.
 *
 * This file is also the workflow bundle entry of the main command's workers, so it re-exports
 * the playbook's workflows: one bundle serves both task queues.
 */
export { IncidentWorkflow, RegulatoryClockWorkflow } from './index';

/** Workflow type name of the drill workflow. */
export const DRILL_WORKFLOW_TYPE = 'DrillWorkflow';

/** Input of {@link DrillWorkflow}; also the action of a drill schedule. */
export interface DrillInput {
  /** Sandbox scenario to seed, e.g. `trading-exfiltration`. */
  scenario: string;
  /** @default derived from the workflow id */
  drillId?: string;
  /** Automated drills: approve and file this long after each becomes due. Absent: people answer. */
  autoRespondAfterMs?: number;
  /** How long responders have before the drill is scored as it stands. @default 30 min */
  responderTimeoutMs?: number;
}

/** Where a drill is. */
export interface DrillProgress {
  drillId: string;
  phase: 'preparing' | 'alerting' | 'responding' | 'reporting' | 'done';
  incidentId?: string;
  injects: string[];
}

/** What a finished drill returns. */
export interface DrillResult extends DrillReport {
  drillId: string;
  incidentId: string;
}

/** Progress of a running drill. */
export const drillProgressQuery = defineQuery<DrillProgress>('drillProgress');

/** Seeding a cluster: seconds of produce and consume; a retry starts from a fresh cluster. */
const seedRange = { startToCloseTimeout: '3m', retry: { initialInterval: '2s', maximumAttempts: 3 } } as const;
/** Single control-plane calls (start the incident, post a message, write the report). */
const quickCall = { startToCloseTimeout: '1m', retry: { initialInterval: '1s', maximumAttempts: 5 } } as const;

/** Sanitised drill id: schedule-started workflow ids carry a timestamp with colons. */
function drillIdOf(input: DrillInput): string {
  return (input.drillId ?? workflowInfo().workflowId).replace(/[^A-Za-z0-9._-]+/g, '-');
}

/**
 * One drill: seed the scenario on a fresh drill cluster, fire its alert, post injects to the drill
 * channel, wait for the responders (or play them), then score the response against the ground
 * truth and post the after-action report.
 */
export async function DrillWorkflow(input: DrillInput): Promise<DrillResult> {
  const taskQueue = workflowInfo().taskQueue;
  const responderTimeoutMs = input.responderTimeoutMs ?? 30 * 60_000;
  // Explicitly the drill workflow's own queue: a drill never reaches the production activity set.
  const acts = proxyActivities<ReturnType<typeof drillActs.createDrillActivities>>({ ...quickCall, taskQueue });
  const seed = proxyActivities<ReturnType<typeof drillActs.createDrillActivities>>({ ...seedRange, taskQueue });
  const wait = proxyActivities<ReturnType<typeof drillActs.createDrillActivities>>({
    taskQueue,
    startToCloseTimeout: responderTimeoutMs + 120_000,
    heartbeatTimeout: '30s',
    retry: { maximumAttempts: 3 },
  });
  const progress: DrillProgress = { drillId: drillIdOf(input), phase: 'preparing', injects: [] };
  setHandler(drillProgressQuery, () => progress);
  const drillId = progress.drillId;
  const startedAt = new Date().toISOString();
  const inject = async (text: string): Promise<void> => {
    progress.injects.push(text);
    await acts.postDrillInject({ drillId, text });
  };

  const groundTruth = await seed.prepareDrill({ drillId, scenario: input.scenario });
  await inject(`Exercise start: scenario ${input.scenario}. This is a drill; only the drill sandbox is touched.`);
  progress.phase = 'alerting';
  const fired = await acts.fireDrillAlert({ drillId, scenario: input.scenario });
  const { incidentId } = fired;
  progress.incidentId = incidentId;
  // The alert inject comes from the drill scenario registry (issue 17 item 4); drills recorded
  // before it posted trading's text, and replay them with it.
  const alertInject =
    patched('drill-scenario-inject-v1') && typeof fired.alertInject === 'string'
      ? fired.alertInject
      : 'The SIEM raised a critical alert: User:report-exporter is reading client orders far outside its baseline.';
  await inject(`${alertInject} Incident ${incidentId} is open.`);
  progress.phase = 'responding';
  await inject(
    input.autoRespondAfterMs !== undefined
      ? `Automated responders will answer each approval ${Math.round(input.autoRespondAfterMs / 1000)} s after it is requested.`
      : `Responders: approve gated steps and file the GDPR notification with /ir. You have ${Math.round(responderTimeoutMs / 60_000)} min.`,
  );
  const outcome = await wait.awaitDrillResponders({
    drillId,
    incidentId,
    timeoutMs: responderTimeoutMs,
    ...(input.autoRespondAfterMs !== undefined ? { autoRespondAfterMs: input.autoRespondAfterMs } : {}),
  });
  progress.phase = 'reporting';
  const report = await acts.reportDrill({ drillId, scenario: input.scenario, startedAt, groundTruth, outcome, injects: progress.injects });
  progress.phase = 'done';
  return { ...report, drillId, incidentId };
}
