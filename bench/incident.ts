/**
 * Time from incident start to "compromised principal refused", through the real workflow and
 * worker on the sandboxes, with a bare `contain` activity call as the in-run baseline.
 *
 *   npx tsx bench/incident.ts [runs]      (default 20)
 *
 * Each run opens an incident on a two-step runbook (contain, then a gated close) and measures
 * from `signalWithStart` to the `at` of its `AccessRevoked` event (recorded after the activity
 * verified that produce and consume are refused). A false-positive signal then unwinds the saga,
 * restoring the access, so the next run starts from the same state. One warm-up run is not counted.
 */
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { loadRunbookFile, type LoadedRunbook } from '../src/domain/runbook-loader';
import { planSteps, plannedStepOf } from '../src/domain/runbook';
import { openIncident } from '../src/playbook/open-incident';
import { seedTradingExfiltration } from '../src/sandbox/scenario/trading-exfiltration';
import { exfiltrationAlert, playbookBundle, startSandboxes } from '../test/e2e/helpers';
import { eventsQuery, falsePositiveSignal } from '../workflows/api';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function summary(values: number[]): string {
  const s = [...values].sort((a, b) => a - b);
  return `p50 ${percentile(s, 50).toFixed(0)} ms, p99 ${percentile(s, 99).toFixed(0)} ms (n=${s.length})`;
}

async function main(): Promise<void> {
  const runs = Math.max(20, Number(process.argv[2] ?? 20));
  const sb = await startSandboxes();
  const [bundle, loaded] = await Promise.all([playbookBundle(), loadRunbookFile(join(__dirname, '..', 'runbooks', 'kafka-exfiltration.yaml'))]);
  await seedTradingExfiltration({ kafka: sb.admin, secrets: sb.secrets, volume: 'test' });
  const steps = loaded.runbook.steps.filter((s) => s.action === 'contain' || s.action === 'close');
  const runbook: LoadedRunbook = { ...loaded, runbook: { ...loaded.runbook, steps } };
  const activities = createActivities(sb.deps);
  const worker = await Worker.create({ connection: sb.native, taskQueue: 'bench-incident', workflowBundle: bundle, activities });
  const workflow: number[] = [];
  const bare: number[] = [];
  const contain = plannedStepOf(planSteps(runbook.runbook), 'contain');
  if (contain === undefined) throw new Error('the runbook has no contain step');
  await worker.runUntil(async () => {
    // One uncounted warm-up run: the first workflow task and connections are cold.
    for (let i = -1; i < runs; i++) {
      // Baseline: the activity alone, then its undo.
      const incidentId = `bench-bare-${i}-${Date.now()}`;
      const input = { incidentId, stepId: 'contain', stepKey: `${incidentId}/contain`, mode: 'live' as const, principal: 'User:report-exporter', params: contain.params };
      const env = new MockActivityEnvironment();
      const began = performance.now();
      const out = (await env.run(activities.contain, input)) as Awaited<ReturnType<typeof activities.contain>>;
      if (i >= 0) bare.push(performance.now() - began);
      if (out.result) await env.run(activities.restoreAccess, { incidentId, stepId: 'contain', stepKey: input.stepKey, mode: 'live' as const, revoked: out.result });

      // Through the workflow.
      const t0 = Date.now();
      const { handle } = await openIncident({ client: sb.client, taskQueue: 'bench-incident', alert: exfiltrationAlert(), runbook, workflowId: `bench-wf-${i}-${t0}` });
      let revokedAt: number | undefined;
      while (revokedAt === undefined) {
        const revoked = (await handle.query(eventsQuery)).find((e) => e.type === 'AccessRevoked');
        if (revoked !== undefined) revokedAt = Date.parse(revoked.at);
        else await new Promise((r) => setTimeout(r, 5));
      }
      if (i >= 0) workflow.push(revokedAt - t0);
      await handle.signal(falsePositiveSignal, { declaredBy: 'bench', reason: 'benchmark run' });
      await handle.result().catch(async (err: unknown) => {
        const events = await handle.query(eventsQuery);
        throw new Error(`run ${i} failed: ${String((err as { cause?: unknown }).cause ?? err)}; ${events.filter((e) => e.type === 'StepFailed').map((e) => JSON.stringify(e.data)).join(' ')}`);
      });
    }
  });
  await sb.close();
  process.stdout.write(`${'incident start → principal refused (workflow + worker)'.padEnd(60)} ${summary(workflow)}\n`);
  process.stdout.write(`${'baseline: bare contain activity call'.padEnd(60)} ${summary(bare)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
  process.exit(1);
});
