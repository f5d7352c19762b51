import { condition, setHandler } from '@temporalio/workflow';
import { waitForDecisionUpdate } from './api';
import {
  DECISION_ROLES,
  optionsOf,
  questionBlocks,
  refuseDecision,
  timeoutAnswerOf,
  type WaitForDecision,
  type WaitForParams,
} from '../src/actions/wait-for';
import { parseDuration } from '../src/domain/duration';
import { pendingDecisionOf, type PendingDecision } from '../src/domain/incident-decisions';
import type { GenericPlannedStep } from '../src/domain/runbook';
import { notifier, nowIso, WORKFLOW_ACTOR, type Run } from './context';
import { ContinueAsNewDue } from './continuation';

/*
 * `wait-for` (issue 17, item 3): a human decision with a timeout, the one generic action the
 * workflow carries out itself (its registry entry says `runsIn: 'workflow'`). The step asks
 * (`DecisionAsked`, a message with one button per answer), waits for the `waitForDecision` Update
 * or its deadline, and records the answer (`DecisionTaken` or `DecisionTimedOut`). The question
 * lives in the incident state, so a run that continued as new waits on for the time left without
 * asking again. An answer in the step's `stopOn` stops the playbook: the steps after it, up to
 * `close`, are skipped (see {@link skipStoppedStep}).
 */

export { waitForDecisionUpdate, type WaitForAnswer } from './api';

/** Answers received by the Update and not yet recorded, by step id (workflow state only). */
const received = new WeakMap<Run, Map<string, WaitForDecision>>();

function inbox(run: Run): Map<string, WaitForDecision> {
  let box = received.get(run);
  if (box === undefined) received.set(run, (box = new Map()));
  return box;
}

/** The params a pending question was asked with, as {@link refuseDecision} reads them. */
function asParams(p: PendingDecision): WaitForParams {
  return { question: p.question, options: p.options, role: p.role, onTimeout: p.onTimeout, stopOn: p.stopOn };
}

/** Why a decision is refused, or undefined; the shape is checked too (any client may send one). */
function refusal(run: Run, d: WaitForDecision): string | undefined {
  const state = run.ledger.state;
  if (state === undefined || state.status === 'closed') return 'the incident is closed';
  if (typeof d !== 'object' || d === null) return 'a decision is required';
  for (const field of ['stepId', 'answer', 'decidedBy', 'role'] as const) if (typeof d[field] !== 'string') return `${field}: required`;
  if (d.reason !== undefined && (typeof d.reason !== 'string' || d.reason.length > 1000)) return 'reason: at most 1000 characters of text';
  const pending = state.pendingDecisions ?? [];
  const waiting = pending.find((p) => p.stepId === d.stepId) ?? pending[0];
  const why = refuseDecision(waiting !== undefined ? { stepId: waiting.stepId, params: asParams(waiting) } : undefined, d);
  if (why !== undefined) return why;
  if (inbox(run).has(d.stepId)) return `stepId: ${d.stepId} has been decided already`;
  return undefined;
}

/** Registers the decision Update. A new handler: it changes no command of any history (no patch). */
export function registerWaitFor(run: Run): void {
  setHandler(
    waitForDecisionUpdate,
    async (d) => {
      inbox(run).set(d.stepId, d);
      // Answer once the step has recorded it, so the reply states a fact; a run about to continue
      // as new must not be held by this handler (it records the answer before giving way).
      await condition(() => run.ledger.open.answers?.[d.stepId] !== undefined || run.ledger.open.status === 'closed' || run.continuation.due());
      return { accepted: true, stepId: d.stepId, answer: d.answer, stops: run.ledger.open.stoppedBy?.stepId === d.stepId };
    },
    {
      validator: (d) => {
        // The validator runs before the Update enters history: a refusal leaves no trace.
        const why = refusal(run, d);
        if (why !== undefined) throw new Error(why);
      },
    },
  );
}

/**
 * A `wait-for` step (behind `patched('wait-for-v1')` at its call site): `StepStarted` and the
 * question (unless a run this one continues asked it already), then the answer or the timeout,
 * then `StepCompleted`. Gives way with {@link ContinueAsNewDue} when the incident continues as new.
 */
