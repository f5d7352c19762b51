import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { bundleWorkflows, createDrillWorker } from '../../src/app/workers';
import { configSchema } from '../../src/config/config';
import type { DomainEvent } from '../../src/domain/events';
import type { IncidentState } from '../../src/domain/incident';
import { loadRunbookDir } from '../../src/domain/runbook-loader';
import type { IncidentWorkflowInput } from '../../src/domain/step-contract';
import { poisonedAccuracy, poisonedOrders } from '../../src/drill/poisoned-orders';
import { DrillRange } from '../../src/drill/range';
import { signPayload } from '../../src/ingress/auth';
import { createMetrics } from '../../src/ingress/metrics';
import { RunbookCatalog } from '../../src/ingress/runbooks';
import { createIngressServer, type IngressServer } from '../../src/ingress/server';
import { createKafka } from '../../src/kafka/client';
import { silentLogger } from '../../src/log/logger';
import { seedPoisonedOrders, type PoisonedOrdersScenario } from '../../src/sandbox/scenario/poisoned-orders';
import { approveSignal, eventsQuery, fileNotificationSignal, stateQuery } from '../../workflows/api';
import { DRILL_WORKFLOW_TYPE, type DrillResult } from '../../workflows/drill';
import { playbookBundle, ROOT, startSandboxes, type Sandboxes } from './helpers';

/*
 * The poisoned topic end to end (issue 17 item 4). The scenario is seeded on the sandboxes; a SIEM
 * posts its generic-JSON alert, HMAC-signed, to the real ingress, which routes it by the runbooks'
 * `serves` rules to `poisoned-topic`; the real worker runs the playbook on the sandboxes; the test
 * plays the incident commander (approves, files DORA) until the incident closes, and checks what a
 * user would: the forged records located exactly, the groups rewound there, the evidence, the
 * clocks. Then the same scenario as a drill (DrillWorkflow, automated responders) scores 100.
 */

const TASK_QUEUE = 'e2e-poisoned';
const HMAC = 'generic-hmac-secret-poisoned-0001';
type Incident = (input: IncidentWorkflowInput) => Promise<IncidentState>;

