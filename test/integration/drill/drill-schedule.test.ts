import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../../activities';
import { bundleWorkflows, createDrillWorker } from '../../../src/app/workers';
import { createDrillPort, type DrillPort } from '../../../src/drill/port';
import { DrillRange } from '../../../src/drill/range';
import { loadRunbookDir } from '../../../src/domain/runbook-loader';
import { RunbookCatalog } from '../../../src/ingress/runbooks';
import { silentLogger } from '../../../src/log/logger';
import { start as startTemporal, type RunningTemporalSandbox } from '../../../src/sandbox/temporal';
import type { DrillResult } from '../../../workflows/drill';
import { quietRuntime } from '../../support/quiet-runtime';

/*
 * Drills on a Temporal schedule, on the temporal sandbox with time skipping: the schedule's
 * interval passes without waiting. Beside the drill worker, a worker on the production task queue
 * carries a playbook activity set that records every call: a drill must never reach it.
 */

const ROOT = join(__dirname, '..', '..', '..');
const DRILL_QUEUE = 'test-drill';
const PROD_QUEUE = 'test-production';

let temporal: RunningTemporalSandbox;
let connection: Connection;
let native: NativeConnection;
let client: Client;
let range: DrillRange;
let drills: DrillPort;
let workers: Worker[] = [];
let running: Promise<void>[] = [];
const reportDir = mkdtempSync(join(tmpdir(), 'breachline-drill-'));
const productionCalls: string[] = [];

beforeAll(async () => {
  quietRuntime();
  temporal = await startTemporal({ timeSkipping: true });
  [connection, native, range] = await Promise.all([
    Connection.connect({ address: temporal.address }),
    NativeConnection.connect({ address: temporal.address }),
    DrillRange.start({}),
  ]);
  client = new Client({ connection });
  const bundle = await bundleWorkflows();
  const runbooks = new RunbookCatalog(await loadRunbookDir(join(ROOT, 'runbooks')));
  const names = Object.keys(createActivities({ kafka: { brokers: ['127.0.0.1:1'], saslMechanism: 'scram-sha-512', username: 'x', password: 'x', ssl: false }, secrets: {} as never, logger: silentLogger, auditTopic: 'a', channel: '#c' }));
  const spies = Object.fromEntries(
    names.map((n) => [
      n,
      async () => {
        productionCalls.push(n);
        throw new Error('production activity called by a drill');
      },
    ]),
  );
  workers = [
    await createDrillWorker({ connection: native, namespace: 'default', taskQueue: DRILL_QUEUE, bundle, range, client, runbooks, reportDir, logger: silentLogger }),
    await Worker.create({ connection: native, taskQueue: PROD_QUEUE, workflowBundle: bundle, activities: spies }),
  ];
  running = workers.map((w) => w.run());
  drills = createDrillPort({ client, drillTaskQueue: DRILL_QUEUE });
}, 120_000);

afterAll(async () => {
  for (const w of workers) w.shutdown();
  await Promise.allSettled(running);
  await connection?.close();
  await native?.close();
  await range?.close();
  await temporal?.close();
  rmSync(reportDir, { recursive: true, force: true });
});

describe('scheduled drills', () => {
  let result: DrillResult;

  it('a drill scheduled every hour fires without waiting an hour, runs the playbook and reports', async () => {
    const before = temporal.clock.now();
    const { scheduleId } = await drills.schedule('@every 1h', 'trading-exfiltration', { autoRespondAfterMs: 300, responderTimeoutMs: 5 * 60_000 });
    expect((await drills.listSchedules()).map((s) => s.scheduleId)).toContain(scheduleId);
    // The sandbox starts with one time-skipping lock held for "the test's client"; let time jump.
    temporal.clock.unlockTimeSkipping();

    // The first run appears once server time reaches the first interval boundary.
    let workflowId: string | undefined;
    const deadline = Date.now() + 60_000;
    while (workflowId === undefined && Date.now() < deadline) {
      for await (const w of client.workflow.list({ query: `WorkflowType = 'DrillWorkflow'` })) workflowId = w.workflowId;
      if (workflowId === undefined) await new Promise((r) => setTimeout(r, 200));
    }
    expect(workflowId).toBeDefined();
    // One drill is enough: later runs would fire as soon as this one finishes.
    await drills.deleteSchedule(scheduleId);
    // It fired on the interval boundary, which server time reached by skipping, not by waiting.
    const started = (await client.workflow.getHandle(workflowId as string).describe()).startTime.getTime();
    expect(started).toBeGreaterThan(before);
    expect(started % 3_600_000).toBeLessThan(60_000);

    result = await drills.result(workflowId as string);
    expect(result.forensicsExact).toBe(true);
    // The accuracy quarter is the scenario registry's checks; trading's are its forensic figures.
    expect(result.accuracyExact).toBe(true);
    expect(result.accuracyChecks.map((c) => c.name)).toContain('distinct data subjects');
    expect(result.accuracyChecks.every((c) => c.ok)).toBe(true);
    expect(result.points).toBe(100);
    expect(result.timeToContainmentMs).toBeGreaterThanOrEqual(0);
    expect(existsSync(result.path)).toBe(true);
    const markdown = readFileSync(result.path, 'utf8');
    expect(markdown).toContain('# Drill after-action report: trading-exfiltration');
    expect(markdown).toMatch(/\| gdpr \| .* \| yes \|/);

    // Injects and the report reached the drill channel.
    const posted = range.slack.record.calls('chat.postMessage').map((c) => String((c.args as { text?: unknown }).text ?? ''));
    expect(posted.some((t) => t.includes('Exercise start'))).toBe(true);
    // The alert inject is the scenario's (drill-scenario-inject-v1), naming the incident.
    expect(posted.some((t) => t.includes('critical alert (kafka-pii-bulk-read)') && t.includes(`Incident ${result.incidentId} is open.`))).toBe(true);
    expect(markdown).toContain('| distinct data subjects |');
    expect(posted.some((t) => t.includes('Drill after-action report'))).toBe(true);
  }, 150_000);

  it("runs the drill's workflows and every activity on the drill task queue, never the production one", async () => {
    expect(productionCalls).toEqual([]);
    const queues = new Set<string>();
    const workflowQueues = new Set<string>();
    for await (const w of client.workflow.list()) {
      workflowQueues.add(w.taskQueue);
      const history = await client.workflow.getHandle(w.workflowId, w.runId).fetchHistory();
      for (const e of history.events ?? []) {
        const q = e.activityTaskScheduledEventAttributes?.taskQueue?.name;
        if (q) queues.add(q);
      }
    }
    expect([...workflowQueues]).toEqual([DRILL_QUEUE]);
    expect([...queues]).toEqual([DRILL_QUEUE]);
    // The incident it opened ran in drill mode.
    const incident = client.workflow.getHandle(result.incidentId);
    expect((await incident.describe()).taskQueue).toBe(DRILL_QUEUE);
  });
});
