/**
 * Sandbox Temporal server throughput and time skipping, through the real SDK.
 *
 *   npx tsx bench/temporal-sandbox.ts
 *
 * Prints completed workflows per second for a three-activity workflow at 1, 10 and 50 concurrent
 * starts, the wall time of a 72 h sleep under time skipping, and two Temporal-call-only baselines
 * measured in the same run over the same connections: bare GetSystemInfo round trips, and
 * start + result of a workflow with no activity (one workflow task). The three-activity rate
 * over the no-activity rate says how much the activities' own round trips cost.
 *
 * Every row also gives the CPU milliseconds the whole process (sandbox, client and worker, which
 * share it) spent per workflow: on a shared machine wall-clock rates swing with the load, CPU per
 * workflow much less.
 */
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { start } from '../src/sandbox/temporal';
import { createActivities } from '../test/integration/temporal/workflows/activities';
import * as wf from '../test/integration/temporal/workflows';

const noop = (): void => undefined;
const quiet = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };

/** Workflows per second and process CPU ms per workflow for `total` runs, `concurrency` at a time. */
async function throughput(run: (id: string, i: number) => Promise<unknown>, concurrency: number, total: number): Promise<string> {
  let next = 0;
  const began = performance.now();
  const cpu = process.cpuUsage();
  const lane = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      await run(`bench-${concurrency}-${i}-${began}`, i);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const used = process.cpuUsage(cpu);
  const rate = total / ((performance.now() - began) / 1000);
  return `${rate.toFixed(1).padStart(7)}   (${((used.user + used.system) / 1000 / total).toFixed(1)} CPU ms/workflow)`;
}

async function main(): Promise<void> {
  Runtime.install({ logger: quiet });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: join(__dirname, '..', 'test', 'integration', 'temporal', 'workflows', 'index.ts'), logger: quiet });

  const sandbox = await start({});
  const connection = await Connection.connect({ address: sandbox.address });
  const native = await NativeConnection.connect({ address: sandbox.address });
  const client = new Client({ connection });
  const worker = await Worker.create({ connection: native, taskQueue: 'bench', workflowBundle, activities: createActivities(), maxConcurrentWorkflowTaskExecutions: 100, maxConcurrentActivityTaskExecutions: 200 });
  const rows: Array<[string, string]> = [];
  await worker.runUntil(async () => {
    const rpcs = 2_000;
    const began = performance.now();
    for (let i = 0; i < rpcs; i++) await connection.workflowService.getSystemInfo({});
    rows.push(['baseline: GetSystemInfo round trips/s (sequential)', (rpcs / ((performance.now() - began) / 1000)).toFixed(0).padStart(7)]);
    const noActivity = (workflowId: string, i: number): Promise<unknown> => client.workflow.execute(wf.echoLength, { taskQueue: 'bench', workflowId, args: [String(i)] });
    const threeActivities = (workflowId: string, i: number): Promise<unknown> => client.workflow.execute(wf.threeActivities, { taskQueue: 'bench', workflowId, args: [i] });
    await throughput(threeActivities, 5, 20); // warm-up
    for (const [concurrency, total] of [[1, 50], [10, 200], [50, 500]] as const) {
      rows.push([`baseline: no-activity workflows/s, ${concurrency} concurrent (${total} runs)`, await throughput(noActivity, concurrency, total)]);
      rows.push([`three-activity workflows/s, ${concurrency} concurrent (${total} runs)`, await throughput(threeActivities, concurrency, total)]);
    }
  });
  await native.close();
  await connection.close();
  await sandbox.close();

  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: join(__dirname, '..', 'bin', 'temporal-sandbox') } } });
  const skipWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'bench-skip', workflowBundle, activities: createActivities() });
  const began = performance.now();
  await skipWorker.runUntil(env.client.workflow.execute(wf.sleeper, { taskQueue: 'bench-skip', workflowId: `bench-72h-${Date.now()}`, args: [72 * 3600_000] }));
  rows.push(['72 h sleep under time skipping, wall ms', (performance.now() - began).toFixed(0).padStart(7)]);
  await env.teardown();

  for (const [name, value] of rows) process.stdout.write(`${name.padEnd(64)} ${value}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
  process.exit(1);
});
