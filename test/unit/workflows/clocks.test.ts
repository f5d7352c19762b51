import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import type { DomainEvent, EventOf, EventType } from '../../../src/domain/events';
import type { IncidentState } from '../../../src/domain/incident';
import type { IncidentWorkflowInput } from '../../../src/domain/step-contract';
import { createTemporalIncidentPort } from '../../../src/slack/commands/temporal-incidents';
import {
  approveSignal,
  awareUpdate,
  clocksQuery,
  eventsQuery,
  falsePositiveSignal,
  fileUpdate,
  notNotifiableUpdate,
  regulatoryClockWorkflowId,
  stateQuery,
} from '../../../workflows/api';
import { runIncident, waitForState } from './helpers';
import { usePlaybookFixture } from './playbook-fixture';
import type { StubRecord } from './stub-activities';

const H = 3_600_000;
const REGIMES = ['gdpr', 'dora', 'nis2', 'sec-8k', 'nydfs'];
const fx = usePlaybookFixture();

type Incident = (input: IncidentWorkflowInput) => Promise<IncidentState>;

interface Started {
  handle: WorkflowHandle<Incident>;
  record: StubRecord;
  awareMs: number;
  incidentId: string;
}

/** An incident of the reference runbook (five regimes) on its own task queue, approvals waiting up to 200 h. */
async function withIncident(body: (s: Started) => Promise<void>, overrides: Record<string, (...args: never[]) => Promise<unknown>> = {}): Promise<void> {
  await runIncident(fx, body, { overrides, options: { approvalTimeout: '200h' } });
}

const ofType = <T extends EventType>(events: DomainEvent[], type: T): Array<EventOf<T>> => events.filter((e): e is EventOf<T> => e.type === type);
const due = (s: IncidentState, regime: string, stage: string): string | null | undefined => s.clocks[regime]?.stages.find((st) => st.stage === stage)?.due;
const iso = (ms: number): string => new Date(ms).toISOString();
const DPO = { decidedBy: 'U-DPO', role: 'dpo' };

/** The status of every clock workflow of an incident, by regime. */
async function clockStatuses(incidentId: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const regime of REGIMES) out[regime] = (await fx.env.client.workflow.getHandle(regulatoryClockWorkflowId(incidentId, regime)).describe()).status.name;
  return out;
}

/** Waits for a clock workflow to reach `status` (closing is asynchronous to the incident). */
async function clockStatus(incidentId: string, regime: string, status: string): Promise<void> {
  const handle = fx.env.client.workflow.getHandle(regulatoryClockWorkflowId(incidentId, regime));
  for (let i = 0; i < 200 && (await handle.describe()).status.name !== status; i++) await new Promise((r) => setTimeout(r, 50));
  expect((await handle.describe()).status.name).toBe(status);
}

const ALL_RUNNING = Object.fromEntries(REGIMES.map((r) => [r, 'RUNNING']));

