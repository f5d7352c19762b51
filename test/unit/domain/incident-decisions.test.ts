import { describe, expect, it } from 'vitest';
import { IllegalEventError } from '../../../src/domain/errors';
import type { EventDataMap } from '../../../src/domain/events';
import { applyEvent, foldEvents } from '../../../src/domain/incident';
import { summarize } from '../../../src/domain/timeline';
import { COMMANDER, HistoryBuilder } from './history';

/**
 * The wait-for events (issue 17, item 3) in the incident fold: a question only from a running
 * wait-for step, an answer only among its options and from its role, a timeout only with its
 * `onTimeout`, and steps skipped "by decision" only after an answer that stopped the playbook and
 * only while they have not started.
 */

const ASK: EventDataMap['DecisionAsked'] = {
  stepId: 'ask',
  question: 'Rewind risk-engine?',
  options: ['rewind', 'hold', 'stop'],
  role: 'incident-commander',
  onTimeout: 'hold',
  stopOn: ['stop'],
  deadline: '2026-11-20T08:33:00.000Z',
};

function asked(): HistoryBuilder {
  const b = new HistoryBuilder();
  b.add('IncidentOpened', {
    title: 'forged trades',
    severity: 'high',
    scenario: 'generic',
    mode: 'live',
    principal: 'User:risk-engine',
    fingerprint: 'fp-w',
    runbook: {
      id: 'wait',
      version: 1,
      contentHash: 'ab'.repeat(32),
      steps: [
        { id: 'ask', action: 'wait-for', approval: 'none' },
        { id: 'note', action: 'annotate', approval: 'none' },
        { id: 'close', action: 'close', approval: 'none' },
      ],
    },
  });
  b.add('StepStarted', { stepId: 'ask', action: 'wait-for', attempt: 1 });
  b.add('DecisionAsked', ASK);
  return b;
}

const illegal = (fn: () => unknown, reason: RegExp): void => {
  expect(fn).toThrow(IllegalEventError);
  expect(fn).toThrow(reason);
};

describe('wait-for in the incident fold', () => {
  it('keeps the question pending until answered, then the answer as the step’s', () => {
    const b = asked();
    expect(foldEvents(b.events).pendingDecisions).toEqual([{ ...ASK, askedAt: b.events[2]?.at }]);
    b.add('DecisionTaken', { stepId: 'ask', answer: 'rewind', decidedBy: 'U0COMMANDER', role: 'incident-commander', reason: 'reconciled', stops: false }, COMMANDER);
    const s = foldEvents(b.events);
    expect(s.pendingDecisions).toEqual([]);
    expect(s.answers?.ask).toMatchObject({ answer: 'rewind', by: 'operator', decidedBy: 'U0COMMANDER', role: 'incident-commander', reason: 'reconciled' });
    expect(s.stoppedBy).toBeUndefined();
  });

  it('refuses a question from a step that is not a running wait-for, and a second question', () => {
    const b = asked();
    const s = foldEvents(b.events);
    illegal(() => applyEvent(s, b.make('DecisionAsked', ASK)), /has asked already/);
    illegal(() => applyEvent(s, b.make('DecisionAsked', { ...ASK, stepId: 'note' })), /runs annotate, not wait-for/);
    illegal(() => applyEvent(s, b.make('DecisionAsked', { ...ASK, stepId: 'ghost' })), /no step "ghost"/);
  });

  it('refuses an answer that is not an option, from another role, or mislabelled as stopping', () => {
    const b = asked();
    const s = foldEvents(b.events);
    const taken = (d: Partial<EventDataMap['DecisionTaken']>) => b.make('DecisionTaken', { stepId: 'ask', answer: 'rewind', decidedBy: 'U1', role: 'incident-commander', stops: false, ...d });
    illegal(() => applyEvent(s, taken({ answer: 'yolo' })), /"yolo" is not one of rewind, hold, stop/);
    illegal(() => applyEvent(s, taken({ role: 'responder' })), /the incident-commander answers step "ask", not a responder/);
    illegal(() => applyEvent(s, taken({ answer: 'stop', stops: false })), /"stop" is an answer that stops the playbook/);
    illegal(() => applyEvent(s, b.make('DecisionTimedOut', { stepId: 'ask', answer: 'rewind', waitedMs: 1, stops: false })), /timeout answer of step "ask" is "hold"/);
  });

  it('skips steps by decision only after a stopping answer and only before they start', () => {
    const b = asked();
    const skip = b.make('StepSkipped', { stepId: 'note', action: 'annotate', skippedBy: 'U1', role: 'incident-commander', reason: 'step "ask" answered "stop"', decision: { stepId: 'ask', answer: 'stop' } });
    illegal(() => applyEvent(foldEvents(b.events), skip), /no answer "stop" of step "ask" stopped the playbook/);
    b.add('DecisionTaken', { stepId: 'ask', answer: 'stop', decidedBy: 'U1', role: 'incident-commander', stops: true }, COMMANDER);
    b.add('StepCompleted', { stepId: 'ask', action: 'wait-for', durationMs: 10 });
    b.add('StepSkipped', { stepId: 'note', action: 'annotate', skippedBy: 'U1', role: 'incident-commander', reason: 'step "ask" answered "stop"', decision: { stepId: 'ask', answer: 'stop' } });
    const s = foldEvents(b.events);
    expect(s.stoppedBy).toEqual({ stepId: 'ask', answer: 'stop' });
    expect(s.steps.map((st) => `${st.id}:${st.status}`)).toEqual(['ask:completed', 'note:skipped', 'close:pending']);
    // A step already started is not skipped by a decision.
    const started = applyEvent(s, b.make('StepStarted', { stepId: 'close', action: 'close', attempt: 1 }));
    illegal(() => applyEvent(started, { ...b.make('StepSkipped', { stepId: 'close', action: 'close', skippedBy: 'U1', role: 'incident-commander', reason: 'x', decision: { stepId: 'ask', answer: 'stop' } }), seq: started.lastSeq + 1 }), /step "close" is running/);
  });

  it('takes onTimeout on a timeout and reads well in the timeline', () => {
    const b = asked();
    const timedOut = b.add('DecisionTimedOut', { stepId: 'ask', answer: 'hold', waitedMs: 30 * 60_000, stops: false });
    expect(foldEvents(b.events).answers?.ask).toMatchObject({ answer: 'hold', by: 'timeout' });
    expect(summarize(b.events[2]!)).toBe('Step "ask" asks the incident-commander: Rewind risk-engine? (rewind / hold / stop); "hold" at 2026-11-20T08:33:00.000Z');
    expect(summarize(timedOut)).toBe('Step "ask": nobody answered within 30 min 0 s; took "hold"');
    const taken = b.make('DecisionTaken', { stepId: 'ask', answer: 'stop', decidedBy: 'U1', role: 'incident-commander', reason: 'too risky', stops: true });
    expect(summarize(taken)).toBe('Step "ask" answered "stop" by U1 (incident-commander): too risky; the playbook stops');
  });
});
