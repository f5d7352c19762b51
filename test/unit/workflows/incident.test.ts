import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/domain/alert';
import type { DomainEvent } from '../../../src/domain/events';
import type { IncidentState } from '../../../src/domain/incident';
import { renderReport } from '../../../src/domain/report';
import type { IncidentWorkflowInput } from '../../../src/domain/step-contract';
import {
  alertSignal,
  approveSignal,
  denySignal,
  eventsQuery,
  falsePositiveSignal,
  fileNotificationSignal,
  reportQuery,
  subjectsUpdate,
  timelineQuery,
} from '../../../workflows/api';
import { runIncident, waitForState } from './helpers';
import { usePlaybookFixture } from './playbook-fixture';
import { stubActivities, testAlert, type StubRecord } from './stub-activities';

const fx = usePlaybookFixture();

type Incident = (input: IncidentWorkflowInput) => Promise<IncidentState>;

interface Started {
  handle: WorkflowHandle<Incident>;
  record: StubRecord;
  worker: Worker;
  awareMs: number;
}

/** Starts an incident on a fresh task queue with stub activities; `body` runs while the worker does. */
function withIncident(
  mode: IncidentWorkflowInput['mode'],
  body: (s: Started) => Promise<void>,
  options?: IncidentWorkflowInput['options'],
  overrides: Record<string, (...args: never[]) => Promise<unknown>> = {},
): Promise<StubRecord> {
  return runIncident(fx, body, { mode, overrides, ...(options ? { options } : {}) });
}

/** Files every regime with a known due through the first release's signal (which files each such stage). */
async function fileEveryRegime(handle: WorkflowHandle<Incident>, reference: string): Promise<void> {
  for (const regime of ['gdpr', 'nis2']) {
    await handle.signal(fileNotificationSignal, { regime, recipient: 'supervisory-authority', authority: 'the authority', reference: `${reference}-${regime}`, filer: 'U-DPO' });
  }
}

const approve = (stepId: string) => ({ stepId, approver: 'U-IC', role: 'incident-commander' as const });
const types = (events: DomainEvent[]): string[] => events.map((e) => e.type);

