/**
 * Captures the histories of representative incidents from this release into
 * `test/fixtures/histories/<release>/*.history.pb` (protobuf `temporal.api.history.v1.History`), for `histories.test.ts` to replay against every later
 * bundle. Run it once per release that changes workflow code (before the next change lands):
 *
 *   npx tsx test/replay/capture-histories.ts <release>     # e.g. 0.2.0
 *
 * Scenarios (stub activities, time skipping, on the project's Temporal sandbox): a normal incident
 * run to its close, one waiting on an approval for 30 h while its clocks remind, a failed step that
 * is retried, a false positive, a dry run, and a drill. Clock child workflows are captured too.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import type { IncidentState } from '../../src/domain/incident';
import type { IncidentWorkflowInput } from '../../src/domain/step-contract';
import { approveSignal, falsePositiveSignal, fileNotificationSignal, retryStepUpdate, stateQuery } from '../../workflows/api';
import { quietLogger, quietRuntime } from '../support/quiet-runtime';
import { referenceRunbook, timeSkippingEnv } from '../unit/workflows/helpers';
import { stubActivities, testAlert } from '../unit/workflows/stub-activities';

type Incident = (input: IncidentWorkflowInput) => Promise<IncidentState>;
const HOUR = 3_600_000;
const ROOT = join(__dirname, '..', '..');

async function until(handle: WorkflowHandle, predicate: (s: IncidentState) => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if (predicate(await handle.query(stateQuery))) return;
    } catch {
      // not started yet
    }
    if (Date.now() > deadline) throw new Error(`never reached the expected state: ${handle.workflowId}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<void> {
  const release = process.argv[2];
  if (!release || !/^[0-9A-Za-z._-]+$/.test(release)) throw new Error('usage: capture-histories.ts <release>');
  quietRuntime();
  const env = await timeSkippingEnv();
  const bundle = await bundleWorkflowCode({ workflowsPath: join(ROOT, 'workflows', 'drill.ts'), logger: quietLogger() });
  const { runbook, contentHash } = await referenceRunbook();
  const stub = stubActivities();
  let rotations = 0;
  const drillActivities = {
    prepareDrill: async () => ({ totals: { records: '300' }, partitions: [] }),
    postDrillInject: async () => undefined,
    fireDrillAlert: async () => ({ incidentId: 'incident-drill-stub' }),
    awaitDrillResponders: async () => ({ contained: true, approvals: [], filings: [] }),
    reportDrill: async () => ({ score: 100, findings: [], markdown: '# drill' }),
  };
  const taskQueue = `capture-${randomUUID().slice(0, 8)}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: {
      ...stub.activities,
      ...drillActivities,
      // The failure-retry scenario: the first rotation fails for good.
      rotateCredentials: async (input: never) => {
        if (++rotations === 1) throw ApplicationFailure.create({ type: 'VaultSealed', message: 'Vault is sealed', nonRetryable: true });
        return (stub.activities.rotateCredentials as (i: never) => Promise<unknown>)(input);
      },
    },
  });
  const ids: string[] = [];
  const start = async (scenario: string, mode: IncidentWorkflowInput['mode'] = 'live', options?: IncidentWorkflowInput['options']): Promise<WorkflowHandle<Incident>> => {
    const now = await env.currentTimeMs();
    const incidentId = `${scenario}--incident-${randomUUID().slice(0, 6)}`;
    ids.push(incidentId);
    const input: IncidentWorkflowInput = {
      incidentId,
      mode,
      alert: testAlert(new Date(now).toISOString()),
      principal: 'User:report-exporter',
      runbook,
      runbookContentHash: contentHash,
      ...(options ? { options } : {}),
    };
    return env.client.workflow.start<Incident>('IncidentWorkflow', { taskQueue, workflowId: incidentId, args: [input] });
  };
  const approve = (stepId: string) => ({ stepId, approver: 'U-IC', role: 'incident-commander' as const });

  await worker.runUntil(async () => {
    // failure-retry first: it takes the one failing rotation.
    const failing = await start('failure-retry');
    await until(failing, (s) => s.attention.some((a) => a.stepId === 'rotate-credentials'));
    await failing.executeUpdate(retryStepUpdate, { args: [{ stepId: 'rotate-credentials', requestedBy: 'U-IC', role: 'incident-commander' }] });
    await until(failing, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));

    const normal = await start('normal');
    await until(normal, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
    await normal.signal(approveSignal, approve('break-circuits'));
    await until(normal, (s) => s.pendingApprovals.some((a) => a.stepId === 'close'));
    for (const regime of ['gdpr', 'nis2']) {
      await normal.signal(fileNotificationSignal, { regime, recipient: 'supervisory-authority', authority: 'the authority', reference: `REF-${regime}`, filer: 'U-DPO' });
    }
    await normal.signal(approveSignal, approve('close'));
    await normal.result();

    const falsePositive = await start('false-positive');
    await until(falsePositive, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
    await falsePositive.signal(falsePositiveSignal, { declaredBy: 'U-IC', reason: 'sanctioned load test' });
    await falsePositive.result();

    const dryRun = await start('dry-run', 'dry-run');
    await dryRun.result();

    const waiting = await start('approval-wait', 'live', { approvalTimeout: '48h' });
    await until(waiting, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
    await env.sleep(30 * HOUR);
    await until(waiting, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));

    const drillId = `drill--${randomUUID().slice(0, 6)}`;
    ids.push(drillId);
    await env.client.workflow.execute('DrillWorkflow', { taskQueue, workflowId: drillId, args: [{ scenario: 'trading-exfiltration', drillId }] });
  });

  const dir = join(ROOT, 'test', 'fixtures', 'histories', release);
  mkdirSync(dir, { recursive: true });
  let written = 0;
  for await (const info of env.client.workflow.list()) {
    // Incidents, their clocks (`<incident>/clock/<regime>`) and the drill.
    if (!ids.some((id) => info.workflowId === id || info.workflowId.startsWith(`${id}/`))) continue;
    const history = withoutStackTraces(await env.client.workflow.getHandle(info.workflowId, info.runId).fetchHistory());
    // Protobuf binary, exactly as the server serves it: no JSON mapping to drift between SDK versions.
    writeFileSync(join(dir, `${info.workflowId.replace(/\//g, '~')}.history.pb`), temporal.api.history.v1.History.encode(history).finish());
    written++;
  }
  process.stdout.write(`captured ${written} histories into test/fixtures/histories/${release}\n`);
  await env.teardown();
}

/**
 * Failures carry the stack trace of wherever they were thrown, i.e. paths of the machine that
 * captured them; replay never reads them, so they are blanked before the history is stored.
 */
function withoutStackTraces<T>(value: T): T {
  if (Array.isArray(value)) {
    for (const item of value) withoutStackTraces(item);
  } else if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'stackTrace' && typeof child === 'string') (value as Record<string, unknown>)[key] = '';
      else withoutStackTraces(child);
    }
  }
  return value;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
