import { IllegalEventError } from './errors';
import type { DomainEvent, EventDataMap, EventOf, IsoTime } from './events';
import type { IncidentState } from './incident-state';

/**
 * `wait-for` questions (issue 17, item 3) in the incident state: the question a running step
 * asked, the answer it got (from an operator or, after its timeout, its `onTimeout`), and whether
 * that answer stopped the playbook. Folded from `DecisionAsked`, `DecisionTaken` and
 * `DecisionTimedOut`; a continued run reads from here that a question was asked already.
 */

/** A question asked and not yet answered. */
export interface PendingDecision {
  stepId: string;
  question: string;
  options: string[];
  role: EventDataMap['DecisionAsked']['role'];
  onTimeout: string;
  stopOn: string[];
  askedAt: IsoTime;
  deadline: IsoTime;
}

/** The answer a `wait-for` step got: its output `answer`. */
export interface DecisionAnswer {
  answer: string;
  /** `timeout`: nobody answered in time and `onTimeout` was taken. */
  by: 'operator' | 'timeout';
  decidedBy?: string;
  /** The role the operator answered in. */
  role?: string;
  reason?: string;
  at: IsoTime;
}

/** The pending question of a step, if it has one. */
export function pendingDecisionOf(s: IncidentState, stepId: string): PendingDecision | undefined {
  return (s.pendingDecisions ?? []).find((d) => d.stepId === stepId);
}

type DecisionEventType = 'DecisionAsked' | 'DecisionTaken' | 'DecisionTimedOut';
type Handler<T extends DecisionEventType> = (s: IncidentState, e: EventOf<T>) => void;

function illegal(e: DomainEvent, reason: string): IllegalEventError {
  return new IllegalEventError(e.incidentId, e.seq, e.type, reason);
}

/** The pending question an answer is for, removed from the list; refuses an answer that is not an option. */
function settle(s: IncidentState, e: EventOf<'DecisionTaken'> | EventOf<'DecisionTimedOut'>): PendingDecision {
  const pending = pendingDecisionOf(s, e.data.stepId);
  if (pending === undefined) throw illegal(e, `step "${e.data.stepId}" asked no question that is still open`);
  if (!pending.options.includes(e.data.answer)) throw illegal(e, `"${e.data.answer}" is not one of ${pending.options.join(', ')}`);
  if (e.data.stops !== pending.stopOn.includes(e.data.answer)) throw illegal(e, `"${e.data.answer}" ${e.data.stops ? 'is not' : 'is'} an answer that stops the playbook`);
  s.pendingDecisions = (s.pendingDecisions ?? []).filter((d) => d !== pending);
  if (e.data.stops) s.stoppedBy = { stepId: e.data.stepId, answer: e.data.answer };
  return pending;
}

/** Reducer handlers of the wait-for events. */
export const decisionHandlers: { [T in DecisionEventType]: Handler<T> } = {
  DecisionAsked: (s, e) => {
    const step = s.steps.find((st) => st.id === e.data.stepId);
    if (step === undefined) throw illegal(e, `the runbook has no step "${e.data.stepId}"`);
    if (step.action !== 'wait-for') throw illegal(e, `step "${step.id}" runs ${step.action}, not wait-for`);
    if (step.status !== 'running') throw illegal(e, `step "${step.id}" is ${step.status}, not running`);
    if (pendingDecisionOf(s, step.id) !== undefined) throw illegal(e, `step "${step.id}" has asked already`);
    if (e.data.options.length < 2) throw illegal(e, 'a question needs at least two answers');
    if (!e.data.options.includes(e.data.onTimeout)) throw illegal(e, `the timeout answer "${e.data.onTimeout}" is not one of ${e.data.options.join(', ')}`);
    (s.pendingDecisions ??= []).push({ ...e.data, askedAt: e.at });
  },
  DecisionTaken: (s, e) => {
    const pending = settle(s, e);
    if (e.data.role !== pending.role) throw illegal(e, `the ${pending.role} answers step "${pending.stepId}", not a ${e.data.role}`);
    if (e.data.decidedBy.trim() === '') throw illegal(e, 'an answer needs who gave it');
    (s.answers ??= {})[e.data.stepId] = { answer: e.data.answer, by: 'operator', decidedBy: e.data.decidedBy, role: e.data.role, ...(e.data.reason !== undefined ? { reason: e.data.reason } : {}), at: e.at };
  },
  DecisionTimedOut: (s, e) => {
    const pending = settle(s, e);
    if (e.data.answer !== pending.onTimeout) throw illegal(e, `the timeout answer of step "${pending.stepId}" is "${pending.onTimeout}", not "${e.data.answer}"`);
    (s.answers ??= {})[e.data.stepId] = { answer: e.data.answer, by: 'timeout', at: e.at };
  },
};

/**
 * `StepSkipped` with a `decision`: a step not yet started, skipped because a wait-for answer
 * stopped the playbook. Only a step that has not run may be skipped so, and only after that answer.
 */
export function skipByDecision(s: IncidentState, e: EventOf<'StepSkipped'>, decision: { stepId: string; answer: string }): void {
  const step = s.steps.find((st) => st.id === e.data.stepId);
  if (step === undefined) throw illegal(e, `the runbook has no step "${e.data.stepId}"`);
  if (s.stoppedBy?.stepId !== decision.stepId || s.stoppedBy.answer !== decision.answer) {
    throw illegal(e, `no answer "${decision.answer}" of step "${decision.stepId}" stopped the playbook`);
  }
  if (step.status !== 'pending') throw illegal(e, `step "${step.id}" is ${step.status}: only a step that has not started is skipped by a decision`);
  step.status = 'skipped';
  step.finishedAt = e.at;
}