describe('IncidentWorkflow (stub activities, time skipping)', () => {
  it('runs every step in order, waits for approvals and records the approver', async () => {
    let events: DomainEvent[] = [];
    let scheduled: string[] = [];
    const record = await withIncident('live', async ({ handle }) => {
      const waiting = await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
      // Containment and rotation ran without waiting; the gated step did not start.
      expect(waiting.steps.find((s) => s.id === 'contain')?.status).toBe('completed');
      expect(waiting.steps.find((s) => s.id === 'break-circuits')?.status).toBe('awaiting-approval');
      await handle.signal(approveSignal, approve('break-circuits'));
      await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'close'));
      await fileEveryRegime(handle, 'REF-1');
      await handle.signal(approveSignal, approve('close'));
      const final = await handle.result();
      expect(final.status).toBe('closed');
      events = await handle.query(eventsQuery);
      expect(renderReport(events)).toBe(await handle.query(reportQuery));
      expect((await handle.query(timelineQuery)).length).toBe(events.length);
      const history = await handle.fetchHistory();
      scheduled = (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name ? [e.activityTaskScheduledEventAttributes.activityType.name] : []));
    });
    expect(events[0]?.type).toBe('IncidentOpened');
    expect(events[1]?.type).toBe('AlertCorrelated');
    expect(events.filter((e) => e.type === 'AlertCorrelated')).toHaveLength(1);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const granted = events.find((e) => e.type === 'ApprovalGranted');
    expect(granted?.type === 'ApprovalGranted' && granted.data.approver).toBe('U-IC');
    expect(events.filter((e) => e.type === 'EvidencePreserved')).toHaveLength(3);
    expect(events.filter((e) => e.type === 'CircuitClosed')).toHaveLength(2);
    expect(types(events)).toContain('DataSubjectNotificationRequired');
    expect(types(events).filter((t) => t === 'RegulatoryClockStarted')).toHaveLength(5);
    expect(types(events)).not.toContain('DeadlineMissed');
    expect(events.at(-1)?.type).toBe('IncidentClosed');
    // Containment is the first activity scheduled; the first message is scheduled after it.
    expect(scheduled.slice(0, 2)).toEqual(['contain', 'notify']);
    expect(record.calls.some((c) => c.name === 'notify')).toBe(true);
    // The audit topic received every event exactly once, in order.
    expect(record.audit.map((e) => e.seq)).toEqual(events.map((e) => e.seq));
  });

  it('skips a denied step and records who refused it and why', async () => {
    await withIncident('live', async ({ handle, record }) => {
      await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
      await handle.signal(denySignal, { ...approve('break-circuits'), reason: 'analytics needed for the board' });
      const s = await waitForState(handle, (st) => st.pendingApprovals.some((a) => a.stepId === 'close'));
      expect(s.steps.find((st) => st.id === 'break-circuits')?.status).toBe('denied');
      expect(s.steps.find((st) => st.id === 'forensics')?.status).toBe('completed');
      expect(record.calls.some((c) => c.name === 'openCircuits')).toBe(false);
      const denied = (await handle.query(eventsQuery)).find((e) => e.type === 'ApprovalDenied');
      expect(denied?.type === 'ApprovalDenied' && [denied.data.approver, denied.data.reason]).toEqual(['U-IC', 'analytics needed for the board']);
      await handle.terminate('test done');
    });
  });

  it('plans every step in dry-run mode without approvals, changes or audit writes', async () => {
    const record = await withIncident('dry-run', async ({ handle }) => {
      const final = await handle.result();
      expect(final.steps.map((s) => s.status)).toEqual(final.steps.map(() => 'planned'));
      expect(final.status).toBe('closed');
      const events = await handle.query(eventsQuery);
      expect(types(events).filter((t) => t === 'StepPlanned')).toHaveLength(fx.runbook.runbook.steps.length);
      expect(types(events)).not.toContain('StepStarted');
      expect(types(events)).not.toContain('ApprovalRequested');
    });
    const stepCalls = record.calls.filter((c) => c.mode !== undefined);
    expect(stepCalls.length).toBeGreaterThanOrEqual(5);
    expect(stepCalls.every((c) => c.mode === 'dry-run')).toBe(true);
    expect(record.calls.filter((c) => ['appendAudit', 'ensureAuditTopic', 'notify', 'restoreAccess', 'closeCircuits'].includes(c.name))).toEqual([]);
  });

  it('unwinds the saga in reverse when a false positive is declared', async () => {
    await withIncident('live', async ({ handle, record }) => {
      await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
      await handle.signal(approveSignal, approve('break-circuits'));
      await waitForState(handle, (s) => s.steps.find((st) => st.id === 'break-circuits')?.status === 'completed');
      await handle.signal(falsePositiveSignal, { declaredBy: 'U-IC', reason: 'sanctioned load test' });
      const final = await handle.result();
      expect(final.status).toBe('closed');
      expect(final.closure?.resolution).toContain('false positive');
      const undo = record.calls.filter((c) => c.name === 'restoreAccess' || c.name === 'closeCircuits').map((c) => c.name);
      expect(undo).toEqual(['closeCircuits', 'restoreAccess']);
      expect(final.steps.find((s) => s.id === 'contain')?.status).toBe('compensated');
      expect(final.steps.find((s) => s.id === 'break-circuits')?.status).toBe('compensated');
      expect(Object.values(final.breakers).every((b) => b.state === 'closed')).toBe(true);
    });
  });

  it('unwinds the saga when the incident is cancelled', async () => {
    await withIncident('live', async ({ handle, record }) => {
      await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
      await handle.cancel();
      await expect(handle.result()).rejects.toThrow();
      const events = await handle.query(eventsQuery);
      expect(record.calls.filter((c) => c.name === 'restoreAccess')).toHaveLength(1);
      expect(events.at(-1)?.type).toBe('IncidentClosed');
    });
  });
});

