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
 * workflow much less. A last pair of rows runs the sandbox in its own process (`bin/temporal-sandbox`)
 * and gives the CPU that process spent per workflow: the stand-in's own share (Linux, from /proc).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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

/** User + system CPU ms of a process, from /proc (Linux); undefined elsewhere. */
function processCpuMs(pid: number): number | undefined {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return undefined;
  const fields = readFileSync(stat, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
}

/** Three-activity runs against the sandbox in a child process; its CPU ms per workflow. */
async function separateProcess(workflowBundle: Parameters<typeof Worker.create>[0]['workflowBundle'], rows: Array<[string, string]>): Promise<void> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, [join(__dirname, '..', 'bin', 'temporal-sandbox'), String(port), '--no-time-skipping'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve()));
  const address = `127.0.0.1:${port}`;
  const connection = await Connection.connect({ address });
  const native = await NativeConnection.connect({ address });
  const client = new Client({ connection });
  const worker = await Worker.create({ connection: native, taskQueue: 'bench', workflowBundle, activities: createActivities(), maxConcurrentWorkflowTaskExecutions: 100, maxConcurrentActivityTaskExecutions: 200 });
  const run = (workflowId: string, i: number): Promise<unknown> => client.workflow.execute(wf.threeActivities, { taskQueue: 'bench', workflowId, args: [i] });
  await worker.runUntil(async () => {
    await throughput(run, 5, 20); // warm-up
    for (const [concurrency, total] of [[1, 50], [10, 200]] as const) {
      const before = processCpuMs(child.pid!);
      const rate = await throughput(run, concurrency, total);
      const after = processCpuMs(child.pid!);
      const share = before === undefined || after === undefined ? 'n/a' : ((after - before) / total).toFixed(1);
      rows.push([`sandbox process: three-activity, ${concurrency} concurrent (${total} runs)`, `${rate}, sandbox ${share} CPU ms/workflow`]);
    }
  });
  await native.close();
  await connection.close();
  child.kill('SIGTERM');
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
  await separateProcess(workflowBundle, rows);

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
