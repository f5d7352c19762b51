import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import type { DomainEvent, EventOf } from '../../../src/domain/events';
import type { IncidentState } from '../../../src/domain/incident';
import type { IncidentWorkflowInput } from '../../../src/domain/step-contract';
import {
  approveSignal,
  breakerSignal,
  closeSignal,
  eventsQuery,
  falsePositiveSignal,
  fileNotificationSignal,
  refusalSignal,
  reportQuery,
  timelineQuery,
  type BreakerSignal,
} from '../../../workflows/api';
import { runIncident, waitForState } from './helpers';
import { usePlaybookFixture } from './playbook-fixture';
import type { StubRecord } from './stub-activities';

/**
 * The signals Slack sends besides approve/deny: breaker open/close, close, and policy refusals,
 * against the real IncidentWorkflow with stub activities on the time-skipping sandbox.
 */
const fx = usePlaybookFixture();

type Incident = (input: IncidentWorkflowInput) => Promise<IncidentState>;

function withIncident(body: (handle: WorkflowHandle<Incident>, record: StubRecord) => Promise<void>): Promise<StubRecord> {
  return runIncident(fx, ({ handle, record }) => body(handle, record));
}

const IC = { approver: 'U-IC', role: 'incident-commander' as const };
const FILING = { regime: 'gdpr', recipient: 'supervisory-authority' as const, authority: 'CNIL', reference: 'CNIL-1', filer: 'U-DPO' };

/** Settles the close rules: GDPR and NIS2 have known dues from open (DORA, SEC, NYDFS wait for decisions). */
async function fileEveryRegime(handle: WorkflowHandle): Promise<void> {
  for (const regime of ['gdpr', 'nis2']) await handle.signal(fileNotificationSignal, { ...FILING, regime, reference: `${FILING.reference}-${regime}` });
}
const lake = (state: BreakerSignal['state'], requestedBy = 'U-IC2'): BreakerSignal => ({ breaker: 'orders-to-data-lake', state, requestedBy, role: 'incident-commander' });
const ofType = <T extends DomainEvent['type']>(events: DomainEvent[], type: T): Array<EventOf<T>> => events.filter((e): e is EventOf<T> => e.type === type);
const count = (record: StubRecord, name: string): number => record.calls.filter((c) => c.name === name).length;

/** Approves break-circuits and waits until both breakers are open. */
async function breakersOpen(handle: WorkflowHandle<Incident>): Promise<void> {
  await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
  await handle.signal(approveSignal, { ...IC, stepId: 'break-circuits' });
  await waitForState(handle, (s) => Object.values(s.breakers).filter((b) => b.state === 'open').length === 2);
}

describe('refusals from Slack', () => {
  it('records a refused command as ActionRefused, in state and timeline, even while waiting for an approval; after the end the signal has nowhere to go', async () => {
    await withIncident(async (handle) => {
      await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
      await handle.signal(refusalSignal, { userId: 'U-RESP', role: 'responder', action: 'close', request: '/ir close now', at: '2026-11-22T05:00:00.000Z' });
      const s = await waitForState(handle, (st) => st.refusals.length === 1);
      expect(s.refusals[0]).toMatchObject({ userId: 'U-RESP', role: 'responder', action: 'close', request: '/ir close now', refusedAt: '2026-11-22T05:00:00.000Z' });
      // The pending approval was not disturbed.
      expect(s.pendingApprovals.map((a) => a.stepId)).toEqual(['break-circuits']);
      const refused = ofType(await handle.query(eventsQuery), 'ActionRefused');
      expect(refused.map((e) => e.actor)).toEqual([{ kind: 'user', id: 'U-RESP' }]);
      const line = (await handle.query(timelineQuery)).find((t) => t.type === 'ActionRefused');
      expect(line?.summary).toBe('Refused by policy: U-RESP (responder) may not close; asked "/ir close now" at 2026-11-22T05:00:00.000Z');
      expect(await handle.query(reportQuery)).toContain('## Refused commands');

      await handle.signal(approveSignal, { ...IC, stepId: 'break-circuits' });
      await waitForState(handle, (st) => st.pendingApprovals.some((a) => a.stepId === 'close'));
      await fileEveryRegime(handle);
      await handle.signal(approveSignal, { ...IC, stepId: 'close' });
      await handle.result();
      await expect(handle.signal(refusalSignal, { userId: 'U-RESP', role: 'responder', action: 'close', request: '/ir close', at: '2026-11-22T06:00:00.000Z' })).rejects.toThrow();
    });
  });
});

