import { describe, expect, it } from 'vitest';
import { createAnnotateActivities } from '../../../activities/annotate';
import type { DomainEvent } from '../../../src/domain/events';
import { parseRunbook, type LoadedRunbook } from '../../../src/domain/runbook-loader';
import { silentLogger } from '../../../src/log/logger';
import { alertSignal, eventsQuery, timelineQuery } from '../../../workflows/api';
import type { WaitForDecision } from '../../../src/actions/wait-for';
import { waitForDecisionUpdate } from '../../../workflows/wait-for';
import { refusal, runIncident, waitForState } from './helpers';
import { usePlaybookFixture } from './playbook-fixture';
import { testAlert } from './stub-activities';

/**
 * `wait-for` in the incident workflow (issue 17, item 3): the step asks, waits for an operator's
 * answer through the `waitForDecision` Update (refused with the field named otherwise) or takes
 * `onTimeout` when its timer fires (virtual time), and an answer in `stopOn` skips the steps up
 * to close. A question pending when the incident continues as new is asked once.
 */

const fx = usePlaybookFixture();

const runbook = (waitWith: string): LoadedRunbook =>
  parseRunbook(
    [
      'id: wait-test',
      'version: 1',
      'title: Wait test',
      'scenario: generic',
      'severity: high',
      'steps:',
      '  - id: ask',
      '    action: wait-for',
      `    with: ${waitWith}`,
      '  - id: note',
      '    action: annotate',
      "    with: { note: 'rewound risk-engine' }",
      '  - id: report',
      '    action: report',
      '  - id: close',
      '    action: close',
      '    with: { requireFilings: false }',
    ].join('\n'),
    'wait-test.yaml',
  );

const QUESTION = "{ question: 'Rewind risk-engine to before the forged trades?', options: [rewind, hold, stop], timeout: 30m, onTimeout: hold }";
const annotate = createAnnotateActivities({ channel: '#incidents', logger: silentLogger });
const ofStep = (events: DomainEvent[], stepId: string): string[] => events.filter((e) => 'stepId' in e.data && e.data.stepId === stepId).map((e) => e.type);

const decision = { stepId: 'ask', answer: 'rewind', decidedBy: 'U-IC', role: 'incident-commander' };

