import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { DomainEvent } from '../src/domain/events';
import type { IncidentState } from '../src/domain/incident';
import type { DrillRange } from '../src/drill/range';
import { renderAfterActionReport } from '../src/drill/report';
import { drillScenario, type DrillScenario, type ScenarioTruth } from '../src/drill/scenario-registry';
import { scoreDrill, type AccuracyCheck, type DrillGroundTruth } from '../src/drill/score';
import { normaliseForRouting } from '../src/ingress/routing-fields';
import type { RunbookCatalog } from '../src/ingress/runbooks';
import type { Logger } from '../src/log/logger';
import { openIncident } from '../src/playbook/open-incident';
import { approveSignal, eventsQuery, fileNotificationSignal, stateQuery } from '../workflows/api';

/** What the drill activities need; built by the worker next to the drill range. */
export interface DrillActivityDeps {
  range: DrillRange;
  /** Client of the Temporal the drills run on; used to start and answer the drill's incident. */
  client: Client;
  /** The drill task queue: the drill's incident is started there and nowhere else. */
  drillTaskQueue: string;
  runbooks: RunbookCatalog;
  /** Directory the after-action reports are written to. */
  reportDir: string;
  logger: Logger;
  /** How often the responder wait polls the incident. @default 500 */
  pollMs?: number;
}

/** Input of `awaitDrillResponders`. */
export interface AwaitRespondersInput {
  drillId: string;
  incidentId: string;
  /** Automated drills: approve each pending approval and file each notification this long after it is due. */
  autoRespondAfterMs?: number;
  /** Give up waiting for the incident to close after this long. */
  timeoutMs: number;
}

/** What the responders did. */
export interface RespondersOutcome {
  state: IncidentState;
  responders: string[];
  approvalRequests: Array<{ approvalId: string; at: string }>;
  timedOut: boolean;
  /** The incident's domain events, for the scenario's accuracy checks (absent in drills recorded before 0.3). */
  events?: DomainEvent[];
}

/** Input of `reportDrill`. */
export interface ReportDrillInput {
  drillId: string;
  scenario: string;
  startedAt: string;
  /** The scenario's ground truth; drills started before the scenario registry carry a trading one without `scenario`. */
  groundTruth: ScenarioTruth | DrillGroundTruth;
  outcome: RespondersOutcome;
  injects: string[];
}

/** The scored drill. */
export interface DrillReport {
  points: number;
  markdown: string;
  path: string;
  timeToContainmentMs?: number;
  /** Every accuracy check of the scenario is ok. */
  accuracyExact: boolean;
  /** Same as `accuracyExact`, kept for clients of release 0.2.0 (trading's checks are its forensic figures). @deprecated */
  forensicsExact: boolean;
  /** The scenario's accuracy checks, as the after-action report lists them. */
  accuracyChecks: AccuracyCheck[];
}

/** What `fireDrillAlert` returns. */
export interface FiredDrillAlert {
  incidentId: string;
  /** The scenario's inject for the alert (the workflow posts it, naming the incident). */
  alertInject: string;
  /** The runbook ingress routed the alert to. */
  runbookId: string;
}

const AUTO_RESPONDER = 'auto-responder';