describe('regulatory clocks start at open, independent of the playbook', () => {
  it('every regime of the runbook starts at open, from the alert time, before any step', async () => {
    await withIncident(async ({ handle, awareMs, incidentId }) => {
      const s = await waitForState(handle, (st) => Object.keys(st.clocks).length === REGIMES.length);
      expect(Object.keys(s.clocks).sort()).toEqual([...REGIMES].sort());
      expect(due(s, 'gdpr', 'authority')).toBe(iso(awareMs + 72 * H));
      expect(due(s, 'nis2', 'early-warning')).toBe(iso(awareMs + 24 * H));
      // Anchors not known yet: no classification, no determination.
      expect(due(s, 'dora', 'initial')).toBeNull();
      expect(due(s, 'sec-8k', 'form-8k')).toBeNull();
      const events = await handle.query(eventsQuery);
      const firstStep = events.findIndex((e) => e.type === 'StepStarted');
      expect(ofType(events, 'RegulatoryClockStarted').every((e) => e.seq < events[firstStep]!.seq)).toBe(true);
      const views = await handle.query(clocksQuery);
      expect(views.map((v) => v.regime)).toEqual(REGIMES);
      expect(views.every((v) => v.stages.every((st) => st.state === 'pending'))).toBe(true);
      // Local times are shown in each regime's own calendar: the US regimes in New York.
      expect(Object.fromEntries(views.map((v) => [v.regime, v.timeZone]))).toEqual({
        gdpr: 'Europe/Berlin',
        dora: 'Europe/Berlin',
        nis2: 'Europe/Berlin',
        'sec-8k': 'America/New_York',
        nydfs: 'America/New_York',
      });
      expect(await clockStatuses(incidentId)).toEqual(ALL_RUNNING);
      await handle.terminate('test done');
    });
  });

  it('keeps running and reminds while an approval waits 30 h, at the marks scaled to the time left', async () => {
    await withIncident(async ({ handle, awareMs, record }) => {
      await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
      await fx.env.sleep(30 * H);
      const s = await waitForState(handle, (st) => st.clocks.nis2?.stages[0]?.missed === true);
      expect(s.pendingApprovals.map((a) => a.stepId)).toEqual(['break-circuits']);
      const events = await handle.query(eventsQuery);
      const nis2 = ofType(events, 'ReminderSent').filter((e) => e.data.regime === 'nis2' && e.data.stage === 'early-warning');
      // 24 h due: 50 % (12 h), 75 % (18 h), 90 % (21.6 h) and 1 h before.
      expect(nis2.map((e) => e.data.mark)).toEqual(['50%', '75%', '90%', '1h-before']);
      for (const [i, hours] of [12, 18, 21.6, 23].entries()) {
        const late = Date.parse(nis2[i]!.at) - (awareMs + hours * H);
        expect(late).toBeGreaterThanOrEqual(0);
        expect(late).toBeLessThan(60_000);
      }
      const missed = ofType(events, 'DeadlineMissed').find((e) => e.data.regime === 'nis2');
      expect(missed?.data).toEqual({ regime: 'nis2', stage: 'early-warning', deadlineAt: iso(awareMs + 24 * H) });
      expect(Date.parse(missed!.at) - (awareMs + 24 * H)).toBeLessThan(60_000);
      // The posted reminder names the due in UTC and in the entity's local time.
      expect(record.messages.find((m) => m.startsWith('NIS2 early-warning due'))).toMatch(/UTC \(.* Europe\/Berlin\)/);
      // GDPR's 72 h: only its 50 % mark (36 h) is still ahead.
      expect(ofType(events, 'ReminderSent').filter((e) => e.data.regime === 'gdpr')).toEqual([]);
      await handle.terminate('test done');
    });
  });

  it('a failed step leaves every clock running, and the clock goes on reminding', async () => {
    const rotateCredentials = async (): Promise<never> => {
      throw ApplicationFailure.create({ type: 'VaultCasConflict', message: 'someone else wrote the secret', nonRetryable: true });
    };
    await withIncident(
      async ({ handle, record, incidentId }) => {
        await waitForState(handle, (s) => s.steps.find((st) => st.id === 'rotate-credentials')?.status === 'failed');
        expect(await clockStatuses(incidentId)).toEqual(ALL_RUNNING);
        await fx.env.sleep(13 * H);
        await waitForCondition(() => record.messages.some((m) => m.startsWith('NIS2 early-warning due')));
        expect(await clockStatuses(incidentId)).toEqual(ALL_RUNNING);
      },
      { rotateCredentials },
    );
  });

  it('a cancelled playbook leaves every clock running, and the clock goes on reminding', async () => {
    await withIncident(async ({ handle, record, incidentId }) => {
      await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
      await handle.cancel();
      await expect(handle.result()).rejects.toThrow();
      expect(await clockStatuses(incidentId)).toEqual(ALL_RUNNING);
      await fx.env.sleep(13 * H);
      await waitForCondition(() => record.messages.some((m) => m.startsWith('NIS2 early-warning due')));
      expect(await clockStatuses(incidentId)).toEqual(ALL_RUNNING);
    });
  });
});