describe('alerts and failures', () => {
  it('correlates duplicate alerts sent with signalWithStart onto one incident, once per alert id', async () => {
    const taskQueue = `tq-${randomUUID().slice(0, 8)}`;
    const { activities } = stubActivities();
    const worker = await Worker.create({ connection: fx.env.nativeConnection, taskQueue, workflowBundle: fx.bundle, activities });
    const now = new Date(await fx.env.currentTimeMs()).toISOString();
    const workflowId = `incident-dup-${randomUUID().slice(0, 8)}`;
    const input: IncidentWorkflowInput = { incidentId: workflowId, mode: 'live', alert: testAlert(now), principal: 'User:report-exporter', runbook: fx.runbook.runbook, runbookContentHash: fx.runbook.contentHash };
    await worker.runUntil(async () => {
      for (const alertId of ['alert-1', 'alert-1', 'alert-2', 'alert-3']) {
        await fx.env.client.workflow.signalWithStart<Incident, [Alert]>('IncidentWorkflow', { taskQueue, workflowId, args: [input], signal: alertSignal, signalArgs: [testAlert(now, alertId)] });
      }
      const handle = fx.env.client.workflow.getHandle<Incident>(workflowId);
      const s = await waitForState(handle, (st) => st.alertsCorrelated === 3);
      expect(s.incidentId).toBe(workflowId);
      await handle.terminate('test done');
    });
  });
});

// The regulatory clocks themselves (start at open, reminders, filings, decisions) are in clocks.test.ts.
describe('GDPR Art. 34', () => {
  it('requires notifying data subjects (Art. 34) when the runbook rule says so', async () => {
    await withIncident('live', async ({ handle, record }) => {
      await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
      await handle.signal(approveSignal, approve('break-circuits'));
      const s = await waitForState(handle, (st) => st.clocks.gdpr?.dataSubjectNotification !== undefined);
      // The count comes from the data-subject fan-out (forensics-fanout-v1): the chunks' sketches merged.
      expect(record.calls.filter((c) => c.name === 'countDataSubjectsInChunk').length).toBeGreaterThan(0);
      expect(s.forensicWindows.orders?.dataSubjects).toEqual({ count: 42, method: 'exact', relativeStandardError: 0 });
      expect(s.clocks.gdpr?.dataSubjectNotification).toMatchObject({ dataSubjects: 42, piiCategories: ['account-identifier', 'contact', 'name'] });
      // The proposal is the workflow's; the decision is the DPO's, and only the DPO's.
      await expect(handle.executeUpdate(subjectsUpdate, { args: [{ decidedBy: 'U-IC', role: 'incident-commander', regime: 'gdpr', decision: 'exception', reason: 'x' }] })).rejects.toThrow();
      const answer = await handle.executeUpdate(subjectsUpdate, {
        args: [{ decidedBy: 'U-DPO', role: 'dpo', regime: 'gdpr', decision: 'exception', reason: 'Art. 34(3)(a): the account ids were tokenised and the key was never exposed' }],
      });
      expect(answer.message).toBe('Art. 34(3) exception recorded for GDPR.');
      const decided = (await handle.query(eventsQuery)).filter((e) => e.type === 'DataSubjectDecision');
      expect(decided.map((e) => [e.actor.id, e.type === 'DataSubjectDecision' && e.data.decision])).toEqual([['U-DPO', 'exception']]);
      await handle.terminate('test done');
    });
  });
});

describe('determinism', () => {
  it('replays every history this file produced with the same bundle', async () => {
    const failures: string[] = [];
    let count = 0;
    const histories = fx.env.client.workflow.list().intoHistories();
    for await (const result of Worker.runReplayHistories({ workflowBundle: fx.bundle, replayName: 'playbook' }, histories)) {
      count++;
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
    expect(count).toBeGreaterThanOrEqual(10);
  });
});