describe('wait-for in the incident workflow', () => {
  it('asks once, refuses a wrong step, answer or role with the field named, and goes on with the answer given', async () => {
    let events: DomainEvent[] = [];
    const record = await runIncident(
      { env: fx.env, bundle: fx.bundle, runbook: runbook(QUESTION) },
      async ({ handle }) => {
        const asked = await waitForState(handle, (s) => (s.pendingDecisions ?? []).length > 0);
        expect(asked.pendingDecisions?.[0]).toMatchObject({ stepId: 'ask', options: ['rewind', 'hold', 'stop'], role: 'incident-commander', onTimeout: 'hold' });
        const update = (d: WaitForDecision) => handle.executeUpdate(waitForDecisionUpdate, { args: [d] });
        expect(await refusal(update({ ...decision, answer: 'yolo' }))).toBe('answer: "yolo" is not one of rewind, hold, stop');
        expect(await refusal(update({ ...decision, role: 'responder' }))).toBe('role: incident-commander decides this step, not responder');
        expect(await refusal(update({ ...decision, stepId: 'note' }))).toBe('stepId: step note is not waiting (ask is)');
        const answer = await update({ ...decision, reason: 'positions reconciled' });
        expect(answer).toEqual({ accepted: true, stepId: 'ask', answer: 'rewind', stops: false });
        // Answered once: a second answer finds nothing waiting.
        expect(await refusal(update(decision))).toBe('no step is waiting for a decision');
        const closed = await waitForState(handle, (s) => s.status === 'closed');
        expect(closed.answers?.ask).toMatchObject({ answer: 'rewind', by: 'operator', decidedBy: 'U-IC' });
        // The answer is the step's output, for later steps to reference.
        expect(closed.steps.find((st) => st.id === 'ask')?.outputs).toEqual({ answer: 'rewind' });
        expect(closed.steps.map((s) => `${s.id}:${s.status}`)).toEqual(['ask:completed', 'note:completed', 'report:completed', 'close:completed']);
        events = await handle.query(eventsQuery);
        const lines = (await handle.query(timelineQuery)).map((t) => t.summary);
        expect(lines).toContain('Step "ask" answered "rewind" by U-IC (incident-commander): positions reconciled');
      },
      { overrides: { ...annotate } },
    );
    expect(ofStep(events, 'ask')).toEqual(['StepStarted', 'DecisionAsked', 'DecisionTaken', 'StepCompleted']);
    // Refused answers leave no trace: only the accepted one is an event.
    expect(events.filter((e) => e.type === 'DecisionTaken')).toHaveLength(1);
    expect(record.messages.filter((m) => m.startsWith('Step "ask" asks the incident-commander: Rewind risk-engine'))).toHaveLength(1);
  });

  it('an answer in stopOn skips every step up to close, each with the answer as its reason', async () => {
    let events: DomainEvent[] = [];
    const ran: string[] = [];
    await runIncident(
      { env: fx.env, bundle: fx.bundle, runbook: runbook(QUESTION) },
      async ({ handle }) => {
        await waitForState(handle, (s) => (s.pendingDecisions ?? []).length > 0);
        const answer = await handle.executeUpdate(waitForDecisionUpdate, { args: [{ ...decision, answer: 'stop' }] });
        expect(answer.stops).toBe(true);
        const closed = await waitForState(handle, (s) => s.status === 'closed');
        expect(closed.steps.map((s) => `${s.id}:${s.status}`)).toEqual(['ask:completed', 'note:skipped', 'report:skipped', 'close:completed']);
        expect(closed.stoppedBy).toEqual({ stepId: 'ask', answer: 'stop' });
        events = await handle.query(eventsQuery);
      },
      {
        overrides: {
          annotateIncident: (i: Parameters<typeof annotate.annotateIncident>[0]) => {
            ran.push('annotateIncident');
            return annotate.annotateIncident(i);
          },
        },
      },
    );
    expect(ran).toEqual([]);
    const skipped = events.filter((e) => e.type === 'StepSkipped');
    expect(skipped.map((e) => e.type === 'StepSkipped' && [e.data.stepId, e.data.skippedBy, e.data.reason])).toEqual([
      ['note', 'U-IC', 'step "ask" answered "stop"'],
      ['report', 'U-IC', 'step "ask" answered "stop"'],
    ]);
  });

  it('takes onTimeout when nobody answers before the timer fires (virtual time)', async () => {
    let events: DomainEvent[] = [];
    await runIncident(
      { env: fx.env, bundle: fx.bundle, runbook: runbook("{ question: 'Keep the consumer group paused?', timeout: 30m }") },
      async ({ handle, awareMs }) => {
        await waitForState(handle, (s) => (s.pendingDecisions ?? []).length > 0);
        await fx.env.sleep('31m');
        const closed = await waitForState(handle, (s) => s.status === 'closed');
        // Defaults: options proceed / stop; the last option on timeout, and `stop` stops.
        expect(closed.answers?.ask).toMatchObject({ answer: 'stop', by: 'timeout' });
        expect(closed.steps.find((st) => st.id === 'ask')?.outputs).toEqual({ answer: 'stop' });
        expect(closed.steps.map((s) => `${s.id}:${s.status}`)).toEqual(['ask:completed', 'note:skipped', 'report:skipped', 'close:completed']);
        events = await handle.query(eventsQuery);
        const timedOut = events.find((e) => e.type === 'DecisionTimedOut');
        expect(timedOut?.type === 'DecisionTimedOut' && timedOut.data.waitedMs).toBeGreaterThanOrEqual(30 * 60_000);
        expect(Date.parse(timedOut?.at ?? '') - awareMs).toBeGreaterThanOrEqual(30 * 60_000);
        const skipped = events.find((e) => e.type === 'StepSkipped');
        expect(skipped?.type === 'StepSkipped' && [skipped.data.skippedBy, skipped.data.reason]).toEqual(['workflow', 'step "ask" answered "stop" (nobody answered in time)']);
      },
      { overrides: { ...annotate } },
    );
    expect(ofStep(events, 'ask')).toEqual(['StepStarted', 'DecisionAsked', 'DecisionTimedOut', 'StepCompleted']);
  });

  it('a question pending when the incident continues as new is asked once, keeps its deadline and takes the answer in the next run', async () => {
    let events: DomainEvent[] = [];
    const record = await runIncident(
      { env: fx.env, bundle: fx.bundle, runbook: runbook(QUESTION) },
      async ({ handle, awareMs }) => {
        const first = (await handle.describe()).runId;
        const asked = await waitForState(handle, (s) => (s.pendingDecisions ?? []).length > 0);
        // A storm of alerts grows the history past the threshold while the question waits.
        for (let i = 0; i < 12; i++) await handle.signal(alertSignal, testAlert(new Date(awareMs).toISOString(), `storm-${i}`));
        const deadline = Date.now() + 30_000;
        while ((await handle.describe()).runId === first) {
          if (Date.now() > deadline) throw new Error('the incident never continued as new');
          await new Promise((r) => setTimeout(r, 50));
        }
        const resumed = await waitForState(handle, (s) => (s.pendingDecisions ?? []).length > 0 && s.alertsCorrelated >= 13);
        expect(resumed.pendingDecisions?.[0]?.deadline).toBe(asked.pendingDecisions?.[0]?.deadline);
        const answer = await handle.executeUpdate(waitForDecisionUpdate, { args: [decision] });
        expect(answer.accepted).toBe(true);
        await waitForState(handle, (s) => s.status === 'closed');
        events = await handle.query(eventsQuery);
      },
      { options: { continueAsNewAfterEvents: 20 }, overrides: { ...annotate } },
    );
    expect(events.filter((e) => e.type === 'DecisionAsked')).toHaveLength(1);
    expect(ofStep(events, 'ask')).toEqual(['StepStarted', 'DecisionAsked', 'DecisionTaken', 'StepCompleted']);
    expect(record.messages.filter((m) => m.startsWith('Step "ask" asks'))).toHaveLength(1);
  });
});