describe('reminders are recorded after the effect', () => {
  it('a reminder whose post failed is recorded as ReminderFailed, never as sent, and the clock goes on', async () => {
    let posts = 0;
    const notify = async (input: { text: string }): Promise<never> => {
      posts += input.text.startsWith('NIS2 early-warning due') ? 1 : 0;
      throw ApplicationFailure.create({ type: 'SlackUnavailable', message: 'chat.postMessage: service_unavailable', nonRetryable: true });
    };
    await withIncident(
      async ({ handle }) => {
        await waitForState(handle, (s) => s.clocks.nis2 !== undefined);
        await fx.env.sleep(25 * H);
        const s = await waitForState(handle, (st) => st.clocks.nis2?.stages[0]?.missed === true);
        const events = await handle.query(eventsQuery);
        expect(ofType(events, 'ReminderSent')).toEqual([]);
        const failed = ofType(events, 'ReminderFailed').filter((e) => e.data.regime === 'nis2' && e.data.stage === 'early-warning');
        expect(failed.map((e) => e.data.mark)).toEqual(['50%', '75%', '90%', '1h-before']);
        expect(failed[0]?.data.error).toContain('service_unavailable');
        expect(posts).toBe(4);
        expect(s.clocks.nis2?.stages[0]?.reminders).toEqual([]);
        await handle.terminate('test done');
      },
      { notify },
    );
  });
});

describe('false positive', () => {
  it('records every open regime as not notifiable with the declared reason and stops its clock', async () => {
    await withIncident(async ({ handle, incidentId }) => {
      await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
      await handle.executeUpdate(fileUpdate, { args: [{ regime: 'gdpr', stage: 'authority', reference: 'BFDI-FP', filer: 'U-DPO', role: 'dpo' }] });
      await handle.signal(falsePositiveSignal, { declaredBy: 'U-IC', reason: 'sanctioned load test' });
      const final = await handle.result();
      const events = await handle.query(eventsQuery);
      // GDPR was settled by its filing; the four others are closed as not notifiable, before IncidentClosed.
      const nn = ofType(events, 'RegimeNotNotifiable');
      expect(nn.map((e) => e.data.regime).sort()).toEqual(['dora', 'nis2', 'nydfs', 'sec-8k']);
      expect(nn.every((e) => e.data.reasoning === 'false positive: sanctioned load test' && e.actor.id === 'U-IC')).toBe(true);
      expect(nn.every((e) => e.seq < events.at(-1)!.seq)).toBe(true);
      expect(final.status).toBe('closed');
      for (const regime of REGIMES) await clockStatus(incidentId, regime, 'COMPLETED');
    });
  });
});

