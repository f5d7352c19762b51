/**
 * Time to resume after a worker is killed mid-step (issue 9): the worker process is SIGKILLed
 * while the rotation step is rotating (Vault slowed so the kill lands mid-step), a new worker is
 * started at once, and we measure from the kill to the moment the rotation's next attempt is
 * STARTED on the new worker (`describe().pendingActivities`). Heartbeat timeouts of seconds make
 * this seconds; before them, the retry waited for the step's start-to-close timeout (15 min).
 * Baseline in the same run: how long the new worker process takes to start at all.
 *
 * Usage: `npm run bench -- time-to-resume` (a few runs; prints each and the median).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runbookStepOf } from '../src/domain/runbook';
import { loadRunbookFile } from '../src/domain/runbook-loader';
import { openIncident } from '../src/playbook/open-incident';
import { seedTradingExfiltration } from '../src/sandbox/scenario/trading-exfiltration';
import { readServiceAccount } from '../src/vault/service-accounts';
import { encryptedConverter, eventually, exfiltrationAlert, killProcess, playbookBundle, ROOT, startSandboxes, startWorkerProcess } from '../test/e2e/helpers';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const STARTED = 2; // PENDING_ACTIVITY_STATE_STARTED

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'breachline-resume-'));
  // The worker process encrypts payloads (the default), so the client reads them through the same codec.
  const sb = await startSandboxes({ dataConverter: encryptedConverter });
  try {
    const bundlePath = join(dir, 'workflows.js');
    writeFileSync(bundlePath, (await playbookBundle()).code);
    const runbook = await loadRunbookFile(join(ROOT, 'runbooks', 'kafka-exfiltration.yaml'));
    const rotate = runbookStepOf(runbook.runbook, 'rotate-credentials');
    const blast = [...(rotate?.with?.blastRadius ?? [])];
    await seedTradingExfiltration({ kafka: sb.admin, secrets: sb.secrets, volume: 'test', vault: { address: sb.vault.address, token: sb.vault.rootToken } });
    const versions = async (): Promise<number> => (await Promise.all(blast.map((a) => readServiceAccount(sb.secrets, a)))).reduce((n, v) => n + v.version, 0);
    const resumes: number[] = [];
    const starts: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const taskQueue = `resume-${i}`;
      let worker = await startWorkerProcess(sb, { taskQueue, bundlePath });
      sb.vault.faults.setLatency(400);
      const before = await versions();
      const { handle } = await openIncident({ client: sb.client, taskQueue, alert: exfiltrationAlert(), runbook, workflowId: `resume-${i}-${Date.now()}` });
      await eventually(async () => (await versions()) > before, 60_000, 'rotation under way');
      await killProcess(worker);
      const killedAt = Date.now();
      worker = await startWorkerProcess(sb, { taskQueue, bundlePath });
      starts.push(Date.now() - killedAt);
      await eventually(async () => {
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        return pending.some((a) => a.activityType?.name === 'rotateCredentials' && (a.attempt ?? 0) >= 2 && a.state === STARTED);
      }, 120_000, 'rotation retried');
      resumes.push(Date.now() - killedAt);
      sb.vault.faults.reset();
      await handle.terminate('benchmark run done');
      await killProcess(worker);
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    for (const [i, ms] of resumes.entries()) process.stdout.write(`run ${i + 1}: kill → retry started ${(ms / 1000).toFixed(1)} s (new worker up after ${((starts[i] ?? 0) / 1000).toFixed(1)} s)\n`);
    process.stdout.write(`median kill → retry started: ${(median(resumes) / 1000).toFixed(1)} s (goal < 30 s); baseline, worker start alone: ${(median(starts) / 1000).toFixed(1)} s\n`);
  } finally {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
