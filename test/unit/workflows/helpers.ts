import { quietLogger, quietRuntime } from '../../support/quiet-runtime';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { loadRunbookFile, type LoadedRunbook } from '../../../src/domain/runbook-loader';
import type { IncidentState } from '../../../src/domain/incident';
import { stateQuery } from '../../../workflows/api';

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