export async function runWaitFor(run: Run, step: GenericPlannedStep): Promise<void> {
  const { ledger } = run;
  const p = step.params as WaitForParams;
  const current = ledger.open.steps.find((s) => s.id === step.id);
  let pending = pendingDecisionOf(ledger.open, step.id);
  if (pending === undefined) {
    const attempt = (current?.attempts ?? 0) + 1;
    ledger.commit({ type: 'StepStarted', at: nowIso(), actor: WORKFLOW_ACTOR, data: { stepId: step.id, action: step.action, attempt } });
    const role = (DECISION_ROLES as readonly string[]).includes(p.role ?? '') ? (p.role as PendingDecision['role']) : 'incident-commander';
    const deadline = new Date(Date.now() + parseDuration(p.timeout ?? '1h')).toISOString();
    const asked = { stepId: step.id, question: p.question, options: optionsOf(p), role, onTimeout: timeoutAnswerOf(p), stopOn: p.stopOn ?? ['stop'], deadline };
    ledger.commit({ type: 'DecisionAsked', at: nowIso(), actor: WORKFLOW_ACTOR, data: asked });
    await ledger.flush();
    pending = pendingDecisionOf(ledger.open, step.id) as PendingDecision;
    ask(run, pending);
  }
  const started = Date.parse(current?.startedAt ?? pending.askedAt);
  const left = Math.max(1, Date.parse(pending.deadline) - Date.now());
  const box = inbox(run);
  const woke = await condition(() => box.has(step.id) || run.continuation.due(), left);
  const decision = box.get(step.id);
  if (woke && decision === undefined) throw new ContinueAsNewDue();
  if (decision !== undefined) {
    const stops = pending.stopOn.includes(decision.answer);
    ledger.commit({
      type: 'DecisionTaken',
      at: nowIso(),
      actor: { kind: 'user', id: decision.decidedBy },
      data: { stepId: step.id, answer: decision.answer, decidedBy: decision.decidedBy, role: decision.role, ...(decision.reason !== undefined ? { reason: decision.reason } : {}), stops },
    });
    run.notify(`Step "${step.id}" answered "${decision.answer}" by ${decision.decidedBy}${stops ? '; the playbook stops: the steps before close are skipped' : ''}.`);
  } else {
    const stops = pending.stopOn.includes(pending.onTimeout);
    ledger.commit({ type: 'DecisionTimedOut', at: nowIso(), actor: WORKFLOW_ACTOR, data: { stepId: step.id, answer: pending.onTimeout, waitedMs: Date.now() - Date.parse(pending.askedAt), stops } });
    run.notify(`Nobody answered step "${step.id}" in time; it took "${pending.onTimeout}"${stops ? '; the playbook stops: the steps before close are skipped' : ''}.`);
  }
  box.delete(step.id);
  // The answer is the step's output: later steps may name it (`${{ steps.<id>.outputs.answer }}`).
  const answer = decision?.answer ?? pending.onTimeout;
  ledger.commit({ type: 'StepCompleted', at: nowIso(), actor: WORKFLOW_ACTOR, data: { stepId: step.id, action: step.action, durationMs: Math.max(0, Date.now() - started), outputs: { answer } } });
  await ledger.flush();
}

/** The question in the incident channel, with one button per answer. */
function ask(run: Run, q: PendingDecision): void {
  if (run.input.mode === 'dry-run') return;
  const text = `Step "${q.stepId}" asks the ${q.role}: ${q.question} (${q.options.join(' / ')}); at ${q.deadline} it takes "${q.onTimeout}".`;
  const blocks = questionBlocks(run.input.incidentId, q);
  run.background.push(notifier().notify({ incidentId: run.input.incidentId, text, blocks }).catch(() => undefined));
}

/**
 * A step after a wait-for answer that stopped the playbook: recorded as skipped, with the answer
 * as its reason. Returns false when the playbook was not stopped (the step runs as usual).
 */
export function skipStoppedStep(run: Run, step: { id: string; action: string }): boolean {
  const stopped = run.ledger.open.stoppedBy;
  if (stopped === undefined) return false;
  const st = run.ledger.open.steps.find((s) => s.id === step.id);
  // Skipped already (a run that continued as new passes it again): nothing more to record.
  if (st?.status === 'skipped') return true;
  if (st === undefined || st.status !== 'pending') return false;
  const answered = run.ledger.open.answers?.[stopped.stepId];
  const operator = answered?.by === 'operator' ? answered : undefined;
  run.ledger.commit({
    type: 'StepSkipped',
    at: nowIso(),
    actor: operator?.decidedBy !== undefined ? { kind: 'user', id: operator.decidedBy } : WORKFLOW_ACTOR,
    data: {
      stepId: step.id,
      action: step.action,
      skippedBy: operator?.decidedBy ?? 'workflow',
      role: operator?.role ?? 'workflow',
      reason: `step "${stopped.stepId}" answered "${stopped.answer}"${operator === undefined ? ' (nobody answered in time)' : ''}`,
      decision: { stepId: stopped.stepId, answer: stopped.answer },
    },
  });
  return true;
}
