import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditActivities } from '../../../activities/audit';
import { readAuditRecords, verifyAuditRecords } from '../../../src/audit';
import { isCheckpointRecord } from '../../../src/domain/audit-checkpoint';
import type { DomainEvent } from '../../../src/domain/events';
import type { IncidentState } from '../../../src/domain/incident';
import type { LoadedRunbook } from '../../../src/domain/runbook-loader';
import type { IncidentWorkflowInput } from '../../../src/domain/step-contract';
import { createKafka } from '../../../src/kafka/client';
import { silentLogger } from '../../../src/log/logger';
import { start as startKafka, type RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { start as startTemporal, type RunningTemporalSandbox } from '../../../src/sandbox/temporal';
import { alertSignal, approveSignal, eventsQuery, notNotifiableUpdate, regulatoryClockWorkflowId, retryStepUpdate, stateQuery } from '../../../workflows/api';
import { playbookBundle, quietRuntime, referenceRunbook, waitForState } from '../../unit/workflows/helpers';
import { stubActivities } from '../../unit/workflows/stub-activities';

/*
 * Long incidents continue as new (issue 9): at a safe point (waiting for an approval, for an
 * operator's decision, between steps) the incident hands its committed events and what it holds
 * besides them to a new run. These tests force it with a low history threshold, on the Temporal
 * sandbox with the real SDK worker, the real audit activities over the Kafka sandbox (the other
 * step activities are stand-ins), and compare with the same incident run without continuing.
 */

type Incident = (input: IncidentWorkflowInput) => Promise<IncidentState>;
type Activity = (...args: never[]) => Promise<unknown>;

const AUDIT_TOPIC = 'breachline.audit';
const REGIMES = ['gdpr', 'dora', 'nis2', 'sec-8k', 'nydfs'];
const IC = { requestedBy: 'U-IC', role: 'incident-commander' };
const DPO = { decidedBy: 'U-DPO', role: 'dpo' };
const approve = (stepId: string) => ({ stepId, approver: 'U-IC', role: 'incident-commander' as const });

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let runbook: LoadedRunbook;
let kafka: RunningKafkaSandbox;
let audit: ReturnType<typeof createAuditActivities>;

let temporalSandbox: RunningTemporalSandbox;

beforeAll(async () => {
  quietRuntime();
  // In this process (no child to wait for on a loaded machine); nothing here needs virtual time.
  temporalSandbox = await startTemporal({ port: 0 });
  env = await TestWorkflowEnvironment.createFromExistingServer({ address: temporalSandbox.address });
  bundle = await playbookBundle();
  runbook = await referenceRunbook();
  kafka = await startKafka({ port: 0 });
  audit = createAuditActivities({ kafka: kafka.connection, auditTopic: AUDIT_TOPIC, logger: silentLogger });
}, 120_000);

afterAll(async () => {
  await env?.teardown();
  await temporalSandbox?.close();
  await kafka?.close();
});

/** One incident as the test saw it. */
interface Played {
  incidentId: string;
  final: IncidentState;
  events: DomainEvent[];
  /** The seqs of every `appendAudit` call, in call order: a seq shipped twice shows here. */
  appended: number[][];
  /** Run ids, oldest first, following the continue-as-new chain. */
  runs: string[];
}

/** Fails for good the first `times` calls, then behaves like `real`. */
function failing(times: number, type: string, real: Activity): Activity {
  let calls = 0;
  return async (...args: never[]) => {
    calls++;
    if (calls <= times) throw ApplicationFailure.create({ type, message: `${type} on call ${calls}`, nonRetryable: true });
    return real(...args);
  };
}

/** The run currently executing under the incident's workflow id. */
async function currentRun(handle: WorkflowHandle): Promise<string> {
  return (await handle.describe()).runId;
}

/** Waits until the incident has continued as new past `runId` and the new run reports `predicate`. */
async function continuedPast(handle: WorkflowHandle<Incident>, runId: string, predicate: (s: IncidentState) => boolean): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const now = await currentRun(handle);
    if (now !== runId) {
      await waitForState(handle, predicate);
      return now;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the incident never continued past run ${runId}`);
}

/** Every run of a workflow id, from the first, by the continued-as-new links in their histories. */
async function runChain(workflowId: string, firstRunId: string): Promise<string[]> {
  const runs = [firstRunId];
  for (;;) {
    const history = await env.client.workflow.getHandle(workflowId, runs[runs.length - 1]).fetchHistory();
    const last = history.events?.[history.events.length - 1];
    if (last?.eventType !== temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW) return runs;
    runs.push(String(last.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId));
  }
}

/** Polls a clock workflow until it has completed (a query or describe does not move virtual time). */
async function clockCompleted(incidentId: string, regime: string): Promise<void> {
  const handle = env.client.workflow.getHandle(regulatoryClockWorkflowId(incidentId, regime));
  for (let i = 0; i < 400; i++) {
    if ((await handle.describe()).status.name === 'COMPLETED') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`clock ${regime} of ${incidentId} never completed`);
}

/**
 * The reference incident with an approval wait (break-circuits), a failed forensics step that
 * needs attention and is retried, and the close approval. With `continueAsNewAfterEvents` set,
 * each of those waits is expected to be met by a new run (`expectContinue`).
 */
async function play(options: IncidentWorkflowInput['options'], expectContinue: boolean): Promise<Played> {
  const taskQueue = `tq-${randomUUID().slice(0, 8)}`;
  const { activities } = stubActivities();
  const appended: number[][] = [];
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: {
      ...activities,
      investigate: failing(1, 'BrokerUnavailable', activities.investigate as Activity),
      ensureAuditTopic: () => audit.ensureAuditTopic(),
      appendAudit: (input: { events: DomainEvent[] }) => {
        appended.push(input.events.map((e) => e.seq));
        return audit.appendAudit(input);
      },
    },
  });
  const awareMs = await env.currentTimeMs();
  const incidentId = `incident-${randomUUID().slice(0, 8)}`;
  const alert = stubAlert(new Date(awareMs).toISOString());
  const input: IncidentWorkflowInput = { incidentId, mode: 'live', alert, principal: 'User:report-exporter', runbook: runbook.runbook, runbookContentHash: runbook.contentHash, ...(options ? { options } : {}) };
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start<Incident>('IncidentWorkflow', { taskQueue, workflowId: incidentId, args: [input] });
    try {
      let run = await currentRun(handle);
      const first = run;
      const step = async (predicate: (s: IncidentState) => boolean): Promise<void> => {
        if (expectContinue) run = await continuedPast(handle, run, predicate);
        else await waitForState(handle, predicate);
      };

      // 1. Waiting for the incident commander's approval of break-circuits.
      await step((s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
      // The clocks started by the first run answer the run that continued it: each stops.
      for (const regime of REGIMES) {
        await handle.executeUpdate(notNotifiableUpdate, { args: [{ ...DPO, regime, reasoning: 'tabletop: no personal data left the cluster' }] });
      }
      for (const regime of REGIMES) await clockCompleted(incidentId, regime);
      await handle.signal(approveSignal, approve('break-circuits'));

      // 2. Forensics failed for good: needs attention until an operator retries.
      await step((s) => s.attention.some((a) => a.stepId === 'forensics'));
      expect((await handle.executeUpdate(retryStepUpdate, { args: [{ ...IC, stepId: 'forensics' }] })).message).toMatch(/tried again/);

      // 3. Waiting for the close approval.
      await step((s) => s.pendingApprovals.some((a) => a.stepId === 'close'));
      await handle.signal(approveSignal, approve('close'));
      const final = await handle.result();
      const events = await handle.query(eventsQuery);
      return { incidentId, final, events, appended, runs: await runChain(incidentId, first) };
    } finally {
      await env.client.workflow.getHandle(incidentId).terminate('test done').catch(() => undefined);
      for (const regime of REGIMES) await env.client.workflow.getHandle(regulatoryClockWorkflowId(incidentId, regime)).terminate('test done').catch(() => undefined);
    }
  });
}

function stubAlert(observedAt: string): IncidentWorkflowInput['alert'] {
  return {
    source: 'splunk',
    alertId: 'alert-1',
    rule: 'kafka-unusual-consumer',
    severity: 'critical',
    title: 'report-exporter reads orders at 40x its baseline',
    principal: 'User:report-exporter',
    asset: 'orders',
    scenario: 'kafka-exfiltration',
    observedAt,
    receivedAt: observedAt,
    fingerprint: 'f'.repeat(64),
  };
}

/** The state with what differs between any two runs (times, ids, durations) taken out. */
function comparable(state: IncidentState, incidentId: string): unknown {
  const text = JSON.stringify(state)
    .replaceAll(incidentId, '<incident>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>');
  return JSON.parse(text, (key, value: unknown) => (key === 'durationMs' ? 0 : value));
}

/** The incident's events as the audit topic holds them: seq of each record, in topic order. */
async function auditSeqs(incidentId: string): Promise<number[]> {
  const kafkaClient = createKafka(kafka.connection, { clientId: 'can-test-reader', logger: silentLogger });
  const records = await readAuditRecords(kafkaClient, AUDIT_TOPIC, { incidentId });
  expect(verifyAuditRecords(records)).toMatchObject({ ok: true });
  return records.filter((r) => !isCheckpointRecord(r.value)).map((r) => (r.value as DomainEvent).seq);
}

describe('a long incident continues as new at safe points, carrying its folded state', () => {
  let straight: Played;
  let continued: Played;

  beforeAll(async () => {
    straight = await play(undefined, false);
    continued = await play({ continueAsNewAfterEvents: 20 }, true);
  }, 240_000);

  it('continues while waiting for an approval and while needing attention; approve and retry work on the new runs', () => {
    expect(straight.runs).toHaveLength(1);
    // One new run at each of the three waits at least (approval, attention, close approval).
    expect(continued.runs.length).toBeGreaterThanOrEqual(4);
    expect(new Set(continued.runs).size).toBe(continued.runs.length);
    expect(continued.final.status).toBe('closed');
    expect(continued.final.steps.find((s) => s.id === 'forensics')).toMatchObject({ status: 'completed', attempts: 2 });
    expect(continued.final.steps.find((s) => s.id === 'break-circuits')).toMatchObject({ status: 'completed', approved: true });
  });

  it('ends with the same events (types and seqs) and the same state as the incident that never continued', () => {
    const shape = (p: Played) => p.events.map((e) => `${e.seq}:${e.type}`);
    expect(shape(continued)).toEqual(shape(straight));
    expect(continued.events.map((e) => e.seq)).toEqual(continued.events.map((_, i) => i + 1));
    expect(comparable(continued.final, continued.incidentId)).toEqual(comparable(straight.final, straight.incidentId));
    // Nothing was asked twice across the switches.
    expect(continued.events.filter((e) => e.type === 'ApprovalRequested').map((e) => e.data.approvalId)).toEqual(['break-circuits/1', 'close/1']);
  });

  it('ships every seq to the audit topic exactly once, in order, across the switches', async () => {
    const seqs = await auditSeqs(continued.incidentId);
    expect(seqs).toEqual(continued.events.map((e) => e.seq));
    // Already-shipped events are never handed to the audit activity again by a later run.
    const shipped = continued.appended.flat();
    expect(shipped).toEqual(seqs);
  });
});

describe('an incident that continues as new again and again', () => {
  it('keeps every alert that arrives around the switches, ships each seq once, and still takes its approval', async () => {
    const taskQueue = `tq-${randomUUID().slice(0, 8)}`;
    const { activities } = stubActivities();
    const appended: number[][] = [];
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: {
        ...activities,
        ensureAuditTopic: () => audit.ensureAuditTopic(),
        appendAudit: (input: { events: DomainEvent[] }) => {
          appended.push(input.events.map((e) => e.seq));
          return audit.appendAudit(input);
        },
      },
    });
    const incidentId = `incident-${randomUUID().slice(0, 8)}`;
    const observedAt = new Date(await env.currentTimeMs()).toISOString();
    const input: IncidentWorkflowInput = {
      incidentId,
      mode: 'live',
      alert: stubAlert(observedAt),
      principal: 'User:report-exporter',
      runbook: runbook.runbook,
      runbookContentHash: runbook.contentHash,
      options: { continueAsNewAfterEvents: 20 },
    };
    const ALERTS = 40;
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<Incident>('IncidentWorkflow', { taskQueue, workflowId: incidentId, args: [input] });
      try {
        await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
        // A storm of duplicates of other SIEM alerts while the incident waits for its commander.
        // Half in a burst (they land in whichever run is current, or arrive during a switch) ...
        await Promise.all(Array.from({ length: ALERTS / 2 }, (_, i) => handle.signal(alertSignal, { ...stubAlert(observedAt), alertId: `storm-${i}` })));
        // ... half one at a time, each recorded before the next: the history grows and the run switches again and again.
        for (let i = ALERTS / 2; i < ALERTS; i++) {
          await handle.signal(alertSignal, { ...stubAlert(observedAt), alertId: `storm-${i}` });
          await waitForState(handle, (s) => s.alertsCorrelated >= i + 2);
        }
        await waitForState(handle, (s) => s.alertsCorrelated === ALERTS + 1);
        const runs = await runChain(incidentId, handle.firstExecutionRunId);
        expect(runs.length).toBeGreaterThanOrEqual(4);
        // The approval asked for by the first run is answered on the last one.
        await handle.signal(approveSignal, approve('break-circuits'));
        const s = await waitForState(handle, (st) => st.steps.find((x) => x.id === 'break-circuits')?.status === 'completed');
        expect(s.breakers['orders-to-data-lake']?.state).toBe('open');
        const events = await handle.query(eventsQuery);
        expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
        const ids = events.flatMap((e) => (e.type === 'AlertCorrelated' ? [e.data.alertId] : []));
        expect(new Set(ids).size).toBe(ALERTS + 1);
        expect(events.filter((e) => e.type === 'ApprovalRequested')).toHaveLength(1);
        // Every seq on the audit topic once; nothing handed to the audit activity twice.
        let seqs: number[] = [];
        for (let i = 0; i < 100 && seqs.length < events.length; i++) {
          seqs = await auditSeqs(incidentId);
          if (seqs.length < events.length) await new Promise((r) => setTimeout(r, 100));
        }
        expect(seqs.slice(0, events.length)).toEqual(events.map((e) => e.seq));
        // The playbook goes on meanwhile (forensics ...): what was handed over so far, each seq once, in order.
        const handed = appended.flat();
        expect(handed).toEqual(handed.map((_, i) => i + 1));
        expect(handed.slice(0, seqs.length)).toEqual(seqs);
      } finally {
        await env.client.workflow.getHandle(incidentId).terminate('test done').catch(() => undefined);
        for (const regime of REGIMES) await env.client.workflow.getHandle(regulatoryClockWorkflowId(incidentId, regime)).terminate('test done').catch(() => undefined);
      }
    });
  }, 120_000);
});

describe('an evidence replay waiting for a decision', () => {
  it('is resumed by the next run: the retry replays only the failed partition and edits the same progress message', async () => {
    const taskQueue = `tq-${randomUUID().slice(0, 8)}`;
    const { activities, record } = stubActivities();
    const calls: Array<{ partition: number; runId: string }> = [];
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: {
        ...activities,
        // The chunked replay (patched 'evidence-chunks-v1') is what a new incident runs.
        preserveEvidenceChunks: async (input: { partition: number }) => {
          calls.push({ partition: input.partition, runId: Context.current().info.workflowExecution?.runId ?? '' });
          if (input.partition === 1 && calls.filter((c) => c.partition === 1).length === 1) {
            throw ApplicationFailure.create({ type: 'EvidenceTopicUnavailable', message: 'broker down', nonRetryable: true });
          }
          return (activities.preserveEvidenceChunks as (i: unknown) => Promise<unknown>)(input);
        },
      },
    });
    const incidentId = `incident-${randomUUID().slice(0, 8)}`;
    const observedAt = new Date(await env.currentTimeMs()).toISOString();
    const input: IncidentWorkflowInput = {
      incidentId,
      mode: 'live',
      alert: stubAlert(observedAt),
      principal: 'User:report-exporter',
      runbook: runbook.runbook,
      runbookContentHash: runbook.contentHash,
      options: { continueAsNewAfterEvents: 20 },
    };
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<Incident>('IncidentWorkflow', { taskQueue, workflowId: incidentId, args: [input] });
      try {
        await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
        await handle.signal(approveSignal, approve('break-circuits'));
        await waitForState(handle, (s) => s.attention.some((a) => a.stepId === 'preserve-evidence'));
        const failedIn = calls.find((c) => c.partition === 1)?.runId ?? '';
        // The playbook reached the report, which waits for the evidence: a safe point.
        await continuedPast(handle, failedIn, (s) => s.attention.some((a) => a.stepId === 'preserve-evidence'));
        await handle.executeUpdate(retryStepUpdate, { args: [{ ...IC, stepId: 'preserve-evidence' }] });
        const s = await waitForState(handle, (st) => st.pendingApprovals.some((a) => a.stepId === 'close'));
        expect(s.steps.find((x) => x.id === 'preserve-evidence')).toMatchObject({ status: 'completed', attempts: 2 });
        expect(s.steps.find((x) => x.id === 'report')?.status).toBe('completed');
        expect(Object.keys(s.evidence.ranges).sort()).toEqual(['orders:0', 'orders:1', 'orders:2']);
      } finally {
        await env.client.workflow.getHandle(incidentId).terminate('test done').catch(() => undefined);
        for (const regime of REGIMES) await env.client.workflow.getHandle(regulatoryClockWorkflowId(incidentId, regime)).terminate('test done').catch(() => undefined);
      }
    });
    // Three first attempts in one run, then only the failed partition, in a later run.
    expect(calls.slice(0, 3).map((c) => c.partition).sort()).toEqual([0, 1, 2]);
    expect(calls.slice(3).map((c) => c.partition)).toEqual([1]);
    expect(calls[3]?.runId).not.toBe(calls[0]?.runId);
    // The progress message the first run posted is the one the later run edits.
    const progress = record.messages.filter((m) => m.startsWith('Evidence:'));
    expect(progress).toEqual([expect.stringMatching(/^Evidence: 300 of 300 records preserved/)]);
  }, 120_000);
});

describe('the continue-as-new guard', () => {
  it('a dry run never continues as new, whatever the threshold', async () => {
    const taskQueue = `tq-${randomUUID().slice(0, 8)}`;
    const { activities } = stubActivities();
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
    const incidentId = `incident-${randomUUID().slice(0, 8)}`;
    const observedAt = new Date(await env.currentTimeMs()).toISOString();
    const input: IncidentWorkflowInput = {
      incidentId,
      mode: 'dry-run',
      alert: stubAlert(observedAt),
      principal: 'User:report-exporter',
      runbook: runbook.runbook,
      runbookContentHash: runbook.contentHash,
      options: { continueAsNewAfterEvents: 5 },
    };
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<Incident>('IncidentWorkflow', { taskQueue, workflowId: incidentId, args: [input] });
      const final = await handle.result();
      expect(final.status).toBe('closed');
      expect(await runChain(incidentId, handle.firstExecutionRunId)).toHaveLength(1);
      expect((await handle.query(stateQuery)).lastSeq).toBe(final.lastSeq);
    });
  });
});