/** The drill's activities: prepare the range, fire the alert, wait for responders, score and report. */
export function createDrillActivities(deps: DrillActivityDeps) {
  const pollMs = deps.pollMs ?? 500;
  return {
    /** Fresh drill cluster with the scenario seeded; returns its ground truth. */
    async prepareDrill(input: { drillId: string; scenario: string }): Promise<ScenarioTruth> {
      const scenario = knownScenario(input.scenario).name;
      deps.logger.info({ drillId: input.drillId, scenario }, 'preparing drill range');
      return deps.range.prepare(scenario, new Date());
    },

    /**
     * Raises the scenario's alert the way ingress does: the generic payload normalised by the
     * ingress parser, the runbook chosen by the ingress catalog, then signalWithStart, but on the
     * drill task queue and in drill mode. The runbook is the one the runbooks' `serves` rules pick
     * for the scenario's payload, as for a real SIEM alert.
     */
    async fireDrillAlert(input: { drillId: string; scenario: string }): Promise<FiredDrillAlert> {
      const scenario = knownScenario(input.scenario);
      const now = new Date();
      // As ingress reads it: with the alert-document fields the runbooks' serves rules name (the
      // vault-token-leak alert is routed, and its trace step fed, by its `accessor` field).
      const alert = normaliseForRouting('generic', scenario.alertPayload(now, `drill-${input.drillId}`, deps.range.truth), now, deps.runbooks.routedFields);
      const { loaded, principal } = deps.runbooks.choose(alert);
      // Another runbook directory may route differently; the drill then exercises what ingress would do.
      if (loaded.runbook.id !== scenario.runbookId) deps.logger.warn({ drillId: input.drillId, scenario: scenario.name, expected: scenario.runbookId, routed: loaded.runbook.id }, 'drill alert routed to another runbook than its scenario names');
      const { incidentId } = await openIncident({
        client: deps.client,
        taskQueue: deps.drillTaskQueue,
        alert,
        runbook: loaded,
        principal,
        mode: 'drill',
        workflowId: `${input.drillId}-incident`,
      });
      return { incidentId, alertInject: scenario.alertInject, runbookId: loaded.runbook.id };
    },

    /** Posts an inject (a scripted development of the exercise) to the drill channel. */
    async postDrillInject(input: { drillId: string; text: string }): Promise<void> {
      await deps.range.conversation.postIncidentMessage({ channel: deps.range.channel, text: `[drill ${input.drillId}] ${input.text}` });
    },

    /**
     * Waits for the incident to close. With `autoRespondAfterMs` it plays the responders: each
     * approval is granted and each regulatory filing made that long after it became due.
     */
    async awaitDrillResponders(input: AwaitRespondersInput): Promise<RespondersOutcome> {
      const handle = deps.client.workflow.getHandle(input.incidentId);
      const deadline = Date.now() + input.timeoutMs;
      const firstSeen = new Map<string, number>();
      const sent = new Set<string>();
      let state = await handle.query(stateQuery);
      for (;;) {
        Context.current().heartbeat({ status: state.status });
        if (state.status === 'closed') break;
        if (Date.now() >= deadline) break;
        if (input.autoRespondAfterMs !== undefined) await autoRespond(state, input, firstSeen, sent, (name, args) => handle.signal(name as never, ...(args as [])));
        await Context.current().sleep(pollMs);
        state = await handle.query(stateQuery);
      }
      const events = await handle.query(eventsQuery);
      const approvalRequests = events.filter((e): e is Extract<DomainEvent, { type: 'ApprovalRequested' }> => e.type === 'ApprovalRequested').map((e) => ({ approvalId: e.data.approvalId, at: e.at }));
      const responders = [...new Set(state.decisions.map((d) => d.approver))];
      // The next drill replaces the range under it: an incident left running would act on nothing.
      if (state.status !== 'closed') await handle.terminate(`drill ${input.drillId} ended before the incident closed`).catch(() => undefined);
      return { state, responders, approvalRequests, timedOut: state.status !== 'closed', events };
    },

    /** Scores the response, posts the after-action report to the drill channel and writes it as Markdown. */
    async reportDrill(input: ReportDrillInput): Promise<DrillReport> {
      const score = scoreDrill(input.outcome.state, input.groundTruth, input.outcome.approvalRequests, { events: input.outcome.events ?? [] });
      const markdown = renderAfterActionReport(score, {
        drillId: input.drillId,
        scenario: input.scenario,
        startedAt: input.startedAt,
        finishedAt: new Date().toISOString(),
        responders: input.outcome.responders,
        injects: input.injects,
      });
      if (!/^[A-Za-z0-9._-]+$/.test(input.drillId)) throw ApplicationFailure.nonRetryable(`drill id ${input.drillId} is not a safe file name`, 'InvalidDrillId');
      await mkdir(deps.reportDir, { recursive: true });
      const path = join(deps.reportDir, `${input.drillId}.md`);
      await writeFile(path, markdown, 'utf8');
      await deps.range.conversation.postIncidentMessage({ channel: deps.range.channel, text: markdown });
      return { points: score.points, markdown, path, ...(score.timeToContainmentMs !== undefined ? { timeToContainmentMs: score.timeToContainmentMs } : {}), accuracyExact: score.accuracy.exact, forensicsExact: score.accuracy.exact, accuracyChecks: score.accuracy.checks };
    },
  };
}

/** The registered scenario; an unknown name fails for good (a retry cannot make it known). */
function knownScenario(name: string): DrillScenario {
  try {
    return drillScenario(name);
  } catch (err) {
    throw ApplicationFailure.nonRetryable((err as Error).message, 'UnknownScenario');
  }
}

type Signal = (name: typeof approveSignal | typeof fileNotificationSignal, args: unknown[]) => Promise<void>;

/** One round of the automated responders: answers what has been due for `autoRespondAfterMs`. */
async function autoRespond(state: IncidentState, input: AwaitRespondersInput, firstSeen: Map<string, number>, sent: Set<string>, signal: Signal): Promise<void> {
  const delay = input.autoRespondAfterMs ?? 0;
  const due = (key: string): boolean => {
    const seen = firstSeen.get(key) ?? Date.now();
    firstSeen.set(key, seen);
    return !sent.has(key) && Date.now() - seen >= delay;
  };
  for (const p of state.pendingApprovals) {
    if (!due(`approve:${p.approvalId}`)) continue;
    sent.add(`approve:${p.approvalId}`);
    await signal(approveSignal, [{ stepId: p.stepId, approver: AUTO_RESPONDER, role: p.role, comment: `drill ${input.drillId}` }]);
  }
  for (const clock of Object.values(state.clocks)) {
    if (clock.filed === undefined && due(`file:${clock.regime}`)) {
      sent.add(`file:${clock.regime}`);
      await signal(fileNotificationSignal, [{ regime: clock.regime, recipient: 'supervisory-authority', authority: 'drill authority', reference: `DRILL-${input.drillId}`, filer: AUTO_RESPONDER }]);
    }
    if (clock.dataSubjectNotification !== undefined && clock.dataSubjectsNotified === undefined && due(`subjects:${clock.regime}`)) {
      sent.add(`subjects:${clock.regime}`);
      await signal(fileNotificationSignal, [{ regime: clock.regime, recipient: 'data-subjects', authority: 'drill authority', reference: `DRILL-${input.drillId}-A34`, filer: AUTO_RESPONDER }]);
    }
  }
}
