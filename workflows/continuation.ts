import { allHandlersFinished, condition, continueAsNew, patched, workflowInfo } from '@temporalio/workflow';
import type { IncidentState } from '../src/domain/incident';
import { planSteps } from '../src/domain/runbook';
import type { IncidentCarry, IncidentWorkflowInput } from '../src/domain/step-contract';
import { adoptClocks } from './clocks';
import type { Run } from './context';
import { startEvidence } from './incident-steps';
import { compensation } from './steps';
import { resolveStep } from './step-references';

/**
 * Long incidents continue as new (issue 9). An incident can wait days for people (approvals,
 * needs-attention decisions, filings) while alerts, clock events and evidence progress keep adding
 * history; Temporal suggests continuing as new long before its limits. The incident does so at a
 * safe point only: where the playbook waits for a person or stands between steps, no evidence
 * activity runs, every handler has finished and the audit topic has everything it can take. The
 * next run receives the same input plus {@link IncidentCarry}: the committed events (refolded by
 * its ledger: the events are the state) and what the run holds besides them. Clock workflows were
 * started with parent-close ABANDON and are reached by id, so they simply go on.
 */

/** Why `patched`: a 0.2.0 incident never continues as new and never resumes from a carry. */
export const CONTINUE_AS_NEW_PATCH = 'continue-as-new-v1';

/** Thrown by a wait that gives way to the next run; the incident catches it and continues as new. */
export class ContinueAsNewDue extends Error {
  constructor() {
    super('the incident continues as new at this safe point');
    this.name = 'ContinueAsNewDue';
  }
}

/** What one run knows about continuing: whether it may, whether it should now, and where it stands. */
export class Continuation {
  /** Index of the planned step the playbook is at (or goes to next, between steps). */
  stepIndex = 0;
  /** The evidence replay: activities in flight (`running`) make no point safe. */
  evidence: 'idle' | 'running' | 'waiting' = 'idle';
  /** The audit topic was ensured, so the next run does not ask again. */
  auditTopicReady = false;

  constructor(
    /** False for dry runs and for histories of releases before the patch. */
    readonly enabled: boolean,
    /** Runs before this one: 0 for the run the incident opened in. */
    readonly generation: number,
    private readonly afterEvents: number | undefined,
  ) {}

  /** The server suggests it, or the history has passed the configured length. */
  get requested(): boolean {
    if (!this.enabled) return false;
    const info = workflowInfo();
    return info.continueAsNewSuggested || (this.afterEvents !== undefined && info.historyLength >= this.afterEvents);
  }

  /** Requested, and nothing runs that the next run could not pick up (the waits call this). */
  due(): boolean {
    return this.requested && this.evidence !== 'running';
  }
}

/**
 * The lowest `continueAsNewAfterEvents` honoured: a continued run writes about a dozen events
 * before it waits again (start, its first tasks, shipping what it was handed), so a lower
 * threshold would have every run continue again at once, for ever.
 */
export const MIN_EVENTS_PER_RUN = 20;

/** The continuation of a new run; `patched` is asked once, at the start of every run. */
export function continuationFor(input: IncidentWorkflowInput): Continuation {
  const enabled = input.mode !== 'dry-run' && patched(CONTINUE_AS_NEW_PATCH);
  const after = input.options?.continueAsNewAfterEvents;
  const threshold = after === undefined || !Number.isFinite(after) ? undefined : Math.max(MIN_EVENTS_PER_RUN, Math.floor(after));
  return new Continuation(enabled, input.carried?.generation ?? 0, threshold);
}

/**
 * Waits for the background evidence replay like `await run.evidence`, except that an evidence
 * replay waiting for an operator's decision gives way when the incident continues as new.
 */
export async function evidenceOrContinue(run: Run): Promise<void> {
  const evidence = run.evidence;
  if (evidence === undefined) return;
  let settled = false;
  evidence.then(
    () => (settled = true),
    () => (settled = true),
  );
  await condition(() => settled || run.continuation.due());
  if (!settled) throw new ContinueAsNewDue();
  await evidence;
}