describe('breakers from Slack', () => {
  it('closes one open breaker under an approval by the requester, ignores a second close, re-opens it, and the close step closes what is still open', async () => {
    const record = await withIncident(async (handle, rec) => {
      await breakersOpen(handle);
      await handle.signal(breakerSignal, lake('closed'));
      const s = await waitForState(handle, (st) => st.breakers['orders-to-data-lake']?.state === 'closed');
      expect(s.breakers['orders-to-analytics']?.state).toBe('open');
      expect(s.steps.find((st) => st.id === 'break-circuits')?.status).toBe('completed');
      let events = await handle.query(eventsQuery);
      const [closed] = ofType(events, 'CircuitClosed');
      const grant = ofType(events, 'ApprovalGranted').find((e) => e.data.approvalId === closed?.data.approvalId);
      expect(grant?.data).toMatchObject({ approver: 'U-IC2', breaker: 'orders-to-data-lake', stepId: 'break-circuits' });
      expect(grant?.actor).toEqual({ kind: 'user', id: 'U-IC2' });
      expect(closed?.data.approvalId).toBe('breaker:orders-to-data-lake/1');

      // Closing a closed breaker records nothing and calls nothing.
      const before = events.length;
      await handle.signal(breakerSignal, lake('closed'));
      await handle.signal(refusalSignal, { userId: 'U-X', role: 'observer', action: 'breaker', request: 'marker', at: '2026-11-22T05:00:00.000Z' });
      await waitForState(handle, (st) => st.refusals.length === 1);
      events = await handle.query(eventsQuery);
      // Signals are handled in order, so once the marker is in, the second close has been handled: nothing about breakers followed.
      const after = events.slice(before);
      expect(after.filter((e) => e.type === 'CircuitClosed' || (e.type === 'ApprovalRequested' && e.data.breaker !== undefined))).toEqual([]);
      expect(after.map((e) => e.type)).toContain('ActionRefused');
      expect(count(rec, 'closeCircuits')).toBe(1);

      // Re-opening goes through openCircuits; opening an open breaker is a no-op too.
      await handle.signal(breakerSignal, lake('open'));
      await waitForState(handle, (st) => st.breakers['orders-to-data-lake']?.state === 'open');
      await handle.signal(breakerSignal, lake('open'));
      await waitForState(handle, (st) => st.pendingApprovals.some((a) => a.stepId === 'close'));
      expect(count(rec, 'openCircuits')).toBe(2);

      await fileEveryRegime(handle);
      await handle.signal(approveSignal, { ...IC, stepId: 'close' });
      const final = await handle.result();
      expect(Object.values(final.breakers).every((b) => b.state === 'closed')).toBe(true);
      events = await handle.query(eventsQuery);
      // The close step closed both open breakers under its own approval, each exactly once more.
      const underClose = ofType(events, 'CircuitClosed').filter((e) => e.data.approvalId === 'close/1');
      expect(underClose.map((e) => e.data.breaker).sort()).toEqual(['orders-to-analytics', 'orders-to-data-lake']);
    });
    expect(count(record, 'closeCircuits')).toBe(2);
  });

  it('a false positive after a breaker was closed from Slack undoes only what is still in place', async () => {
    const record = await withIncident(async (handle) => {
      await breakersOpen(handle);
      await handle.signal(breakerSignal, lake('closed'));
      await waitForState(handle, (st) => st.breakers['orders-to-data-lake']?.state === 'closed');
      await handle.signal(falsePositiveSignal, { declaredBy: 'U-IC', reason: 'sanctioned load test' });
      const final = await handle.result();
      expect(final.closure?.resolution).toContain('false positive');
      expect(Object.values(final.breakers).every((b) => b.state === 'closed')).toBe(true);
      const closed = ofType(await handle.query(eventsQuery), 'CircuitClosed');
      expect(closed.map((e) => [e.data.breaker, e.data.approvalId])).toEqual([
        ['orders-to-data-lake', 'breaker:orders-to-data-lake/1'],
        ['orders-to-analytics', 'break-circuits/1'],
      ]);
    });
    expect(count(record, 'closeCircuits')).toBe(2);
  });

  it('ignores a breaker the runbook does not define (inherited names such as `constructor` included) and a close of a breaker that never opened', async () => {
    const record = await withIncident(async (handle) => {
      await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
      for (const breaker of ['no-such-flow', 'constructor', 'toString', '__proto__', 'hasOwnProperty']) {
        await handle.signal(breakerSignal, { ...lake('open'), breaker });
      }
      await handle.signal(breakerSignal, lake('closed'));
      await handle.signal(refusalSignal, { userId: 'U-X', role: 'observer', action: 'breaker', request: 'marker', at: '2026-11-22T05:00:00.000Z' });
      const s = await waitForState(handle, (st) => st.refusals.length === 1);
      expect(s.breakers).toEqual({});
      expect(ofType(await handle.query(eventsQuery), 'ApprovalRequested').map((e) => e.data.stepId)).toEqual(['break-circuits']);
      await handle.terminate('test done');
    });
    expect(count(record, 'openCircuits') + count(record, 'closeCircuits')).toBe(0);
  });

  it('opened from Slack before the step ran, the step opens only the other breaker', async () => {
    const record = await withIncident(async (handle) => {
      await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
      await handle.signal(breakerSignal, lake('open'));
      await waitForState(handle, (st) => st.breakers['orders-to-data-lake']?.state === 'open');
      await handle.signal(approveSignal, { ...IC, stepId: 'break-circuits' });
      const s = await waitForState(handle, (st) => st.steps.find((x) => x.id === 'break-circuits')?.status === 'completed');
      expect(Object.values(s.breakers).map((b) => b.state)).toEqual(['open', 'open']);
      expect(ofType(await handle.query(eventsQuery), 'CircuitOpened')).toHaveLength(2);
      await handle.terminate('test done');
    });
    expect(count(record, 'openCircuits')).toBe(2);
  });
});

