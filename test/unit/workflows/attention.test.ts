import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../src/domain/events';
import type { IncidentState } from '../../../src/domain/incident';
import type { IncidentWorkflowInput } from '../../../src/domain/step-contract';
import { abortUpdate, approveSignal, eventsQuery, evidenceProgressQuery, retryStepUpdate, skipStepUpdate } from '../../../workflows/api';
import { refusal, runIncident, waitForState } from './helpers';
import { usePlaybookFixture } from './playbook-fixture';
import { stubActivities, type StubRecord } from './stub-activities';

/*
 * Failure is a state, not an end (issue 9): a step that fails after its retries, an approval
 * nobody gives, one evidence partition that cannot be copied, or an audit topic that refuses the
 * incident's events leave the incident open and waiting for an operator, who retries, skips with
 * a reason, or aborts (the saga unwinds and the incident closes).
 */

type Incident = (input: IncidentWorkflowInput) => Promise<IncidentState>;
type Activity = (...args: never[]) => Promise<unknown>;

const fx = usePlaybookFixture();

function withIncident(
  body: (handle: WorkflowHandle<Incident>, record: StubRecord) => Promise<void>,
  overrides: Record<string, Activity> = {},
  options?: IncidentWorkflowInput['options'],
): Promise<StubRecord> {
  return runIncident(fx, ({ handle, record }) => body(handle, record), { overrides, ...(options ? { options } : {}) });
}

const IC = { requestedBy: 'U-IC', role: 'incident-commander' };
const RESPONDER = { requestedBy: 'U-RESP', role: 'responder' };
const approve = (stepId: string) => ({ stepId, approver: 'U-IC', role: 'incident-commander' as const });
const types = (events: DomainEvent[]): string[] => events.map((e) => e.type);

/** Fails for good the first `times` calls, then behaves like the stub. */
function failing<F extends Activity>(times: number, type: string, real: F): { fn: F; calls: () => number } {
  let calls = 0;
  const fn = (async (...args: never[]) => {
    calls++;
    if (calls <= times) throw ApplicationFailure.create({ type, message: `${type} on call ${calls}`, nonRetryable: true });
    return real(...args);
  }) as F;
  return { fn, calls: () => calls };
}