/**
 * Drains the run before it continues (the standard Temporal pattern): every update and signal
 * handler finished, every background activity (chat, breakers, clock signals) settled, no audit
 * append in flight, and operators' decisions kept for the next run (the evidence replay waiting
 * for one must not start again in this run). Events committed meanwhile (a storm of alerts) are not shipped here but
 * carried, and shipped by the next run; signals that arrive after the last task are refused by
 * the server with the continuation and redelivered to the run the incident continues as.
 */
export async function drain(run: Run): Promise<void> {
  run.decisions.hold();
  for (;;) {
    await condition(allHandlersFinished);
    const known = run.background.length;
    await Promise.all([...run.background, run.ledger.hold()]);
    if (allHandlersFinished() && run.background.length === known) return;
  }
}

/** What the run hands on (see {@link IncidentCarry}). */
export function carry(run: Run): IncidentCarry {
  const halt = run.ledger.halted;
  return {
    generation: run.continuation.generation + 1,
    events: run.ledger.events,
    audit: { shipped: run.ledger.shipped, topicReady: run.continuation.auditTopicReady, ...(halt !== undefined ? { halt } : {}) },
    stepIndex: run.continuation.stepIndex,
    compensations: run.saga.carried(),
    opened: run.opened,
    ...(run.findings !== undefined ? { findings: run.findings } : {}),
    evidenceDone: [...run.evidenceDone],
    ...(run.progressRef !== undefined ? { progressRef: run.progressRef } : {}),
    ...(run.closeRequest !== undefined ? { closeRequest: run.closeRequest } : {}),
    decided: run.decisions.carried(),
    answers: run.approvals.carried(),
    clocks: run.clocks,
  };
}

/** Ends this run and starts the next with the same input and the carry. */
export function continueIncident(run: Run): Promise<never> {
  const { carried: _previous, ...input } = run.input;
  return continueAsNew<(input: IncidentWorkflowInput) => Promise<IncidentState>>({ ...input, carried: carry(run) });
}

/**
 * The first thing a continued run does (instead of opening the incident): refold the events, take
 * over what the last run held, adopt the running clocks, put the evidence replay back to waiting
 * for its decision if that is where it was, and ship what the audit topic has not got yet.
 */
export function resume(run: Run, carried: IncidentCarry): void {
  run.ledger.restore(carried.events, carried.audit.shipped, carried.audit.halt);
  for (const c of carried.compensations) run.saga.push(compensation(run, c));
  Object.assign(run.opened, carried.opened);
  if (carried.findings !== undefined) run.findings = carried.findings;
  for (const job of carried.evidenceDone) run.evidenceDone.add(job);
  if (carried.progressRef !== undefined) run.progressRef = carried.progressRef;
  if (carried.closeRequest !== undefined) run.closeRequest = carried.closeRequest;
  run.decisions.restore(carried.decided);
  run.approvals.restore(carried.answers);
  Object.assign(run.clocks, carried.clocks);
  run.continuation.stepIndex = carried.stepIndex;
  run.continuation.auditTopicReady = carried.audit.topicReady;
  adoptClocks(run);
  const steps = planSteps(run.input.runbook);
  for (const [index, step] of steps.entries()) {
    if (index >= carried.stepIndex || step.kind === 'generic' || step.action !== 'preserve-evidence') continue;
    const waiting = run.ledger.open.attention.some((a) => a.stepId === step.id) || run.decisions.pending(step.id);
    if (waiting) startEvidence(run, resumedStep(run, step), true);
  }
  run.ledger.flushInBackground();
}

/**
 * A background step picked up again, its references resolved as the last run resolved them: from
 * the same folded steps (issue 17, item 4). It ran once, so they resolve; should one not, the step
 * keeps its text and its next attempt fails on it rather than this run.
 */
function resumedStep<S extends Parameters<typeof resolveStep>[1]>(run: Run, step: S): S {
  try {
    return resolveStep(run, step);
  } catch {
    return step;
  }
}
