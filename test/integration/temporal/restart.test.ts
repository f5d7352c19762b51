import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, sideEffects } from './workflows/activities';
import { bundle, connect, quietRuntime, replayAll, uid } from './helpers';
import * as wf from './workflows';
import { freePort } from '../../support/free-port';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'temporal-sandbox');
let dataDir: string;
let port: number;
let server: ChildProcess | undefined;
let workflowBundle: WorkflowBundleWithSourceMap;
let client: Client;
let connection: Connection;
let native: NativeConnection;


/** Starts the server process on the data directory and waits until it listens. */
function startServer(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, [String(port), '--data-dir', dataDir, '--no-time-skipping'], { stdio: ['ignore', 'pipe', 'inherit'] });
    server = child;
    child.once('error', reject);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) resolve();
    });
  });
}

function killServer(): Promise<void> {
  const child = server!;
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

beforeAll(async () => {
  quietRuntime();
  dataDir = mkdtempSync(join(tmpdir(), 'temporal-sandbox-restart-'));
  port = await freePort();
  await startServer();
  ({ client, connection, native } = await connect(`127.0.0.1:${port}`));
  workflowBundle = await bundle();
});

afterAll(async () => {
  await native?.close();
  await connection?.close();
  if (server && server.exitCode === null) await killServer();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('durability', () => {
  it('carries a workflow on across a SIGKILL of the server, each side effect applied once', async () => {
    const key = uid('restart');
    let restarted = false;
    const activities = createActivities({
      onRestartPoint: async (k) => {
        // Kill the server while activity "b" is running, then bring it back on the same journal.
        if (k === `${key}-b` && !restarted) {
          restarted = true;
          await killServer();
          await startServer();
        }
      },
    });
    const worker = await Worker.create({ connection: native, taskQueue: 'restart', workflowBundle, activities, maxCachedWorkflows: 0 });
    const result = await worker.runUntil(client.workflow.execute(wf.restartable, { taskQueue: 'restart', workflowId: key, args: [key] }));
    expect(restarted).toBe(true);
    expect(result).toEqual([1, 1, 1]);
    expect([`${key}-a`, `${key}-b`, `${key}-c`].map((k) => sideEffects.get(k))).toEqual([1, 1, 1]);
  });

  it('keeps a pending timer and a running workflow across a restart', async () => {
    const worker = await Worker.create({ connection: native, taskQueue: 'restart-timer', workflowBundle, activities: createActivities() });
    const id = uid('timer-restart');
    const handle = await client.workflow.start(wf.sleeper, { taskQueue: 'restart-timer', workflowId: id, args: [1500] });
    const result = await worker.runUntil(async () => {
      await new Promise((r) => setTimeout(r, 300));
      await killServer();
      await startServer();
      return handle.result();
    });
    expect(result).toBeGreaterThanOrEqual(1500);
  });

  it('hands heartbeat details journaled before a restart to the retry after a timeout', async () => {
    const key = uid('hb-restart');
    const activities = createActivities({
      onRestartPoint: async (k) => {
        if (k === key) {
          await killServer();
          await startServer();
        }
      },
    });
    const worker = await Worker.create({ connection: native, taskQueue: 'restart-hb', workflowBundle, activities });
    const result = await worker.runUntil(client.workflow.execute(wf.heartbeatRestart, { taskQueue: 'restart-hb', workflowId: key, args: [key] }));
    expect(result).toBe(`${key}-progress`);
  });

  it('keeps schedules running across a restart', async () => {
    const scheduleId = uid('sched-restart');
    const handle = await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1s' }] },
      policies: { overlap: 'ALLOW_ALL' },
      action: { type: 'startWorkflow', workflowType: 'sleeper', args: [1], taskQueue: 'no-worker', workflowId: `${scheduleId}-wf` },
    });
    for (let i = 0; i < 60 && (await handle.describe()).info.recentActions.length < 1; i++) await sleep(50);
    await killServer();
    await startServer();
    const before = (await handle.describe()).info.recentActions.length;
    expect(before).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 80 && (await handle.describe()).info.recentActions.length <= before; i++) await sleep(50);
    expect((await handle.describe()).info.recentActions.length).toBeGreaterThan(before);
    await handle.delete();
    for await (const w of client.workflow.list({ query: "TaskQueue = 'no-worker' AND ExecutionStatus = 'Running'" })) {
      await client.workflow.getHandle(w.workflowId, w.runId).terminate();
    }
  });

  it('replays the histories written before and after the restarts', async () => {
    expect(await replayAll(client, workflowBundle, "TaskQueue != 'no-worker'")).toBe(3);
  });
});