async function eventually<T>(check: () => Promise<T | undefined | false>, ms: number, what: () => string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('the poisoned topic, routed from its alert, end to end', () => {
  let sb: Sandboxes;
  let scenario: PoisonedOrdersScenario;
  let bundle: WorkflowBundleWithSourceMap;
  let workers: Worker[] = [];
  let running: Array<Promise<void>> = [];
  let ingress: IngressServer;
  let url: string;
  let admin: Admin;

  beforeAll(async () => {
    [sb, bundle] = await Promise.all([startSandboxes(), playbookBundle()]);
    scenario = await seedPoisonedOrders({ kafka: sb.admin, secrets: sb.secrets });
    // The playbook's queue and, as ingress starts incidents, its evidence queue (`<queue>-evidence`).
    const activities = createActivities(sb.deps);
    workers = [
      await Worker.create({ connection: sb.native, taskQueue: TASK_QUEUE, workflowBundle: bundle, activities }),
      await Worker.create({ connection: sb.native, taskQueue: `${TASK_QUEUE}-evidence`, activities }),
    ];
    running = workers.map((w) => w.run());
    ingress = createIngressServer({
      config: configSchema.parse({ ingress: { sources: { generic: { hmacSecret: HMAC } } }, temporal: { taskQueue: TASK_QUEUE } }),
      temporalClient: sb.client,
      runbooks: await loadRunbookDir(join(ROOT, 'runbooks')),
      logger: silentLogger,
      metrics: createMetrics(),
    });
    url = (await ingress.listen(0, '127.0.0.1')).url;
    admin = createKafka(sb.admin, { clientId: 'e2e-check' }).admin();
    await admin.connect();
  }, 120_000);
  afterAll(async () => {
    await admin?.disconnect();
    await ingress?.close();
    for (const w of workers) w.shutdown();
    await Promise.allSettled(running);
    await sb?.close();
  });

  it('ingress routes the alert to poisoned-topic; the incident contains, locates, preserves, rewinds and closes', async () => {
    const body = JSON.stringify(poisonedOrders.alertPayload(new Date(), 'siem-4711'));
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await fetch(`${url}/v1/alerts/generic`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-breachline-timestamp': ts, 'x-breachline-signature': signPayload(HMAC, ts, body) },
    });
    expect(res.status).toBe(202);
    const { incidentId } = (await res.json()) as { incidentId: string };
    const handle = sb.client.workflow.getHandle<Incident>(String(incidentId));

    // The incident commander: approves what waits for approval and files DORA's stages as they come.
    const answered = new Set<string>();
    let last: IncidentState | undefined;
    const final = await eventually(async () => {
      const s = await handle.query(stateQuery);
      last = s;
      if (s.status === 'closed') return s;
      for (const p of s.pendingApprovals) {
        if (answered.has(p.approvalId)) continue;
        answered.add(p.approvalId);
        await handle.signal(approveSignal, { stepId: p.stepId, approver: 'U-IC', role: 'incident-commander' });
      }
      for (const c of Object.values(s.clocks)) {
        // DORA has no due until the incident is classified major: nothing to file before that.
        if (c.deadlineAt !== null && c.filed === undefined && !answered.has(`file:${c.regime}`)) {
          answered.add(`file:${c.regime}`);
          await handle.signal(fileNotificationSignal, { regime: c.regime, recipient: 'supervisory-authority', authority: 'BaFin', reference: `E2E-${c.regime}`, filer: 'U-IC' });
        }
      }
      return undefined;
    }, 60_000, () => `the incident to close: ${JSON.stringify({ status: last?.status, steps: last?.steps.map((st) => [st.id, st.status, st.lastError?.message]), pending: last?.pendingApprovals, clocks: last?.clocks })}`);

    expect(final.runbook.id).toBe('poisoned-topic');
    expect(final.steps.map((s) => [s.id, s.status])).toEqual([
      ['contain', 'completed'], ['break-circuits', 'completed'], ['locate', 'completed'], ['preserve-evidence', 'completed'],
      ['rewind-risk', 'completed'], ['rewind-settlement', 'completed'], ['notify', 'completed'], ['report', 'completed'], ['close', 'completed'],
    ]);
    // Exactly the forged records, several interleaved ranges per partition.
    const window = final.forensicWindows.orders;
    expect(Object.fromEntries((window?.partitions ?? []).filter((p) => p.ranges.length > 0).map((p) => [String(p.partition), p.ranges.map((r) => ({ from: r.from, to: r.to, records: r.records, bytes: r.bytes }))]))).toEqual(scenario.truth.forged);
    // Each group rewound to the first forged offsets, read back from the cluster itself.
    for (const group of Object.keys(scenario.truth.expectedRewinds)) {
      const [t] = await admin.fetchOffsets({ groupId: group, topics: ['orders'] });
      const offsets = Object.fromEntries((t?.partitions ?? []).map((p) => [String(p.partition), p.offset]));
      for (const [p, o] of Object.entries(scenario.truth.expectedRewinds[group] ?? {})) expect(offsets[p]).toBe(o);
    }
    // DORA's clock, no GDPR one; every accuracy check of the drill holds.
    expect(Object.keys(final.clocks)).toEqual(['dora']);
    const events: DomainEvent[] = await handle.query(eventsQuery);
    const checks = poisonedAccuracy(final, { scenario: 'poisoned-orders', ...scenario.truth }, events);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
  }, 200_000);
});

describe('the poisoned-orders drill', () => {
  const reportDir = mkdtempSync(join(tmpdir(), 'breachline-poison-drill-'));
  let sb: Sandboxes;
  let range: DrillRange;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    sb = await startSandboxes();
    range = await DrillRange.start({});
    const runbooks = new RunbookCatalog(await loadRunbookDir(join(ROOT, 'runbooks')));
    worker = await createDrillWorker({ connection: sb.native, namespace: 'default', taskQueue: 'e2e-poison-drill', bundle: await bundleWorkflows(), range, client: sb.client, runbooks, reportDir, logger: silentLogger });
    running = worker.run();
  }, 120_000);
  afterAll(async () => {
    worker?.shutdown();
    await running?.catch(() => undefined);
    await range?.close();
    await sb?.close();
    rmSync(reportDir, { recursive: true, force: true });
  });

  it('scores 100 with automated responders', async () => {
    const result: DrillResult = await sb.client.workflow.execute(DRILL_WORKFLOW_TYPE, {
      taskQueue: 'e2e-poison-drill',
      workflowId: 'drill-poisoned-e2e',
      args: [{ scenario: 'poisoned-orders', autoRespondAfterMs: 200, responderTimeoutMs: 3 * 60_000 }],
    });
    const markdown = readFileSync(result.path, 'utf8');
    expect(result.points, markdown).toBe(100);
    expect(markdown).toContain('poisoned-orders');
  }, 240_000);
});
