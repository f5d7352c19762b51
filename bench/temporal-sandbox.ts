/**
 * Sandbox Temporal server throughput and time skipping, through the real SDK.
 *
 *   npx tsx bench/temporal-sandbox.ts            # each row the median of 3 measurements
 *   BENCH_REPEAT=5 npx tsx bench/temporal-sandbox.ts
 *
 * Prints completed workflows per second at 1 and 8 concurrent starts for:
 *   - a Temporal-call-only baseline: per "workflow" one StartWorkflowExecution and one
 *     GetWorkflowExecutionHistory, with no worker on the queue: what the gRPC path alone costs;
 *   - a workflow with no activity (one workflow task);
 *   - the three-activity workflow (four workflow tasks, three activities);
 *   - a long workflow of 100 activities in a row (about 600 history events), where what a worker
 *     is sent per task (the whole history, or only the new events on its sticky queue) shows.
 * Then bare GetSystemInfo round trips, the wall time of a 72 h sleep under time skipping, and the
 * three-activity rows with the sandbox in its own process (`bin/temporal-sandbox`), giving the
 * CPU that process spends per workflow: the stand-in's own share (Linux, from /proc).
 *
 * Every row also gives the CPU milliseconds the whole process (sandbox, client and worker, which
 * share it) spent per workflow: on a shared machine wall-clock rates swing with the load, CPU per
 * workflow much less. Each figure is the median of `BENCH_REPEAT` measurements (default 3).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
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
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
const LONG_ROUNDS = 100;

type Run = (id: string, i: number) => Promise<unknown>;
interface Figure { rate: number; cpuMs: number; sandboxCpuMs?: number }

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One measurement: workflows per second and process CPU ms per workflow for `total` runs, `concurrency` at a time. */
async function measure(run: Run, concurrency: number, total: number, sandboxPid?: number): Promise<Figure> {
  let next = 0;
  const began = performance.now();
  const cpu = process.cpuUsage();
  const sandboxBefore = sandboxPid === undefined ? undefined : processCpuMs(sandboxPid);
  const lane = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      await run(`bench-${concurrency}-${i}-${randomUUID()}`, i);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const used = process.cpuUsage(cpu);
  const sandboxAfter = sandboxPid === undefined ? undefined : processCpuMs(sandboxPid);
  return {
    rate: total / ((performance.now() - began) / 1000),
    cpuMs: (used.user + used.system) / 1000 / total,
    sandboxCpuMs: sandboxBefore === undefined || sandboxAfter === undefined ? undefined : (sandboxAfter - sandboxBefore) / total,
  };
}

/** The median over `REPEAT` measurements, formatted. */
async function row(run: Run, concurrency: number, total: number, sandboxPid?: number): Promise<string> {
  const figures: Figure[] = [];
  for (let i = 0; i < REPEAT; i++) figures.push(await measure(run, concurrency, total, sandboxPid));
  const rate = median(figures.map((f) => f.rate));
  const cpu = median(figures.map((f) => f.cpuMs));
  const shares = figures.map((f) => f.sandboxCpuMs).filter((v): v is number => v !== undefined);
  const share = sandboxPid === undefined ? '' : `, sandbox ${shares.length === figures.length ? median(shares).toFixed(1) : 'n/a'} CPU ms/workflow`;
  return `${rate.toFixed(1).padStart(7)}   (${cpu.toFixed(1)} CPU ms/workflow${share})`;
}

/** User + system CPU ms of a process, from /proc (Linux); undefined elsewhere. */
function processCpuMs(pid: number): number | undefined {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return undefined;
  const fields = readFileSync(stat, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
}

/** The workflows each row starts, on a client and a task queue. */
function runs(client: Client, connection: Connection, taskQueue: string): Record<'callsOnly' | 'noActivity' | 'threeActivities' | 'long', Run> {
  const service = connection.workflowService;
  return {
    // What a workflow costs on the wire alone: its start and one read of its history.
    callsOnly: async (workflowId, i) => {
      await service.startWorkflowExecution({
        namespace: 'default', workflowId, requestId: randomUUID(), workflowType: { name: 'echoLength' },
        taskQueue: { name: `${taskQueue}-no-worker` }, input: { payloads: [] }, identity: 'bench',
      });
      await service.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId } });
      return i;
    },
    noActivity: (workflowId, i) => client.workflow.execute(wf.echoLength, { taskQueue, workflowId, args: [String(i)] }),
    threeActivities: (workflowId, i) => client.workflow.execute(wf.threeActivities, { taskQueue, workflowId, args: [i] }),
    long: (workflowId) => client.workflow.execute(wf.historyGrower, { taskQueue, workflowId, args: [LONG_ROUNDS] }),
  };
}