describe('a failed step needs attention; the incident stays open', () => {
  it('rotation fails for good: needs attention, the run stays open, a retry completes it and the playbook goes on', async () => {
    const stub = stubActivities().activities;
    const rotate = failing(1, 'VaultSealed', stub.rotateCredentials as Activity);
    await withIncident(
      async (handle) => {
        const s = await waitForState(handle, (st) => st.attention.some((a) => a.stepId === 'rotate-credentials'));
        expect(s.status).not.toBe('closed');
        expect(s.attention[0]).toMatchObject({ kind: 'step-failed', stepId: 'rotate-credentials', message: expect.stringContaining('VaultSealed') });
        expect((await handle.describe()).status.name).toBe('RUNNING');
        // Nothing later ran while it waited.
        expect(s.steps.find((st) => st.id === 'break-circuits')?.status).toBe('pending');
        // Validators refuse what the incident is not waiting for, with the reason.
        expect(await refusal(handle.executeUpdate(retryStepUpdate, { args: [{ ...RESPONDER, stepId: 'forensics' }] }))).toMatch(/"forensics" is not waiting for a decision; waiting: "rotate-credentials"/);
        expect(await refusal(handle.executeUpdate(retryStepUpdate, { args: [{ requestedBy: 'U-OBS', role: 'observer', stepId: 'rotate-credentials' }] }))).toMatch(/observer may not retry/);
        expect((await handle.executeUpdate(retryStepUpdate, { args: [{ ...RESPONDER, stepId: 'rotate-credentials' }] })).message).toMatch(/tried again/);
        const after = await waitForState(handle, (st) => st.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
        expect(after.steps.find((st) => st.id === 'rotate-credentials')).toMatchObject({ status: 'completed', attempts: 2 });
        expect(after.attention).toEqual([]);
        const events = await handle.query(eventsQuery);
        expect(types(events).filter((t) => ['StepFailed', 'StepRetryRequested', 'StepCompleted'].includes(t)).slice(0, 4)).toEqual(['StepCompleted', 'StepFailed', 'StepRetryRequested', 'StepCompleted']);
        await handle.terminate('test done');
      },
      { rotateCredentials: rotate.fn },
    );
    expect(rotate.calls()).toBe(2);
  });

  it('skip needs the commander and a reason; the skipped step is recorded and the playbook goes on', async () => {
    const stub = stubActivities().activities;
    await withIncident(
      async (handle, record) => {
        await waitForState(handle, (st) => st.attention.some((a) => a.stepId === 'rotate-credentials'));
        expect(await refusal(handle.executeUpdate(skipStepUpdate, { args: [{ ...RESPONDER, stepId: 'rotate-credentials', reason: 'x' }] }))).toMatch(/only the incident commander/);
        expect(await refusal(handle.executeUpdate(skipStepUpdate, { args: [{ ...IC, stepId: 'rotate-credentials', reason: '  ' }] }))).toMatch(/needs a reason/);
        await handle.executeUpdate(skipStepUpdate, { args: [{ ...IC, stepId: 'rotate-credentials', reason: 'Vault rebuilt from backup; rotated by hand' }] });
        const s = await waitForState(handle, (st) => st.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
        expect(s.steps.find((st) => st.id === 'rotate-credentials')?.status).toBe('skipped');
        const skipped = (await handle.query(eventsQuery)).find((e) => e.type === 'StepSkipped');
        expect(skipped).toMatchObject({ actor: { kind: 'user', id: 'U-IC' }, data: { reason: 'Vault rebuilt from backup; rotated by hand' } });
        expect(record.audit.some((e) => e.type === 'StepSkipped')).toBe(true);
        await handle.terminate('test done');
      },
      { rotateCredentials: failing(99, 'VaultSealed', stub.rotateCredentials as Activity).fn },
    );
  });

  it('abort compensates (access restored) and closes the incident with the reason; the run completes', async () => {
    const stub = stubActivities().activities;
    const record = await withIncident(
      async (handle) => {
        await waitForState(handle, (st) => st.attention.length > 0);
        expect(await refusal(handle.executeUpdate(abortUpdate, { args: [{ ...RESPONDER, reason: 'x' }] }))).toMatch(/only the incident commander/);
        await handle.executeUpdate(abortUpdate, { args: [{ ...IC, reason: 'wrong principal: the alert was a misconfigured rule' }] });
        const final = await handle.result();
        expect(final.status).toBe('closed');
        expect(final.closure?.resolution).toBe('aborted by U-IC: wrong principal: the alert was a misconfigured rule');
        expect(final.steps.find((st) => st.id === 'contain')?.status).toBe('compensated');
        const events = await handle.query(eventsQuery);
        expect(types(events)).toEqual(expect.arrayContaining(['IncidentAborted', 'StepCompensated', 'IncidentClosed']));
      },
      { rotateCredentials: failing(99, 'VaultSealed', stub.rotateCredentials as Activity).fn },
    );
    expect(record.calls.some((c) => c.name === 'restoreAccess')).toBe(true);
    expect(record.audit.at(-1)?.type).toBe('IncidentClosed');
  });

  it('an approval nobody gives in time needs attention instead of failing or skipping; retry asks again', async () => {
    await withIncident(
      async (handle) => {
        await waitForState(handle, (st) => st.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
        await fx.env.sleep(2 * 3_600_000);
        const s = await waitForState(handle, (st) => st.attention.some((a) => a.kind === 'approval-expired'));
        expect(s.attention[0]).toMatchObject({ stepId: 'break-circuits', kind: 'approval-expired' });
        expect(s.pendingApprovals).toEqual([]);
        await handle.executeUpdate(retryStepUpdate, { args: [{ ...IC, stepId: 'break-circuits' }] });
        const again = await waitForState(handle, (st) => st.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
        expect(again.pendingApprovals[0]?.approvalId).toBe('break-circuits/2');
        await handle.signal(approveSignal, approve('break-circuits'));
        await waitForState(handle, (st) => st.steps.find((x) => x.id === 'break-circuits')?.status === 'completed');
        await handle.terminate('test done');
      },
      {},
      { approvalTimeout: '1h' },
    );
  });
});

describe('evidence: one partition failing does not stop the others', () => {
  it('preserves every other partition, needs attention naming the failed one, and a retry replays only that one', async () => {
    const stub = stubActivities().activities;
    const calls: number[] = [];
    const preserveEvidence = (async (input: { partition: number }) => {
      calls.push(input.partition);
      if (input.partition === 1 && calls.filter((p) => p === 1).length === 1) throw ApplicationFailure.create({ type: 'EvidenceTopicUnavailable', message: 'broker down', nonRetryable: true });
      return (stub.preserveEvidenceChunks as (i: unknown) => Promise<unknown>)(input);
    }) as Activity;
    const record = await withIncident(
      async (handle) => {
        await waitForState(handle, (st) => st.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
        await handle.signal(approveSignal, approve('break-circuits'));
        const s = await waitForState(handle, (st) => st.attention.some((a) => a.stepId === 'preserve-evidence'));
        expect(s.attention[0]?.message).toMatch(/EvidencePartitionsFailed: 1 of 3 partitions not preserved \(orders:1\)/);
        expect(Object.keys(s.evidence.ranges).sort()).toEqual(['orders:0', 'orders:2']);
        await handle.executeUpdate(retryStepUpdate, { args: [{ ...RESPONDER, stepId: 'preserve-evidence' }] });
        const done = await waitForState(handle, (st) => st.steps.find((x) => x.id === 'preserve-evidence')?.status === 'completed');
        expect(Object.keys(done.evidence.ranges).sort()).toEqual(['orders:0', 'orders:1', 'orders:2']);
        // Issue 13: progress as a query: records and bytes of the totals, partitions, done.
        const progress = await handle.query(evidenceProgressQuery);
        expect(progress).toMatchObject({ records: '300', totalRecords: '300', bytes: '90000', evidenceBytes: '102000', partitionsDone: 3, partitionsTotal: 3, etaSeconds: 0, done: true });
        expect(Object.keys(done.evidence.manifests ?? {}).sort()).toEqual(['orders:0', 'orders:1', 'orders:2']);
        await handle.terminate('test done');
      },
      { preserveEvidenceChunks: preserveEvidence },
    );
    // Three first attempts, then only the failed partition again.
    expect(calls.slice(0, 3).sort()).toEqual([0, 1, 2]);
    expect(calls.slice(3)).toEqual([1]);
    // Progress is one message edited in place, not one message per partition.
    const progress = record.messages.filter((m) => m.startsWith('Evidence:'));
    expect(progress).toHaveLength(1);
    expect(progress[0]).toMatch(/^Evidence: 300 of 300 records preserved/);
  });
});

describe('the audit topic refusing events halts shipping, never the incident', () => {
  it('an AuditConflict halts shipping with nothing dropped; the playbook goes on; retry audit ships everything in order', async () => {
    const stub = stubActivities();
    let refuse = true;
    const appendAudit = (async (input: { events: DomainEvent[] }) => {
      if (refuse && input.events.some((e) => e.seq >= 5)) throw ApplicationFailure.create({ type: 'AuditConflict', message: 'seq 5 is on the topic with other content', nonRetryable: true });
      return (stub.activities.appendAudit as (i: unknown) => Promise<unknown>)(input);
    }) as Activity;
    await withIncident(
      async (handle) => {
        const s = await waitForState(handle, (st) => st.attention.some((a) => a.kind === 'audit-halted'));
        expect(s.attention.find((a) => a.kind === 'audit-halted')?.message).toMatch(/AuditConflict/);
        // The playbook did not stop: it reaches the gated step.
        await waitForState(handle, (st) => st.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
        expect(stub.record.audit.every((e) => e.seq < 5)).toBe(true);
        refuse = false;
        await handle.executeUpdate(retryStepUpdate, { args: [{ ...IC, stepId: 'audit' }] });
        await waitForState(handle, (st) => st.attention.length === 0);
        const events = await handle.query(eventsQuery);
        const deadline = Date.now() + 10_000;
        while (stub.record.audit.length < events.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        expect(stub.record.audit.map((e) => e.seq)).toEqual(events.map((e) => e.seq));
        expect(types(stub.record.audit)).toEqual(expect.arrayContaining(['AuditShippingHalted', 'AuditShippingResumed']));
        await handle.terminate('test done');
      },
      { appendAudit },
    );
  });
});