describe('close from Slack', () => {
  it('a close sent before the close step asks is remembered and closes the incident with its resolution', async () => {
    await withIncident(async (handle) => {
      await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
      await handle.signal(closeSignal, { closedBy: 'U-IC', role: 'incident-commander', resolution: 'contained; analytics restored by hand' });
      await handle.signal(approveSignal, { ...IC, stepId: 'break-circuits' });
      await waitForState(handle, (s) => s.clocks.gdpr !== undefined);
      await fileEveryRegime(handle);
      const final = await handle.result();
      expect(final.status).toBe('closed');
      expect(final.closure?.resolution).toBe('contained; analytics restored by hand');
      const events = await handle.query(eventsQuery);
      const grant = ofType(events, 'ApprovalGranted').find((e) => e.data.stepId === 'close');
      expect(grant?.data).toMatchObject({ approver: 'U-IC', comment: 'contained; analytics restored by hand' });
      expect(events.at(-1)?.actor).toEqual({ kind: 'user', id: 'U-IC' });
    });
  });

  it('a close by a role the close step does not accept is ignored; the commander\'s close then grants the waiting step', async () => {
    await withIncident(async (handle) => {
      await breakersOpen(handle);
      await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'close'));
      await fileEveryRegime(handle);
      await handle.signal(closeSignal, { closedBy: 'U-RESP', role: 'responder', resolution: 'not mine to close' });
      await handle.signal(refusalSignal, { userId: 'U-X', role: 'observer', action: 'close', request: 'marker', at: '2026-11-22T05:00:00.000Z' });
      const s = await waitForState(handle, (st) => st.refusals.length === 1);
      expect(s.status).not.toBe('closed');
      expect(s.pendingApprovals.map((a) => a.stepId)).toEqual(['close']);
      await handle.signal(closeSignal, { closedBy: 'U-IC', role: 'incident-commander', resolution: 'false alarm ruled out; all clear' });
      const final = await handle.result();
      expect(final.closure?.resolution).toBe('false alarm ruled out; all clear');
      expect(final.decisions.find((d) => d.stepId === 'close')?.approver).toBe('U-IC');
      expect(Object.values(final.breakers).every((b) => b.state === 'closed')).toBe(true);
    });
  });
});

describe('determinism', () => {
  it('replays every history this file produced with the same bundle', async () => {
    const failures: string[] = [];
    let replayed = 0;
    const histories = fx.env.client.workflow.list().intoHistories();
    for await (const result of Worker.runReplayHistories({ workflowBundle: fx.bundle, replayName: 'operator-signals' }, histories)) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBeGreaterThanOrEqual(7);
  });
});