type WorkflowBundle = Parameters<typeof Worker.create>[0]['workflowBundle'];

/** Every row against one address; `sandboxPid` adds the sandbox process's own CPU share. */
async function rowsAgainst(address: string, workflowBundle: WorkflowBundle, label: string, plan: Array<[keyof ReturnType<typeof runs>, string, number, number]>, sandboxPid?: number): Promise<Array<[string, string]>> {
  const connection = await Connection.connect({ address });
  const native = await NativeConnection.connect({ address });
  const client = new Client({ connection });
  const worker = await Worker.create({ connection: native, taskQueue: 'bench', workflowBundle, activities: createActivities(), maxConcurrentWorkflowTaskExecutions: 100, maxConcurrentActivityTaskExecutions: 200 });
  const rows: Array<[string, string]> = [];
  const run = runs(client, connection, 'bench');
  await worker.runUntil(async () => {
    for (let i = 0; i < 20; i++) await run.threeActivities(`warm-up-${randomUUID()}`, i);
    for (const [kind, name, concurrency, total] of plan) {
      rows.push(print(`${label}${name}, ${concurrency} concurrent (${total} runs)`, await row(run[kind], concurrency, total, sandboxPid)));
    }
  });
  await native.close();
  await connection.close();
  return rows;
}

/** The same rows with the sandbox in its own process, and that process's CPU per workflow. */
async function separateProcess(workflowBundle: WorkflowBundle): Promise<Array<[string, string]>> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, [join(__dirname, '..', 'bin', 'temporal-sandbox'), String(port), '--no-time-skipping'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve()));
  try {
    return await rowsAgainst(`127.0.0.1:${port}`, workflowBundle, 'sandbox process: ', [
      ['threeActivities', 'three-activity', 1, 40],
      ['threeActivities', 'three-activity', 8, 160],
    ], child.pid);
  } finally {
    child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: quiet });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: join(__dirname, '..', 'test', 'integration', 'temporal', 'workflows', 'index.ts'), logger: quiet });

  const sandbox = await start({});
  const rows = await rowsAgainst(sandbox.address, workflowBundle, '', [
    ['callsOnly', 'baseline: Temporal calls only (start + history, no worker)', 1, 200],
    ['noActivity', 'baseline: no-activity workflows/s', 1, 60],
    ['threeActivities', 'three-activity workflows/s', 1, 40],
    ['long', `${LONG_ROUNDS}-activity workflows/s`, 1, 2],
    ['callsOnly', 'baseline: Temporal calls only (start + history, no worker)', 8, 800],
    ['noActivity', 'baseline: no-activity workflows/s', 8, 240],
    ['threeActivities', 'three-activity workflows/s', 8, 160],
    ['long', `${LONG_ROUNDS}-activity workflows/s`, 8, 8],
  ]);
  const connection = await Connection.connect({ address: sandbox.address });
  const rpcs = 2_000;
  const began = performance.now();
  for (let i = 0; i < rpcs; i++) await connection.workflowService.getSystemInfo({});
  rows.push(print('baseline: GetSystemInfo round trips/s (sequential)', (rpcs / ((performance.now() - began) / 1000)).toFixed(0).padStart(7)));
  await connection.close();
  await sandbox.close();
  rows.push(...(await separateProcess(workflowBundle)));

  rows.push(print('72 h sleep under time skipping, wall ms', await timeSkippingSleep(workflowBundle)));
  process.stdout.write(`\nmedian of ${REPEAT} measurements per row\n`);
  for (const [name, value] of rows) process.stdout.write(`${name.padEnd(84)} ${value}\n`);
}

/** Wall ms of a 72 h sleep under time skipping (the SDK's test environment on `bin/temporal-sandbox`). */
async function timeSkippingSleep(workflowBundle: WorkflowBundle): Promise<string> {
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: join(__dirname, '..', 'bin', 'temporal-sandbox') } } });
  } catch (err) {
    // The SDK gives the server 5 s to answer; a heavily loaded machine can miss that.
    return `    n/a (test environment did not start: ${err instanceof Error ? err.message.slice(0, 60) : String(err)})`;
  }
  const skipWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'bench-skip', workflowBundle, activities: createActivities() });
  const began = performance.now();
  await skipWorker.runUntil(env.client.workflow.execute(wf.sleeper, { taskQueue: 'bench-skip', workflowId: `bench-72h-${Date.now()}`, args: [72 * 3600_000] }));
  const ms = performance.now() - began;
  await env.teardown();
  return ms.toFixed(0).padStart(7);
}

/** Prints a row as soon as it is measured (the summary follows at the end) and returns it. */
function print(name: string, value: string): [string, string] {
  process.stdout.write(`${name.padEnd(84)} ${value}\n`);
  return [name, value];
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
  process.exit(1);
});