describe('decisions move and end the clocks', () => {
  it('a determined awareness moves every awareness-anchored deadline, and the clock follows it', async () => {
    await withIncident(async ({ handle, awareMs }) => {
      await waitForState(handle, (s) => s.clocks.nis2 !== undefined);
      expect(await refusal(handle.executeUpdate(awareUpdate, { args: [{ decidedBy: 'U-R', role: 'responder', awareAt: iso(awareMs - 10 * H), reason: 'x' }] }))).toBe(
        'a responder may not determine awareness (needs dpo or incident-commander)',
      );
      expect(await refusal(handle.executeUpdate(awareUpdate, { args: [{ ...DPO, awareAt: '2026-11-22 09:00', reason: 'x' }] }))).toMatch(/not an ISO-8601 instant/);
      const answer = await handle.executeUpdate(awareUpdate, { args: [{ ...DPO, awareAt: iso(awareMs - 10 * H), reason: 'SOC ticket shows the analyst saw it at 22:00' }] });
      expect(answer.message).toContain(`Awareness recorded at ${iso(awareMs - 10 * H)}`);
      const s = await handle.query(stateQuery);
      expect(due(s, 'gdpr', 'authority')).toBe(iso(awareMs + 62 * H));
      expect(due(s, 'nis2', 'early-warning')).toBe(iso(awareMs + 14 * H));
      expect(due(s, 'nis2', 'notification')).toBe(iso(awareMs + 62 * H));
      const events = await handle.query(eventsQuery);
      expect(ofType(events, 'AwarenessDetermined')[0]?.data).toMatchObject({ awareAt: iso(awareMs - 10 * H), reason: 'SOC ticket shows the analyst saw it at 22:00' });
      expect(ofType(events, 'AwarenessDetermined')[0]?.actor).toEqual({ kind: 'user', id: 'U-DPO' });
      expect(ofType(events, 'DeadlinesRecomputed').map((e) => e.data.regime).sort()).toEqual(['gdpr', 'nis2']);
      // The clock workflow got the new facts: the early warning is missed at 14 h, not 24 h.
      await fx.env.sleep(15 * H);
      const missed = ofType(await handle.query(eventsQuery), 'DeadlineMissed').find((e) => e.data.stage === 'early-warning');
      expect(missed?.data.deadlineAt).toBe(iso(awareMs + 14 * H));
      expect(Date.parse(missed!.at) - (awareMs + 14 * H)).toBeLessThan(60_000);
      await handle.terminate('test done');
    });
  });

  it('GDPR takes an initial and supplementary filings (Art. 33(4)); a single-filing stage refuses a second one', async () => {
    await withIncident(async ({ handle, incidentId }) => {
      await waitForState(handle, (s) => s.clocks.gdpr !== undefined);
      const file = (regime: string, stage: string, reference: string) =>
        handle.executeUpdate(fileUpdate, { args: [{ regime, stage, reference, filer: 'U-DPO', role: 'dpo' }] });
      expect((await file('gdpr', 'authority', 'BFDI-1')).message).toContain('authority initial filing recorded');
      await fx.env.sleep(5 * H);
      expect((await file('gdpr', 'authority', 'BFDI-1-SUPP-1')).message).toContain('supplementary');
      expect((await file('gdpr', 'authority', 'BFDI-1-SUPP-2')).message).toContain('supplementary');
      await file('nis2', 'early-warning', 'BSI-EW-1');
      expect(await refusal(file('nis2', 'early-warning', 'BSI-EW-2'))).toMatch(/^AlreadyFiled: NIS2 early-warning is already filed \(ref BSI-EW-1\)/);
      const s = await handle.query(stateQuery);
      const gdpr = s.clocks.gdpr!.stages[0]!;
      expect(gdpr.filings.map((f) => [f.reference, f.phase, f.late])).toEqual([
        ['BFDI-1', 'initial', false],
        ['BFDI-1-SUPP-1', 'supplementary', false],
        ['BFDI-1-SUPP-2', 'supplementary', false],
      ]);
      const events = await handle.query(eventsQuery);
      expect(ofType(events, 'NotificationFiled').filter((e) => e.data.regime === 'gdpr')).toHaveLength(3);
      // Every GDPR stage is filed: its clock has ended; the others run on.
      await clockStatus(incidentId, 'gdpr', 'COMPLETED');
      await clockStatus(incidentId, 'nis2', 'RUNNING');
      await handle.terminate('test done');
    });
  });

  it('not-notifiable ends a regime with its reasoning recorded as an event, on the audit topic', async () => {
    await withIncident(async ({ handle, record, incidentId }) => {
      await waitForState(handle, (s) => s.clocks['sec-8k'] !== undefined);
      expect(await refusal(handle.executeUpdate(notNotifiableUpdate, { args: [{ ...DPO, regime: 'sec-8k', reasoning: ' ' }] }))).toMatch(/reasoning for not notifying is required/);
      const reasoning = 'the platform is not an SEC registrant: Item 1.05 does not apply';
      const answer = await handle.executeUpdate(notNotifiableUpdate, { args: [{ ...DPO, regime: 'sec-8k', reasoning }] });
      expect(answer.message).toContain('SEC-8K recorded as not notifiable');
      const recorded = await waitForCondition(() => record.audit.find((e) => e.type === 'RegimeNotNotifiable'));
      expect(recorded.data).toEqual({ regime: 'sec-8k', reasoning });
      expect(recorded.actor).toEqual({ kind: 'user', id: 'U-DPO' });
      const views = await handle.query(clocksQuery);
      expect(views.find((v) => v.regime === 'sec-8k')?.stages.map((st) => st.state)).toEqual(['not-notifiable']);
      await clockStatus(incidentId, 'sec-8k', 'COMPLETED');
      expect(await refusal(handle.executeUpdate(fileUpdate, { args: [{ regime: 'sec-8k', stage: 'form-8k', reference: 'X', filer: 'U-DPO', role: 'dpo' }] }))).toMatch(/^NotNotifiable/);
      await handle.terminate('test done');
    });
  });

  it('a late filing without a reason is refused by the update and recorded; with a reason it is filed late', async () => {
    await withIncident(async ({ handle }) => {
      await waitForState(handle, (s) => s.clocks.nis2 !== undefined);
      await fx.env.sleep(25 * H);
      await waitForState(handle, (s) => s.clocks.nis2?.stages[0]?.missed === true);
      const port = createTemporalIncidentPort(fx.env.client);
      const ask = { regime: 'nis2', stage: 'early-warning', reference: 'BSI-LATE', filer: 'U-DPO', role: 'dpo' };
      const refused = await port.file(handle.workflowId, ask);
      expect(refused.accepted).toBe(false);
      expect(refused.message).toMatch(/^LateFilingWithoutReason: NIS2 early-warning was due .* and is filed at .*: a late filing must give the reasons for the delay/);
      expect((await handle.query(stateQuery)).clocks.nis2?.stages[0]?.filings).toEqual([]);
      const refusal = await waitForCondition(async () => ofType(await handle.query(eventsQuery), 'FilingRefused')[0]);
      expect(refusal.data).toMatchObject({ regime: 'nis2', stage: 'early-warning', reference: 'BSI-LATE', code: 'LateFilingWithoutReason' });
      const filed = await port.file(handle.workflowId, { ...ask, lateReason: 'the BSI portal was down' });
      expect(filed).toEqual({ accepted: true, message: expect.stringContaining('LATE, with the reasons for the delay') });
      const after = await handle.query(stateQuery);
      expect(after.clocks.nis2?.stages[0]?.filings[0]).toMatchObject({ late: true, lateReason: 'the BSI portal was down', phase: 'initial' });
      await handle.terminate('test done');
    });
  });

  it('the close step waits for every known due to be filed, then stops every clock', async () => {
    await withIncident(async ({ handle, incidentId }) => {
      await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
      await handle.signal(approveSignal, { stepId: 'break-circuits', approver: 'U-IC', role: 'incident-commander' });
      await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'close'));
      await handle.signal(approveSignal, { stepId: 'close', approver: 'U-IC', role: 'incident-commander' });
      const file = (regime: string, stage: string) => handle.executeUpdate(fileUpdate, { args: [{ regime, stage, reference: `${regime}-${stage}`, filer: 'U-DPO', role: 'dpo' }] });
      await file('gdpr', 'authority');
      await file('nis2', 'early-warning');
      await file('nis2', 'notification');
      // Filing the notification anchors NIS2's final report: the incident still waits for it.
      const waiting = await handle.query(stateQuery);
      expect(waiting.status).not.toBe('closed');
      expect(due(waiting, 'nis2', 'final')).not.toBeNull();
      await file('nis2', 'final');
      const final = await handle.result();
      expect(final.status).toBe('closed');
      // DORA, SEC and NYDFS had no due (no classification, no determination): their clocks stop with the incident.
      for (const regime of ['dora', 'sec-8k', 'nydfs']) await clockStatus(incidentId, regime, 'COMPLETED');
    });
  });
});

describe('determinism', () => {
  it('replays every incident and clock history this file produced with the same bundle', async () => {
    const failures: string[] = [];
    let count = 0;
    const histories = fx.env.client.workflow.list().intoHistories();
    for await (const result of Worker.runReplayHistories({ workflowBundle: fx.bundle, replayName: 'clocks' }, histories)) {
      count++;
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
    expect(count).toBeGreaterThanOrEqual(40);
  });
});

/** The message a validator refused an update with (the client wraps it in WorkflowUpdateFailedError). */
async function refusal(update: Promise<unknown>): Promise<string> {
  try {
    await update;
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? cause.message : String(err);
  }
  throw new Error('the update was accepted');
}

/** Polls until `read` returns something truthy (virtual time does not move while polling). */
async function waitForCondition<T>(read: () => T | Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await read();
    if (value) return value as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition never held');
}
