import { quietLogger, quietRuntime } from '../../support/quiet-runtime';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { expect } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { loadRunbookFile, type LoadedRunbook } from '../../../src/domain/runbook-loader';
import type { IncidentState } from '../../../src/domain/incident';
import { regulatoryClockWorkflowId, stateQuery } from '../../../workflows/api';
import type { IncidentWorkflowInput } from '../../../src/domain/step-contract';
import type { Alert } from '../../../src/domain/alert';
import { stubActivities, testAlert, type StubRecord } from './stub-activities';

/** Repository root, from this file. */
export const ROOT = join(__dirname, '..', '..', '..');

/** The time-skipping test environment on our own Temporal sandbox binary. */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: join(ROOT, 'bin', 'temporal-sandbox') } } });
}

/** Bundles the playbook workflows (once per test file). */
export async function playbookBundle(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: join(ROOT, 'workflows', 'index.ts'), logger: quietLogger() });
}

/** The reference runbook. */
export function referenceRunbook(): Promise<LoadedRunbook> {
  return loadRunbookFile(join(ROOT, 'runbooks', 'kafka-exfiltration.yaml'));
}

/** Polls the incident's state until `predicate` holds (queries do not advance virtual time). */
export async function waitForState(handle: WorkflowHandle, predicate: (s: IncidentState) => boolean, timeoutMs = 30_000): Promise<IncidentState> {
  const deadline = Date.now() + timeoutMs;
  let last: IncidentState | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(stateQuery);
      if (predicate(last)) return last;
    } catch {
      // Not started yet.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`state never matched; last: ${JSON.stringify(last?.steps.map((s) => `${s.id}:${s.status}`))}`);
}

export { quietRuntime };

/** What a workflow test file shares: the time-skipping environment, the bundle and the runbook. */
export interface PlaybookFixture {
  env: TestWorkflowEnvironment;
  bundle: WorkflowBundleWithSourceMap;
  runbook: LoadedRunbook;
}

/** One incident started by {@link runIncident}. */
export interface StartedIncident {
  handle: WorkflowHandle<(input: IncidentWorkflowInput) => Promise<IncidentState>>;
  record: StubRecord;
  worker: Worker;
  /** Virtual time at the start: the alert's time, i.e. provisional awareness. */
  awareMs: number;
  incidentId: string;
}

/** Options of {@link runIncident}. */
export interface RunIncidentOptions {
  mode?: IncidentWorkflowInput['mode'];
  options?: IncidentWorkflowInput['options'];
  /** Activities that replace the stubs (failures, slow paths). */
  overrides?: Record<string, (...args: never[]) => Promise<unknown>>;
  /** Fields of the opening alert that differ from `testAlert` (issue 12: `suspectedSince`). */
  alert?: Partial<Alert>;
}

/**
 * Starts an incident of the fixture's runbook on a fresh task queue with stub activities and runs
 * `body` while its worker runs. Afterwards the incident and its clock workflows are terminated:
 * clocks outlive their incident by design and an incident needing attention never ends by itself,
 * and an activity either schedules after this worker stopped would hold virtual time still for
 * every later test of the file.
 */
export async function runIncident(fx: PlaybookFixture, body: (s: StartedIncident) => Promise<void>, opts: RunIncidentOptions = {}): Promise<StubRecord> {
  const { env, bundle, runbook } = fx;
  const taskQueue = `tq-${randomUUID().slice(0, 8)}`;
  const { activities, record } = stubActivities();
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities: { ...activities, ...opts.overrides } });
  const awareMs = await env.currentTimeMs();
  const incidentId = `incident-${randomUUID().slice(0, 8)}`;
  const input: IncidentWorkflowInput = {
    incidentId,
    mode: opts.mode ?? 'live',
    alert: { ...testAlert(new Date(awareMs).toISOString()), ...opts.alert },
    principal: 'User:report-exporter',
    runbook: runbook.runbook,
    runbookContentHash: runbook.contentHash,
    ...(opts.options ? { options: opts.options } : {}),
  };
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start<(i: IncidentWorkflowInput) => Promise<IncidentState>>('IncidentWorkflow', { taskQueue, workflowId: incidentId, args: [input] });
    try {
      await body({ handle, record, worker, awareMs, incidentId });
    } finally {
      await env.client.workflow.getHandle(incidentId).terminate('test done').catch(() => undefined);
      for (const regime of Object.keys(runbook.runbook.regimes)) {
        await env.client.workflow.getHandle(regulatoryClockWorkflowId(incidentId, regime)).terminate('test done').catch(() => undefined);
      }
    }
  });
  return record;
}

/** The refusal message of an update the workflow's validator rejected (fails the test if it was accepted). */
export async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return String((err as WorkflowUpdateFailedError).cause?.message);
}
