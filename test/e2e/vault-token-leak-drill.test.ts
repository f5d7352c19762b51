import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflows, createDrillWorker } from '../../src/app/workers';
import { createDrillPort, type DrillPort } from '../../src/drill/port';
import { DrillRange } from '../../src/drill/range';
import { loadRunbookDir } from '../../src/domain/runbook-loader';
import { RunbookCatalog } from '../../src/ingress/runbooks';
import { silentLogger } from '../../src/log/logger';
import { start as startTemporal, type RunningTemporalSandbox } from '../../src/sandbox/temporal';
import { eventsQuery, stateQuery } from '../../workflows/api';
import { quietRuntime } from '../support/quiet-runtime';

/*
 * The leaked-Vault-token playbook as a drill: a fresh Kafka and Vault seeded with the
 * vault-token-leak scenario, its alert routed by the runbooks' serves rules to vault-token-leak,
 * the playbook run end to end with the drill's auto-responder, and the drill scored.
 */

const ROOT = join(__dirname, '..', '..');
const QUEUE = 'vault-leak-drill';

let temporal: RunningTemporalSandbox;
let connection: Connection;
let native: NativeConnection;
let client: Client;
let range: DrillRange;
let drills: DrillPort;
let worker: Worker;
let running: Promise<void>;
const reportDir = mkdtempSync(join(tmpdir(), 'breachline-vault-drill-'));

beforeAll(async () => {
  quietRuntime();
  temporal = await startTemporal({ timeSkipping: true });
  [connection, native, range] = await Promise.all([Connection.connect({ address: temporal.address }), NativeConnection.connect({ address: temporal.address }), DrillRange.start({})]);
  client = new Client({ connection });
  const runbooks = new RunbookCatalog(await loadRunbookDir(join(ROOT, 'runbooks')));
  worker = await createDrillWorker({ connection: native, namespace: 'default', taskQueue: QUEUE, bundle: await bundleWorkflows(), range, client, runbooks, reportDir, logger: silentLogger });
  running = worker.run();
  drills = createDrillPort({ client, drillTaskQueue: QUEUE });
  temporal.clock.unlockTimeSkipping();
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running?.catch(() => undefined);
  await connection?.close();
  await native?.close();
  await range?.close();
  await temporal?.close();
  rmSync(reportDir, { recursive: true, force: true });
});

describe('vault-token-leak drill', () => {
  it('routes the alert to vault-token-leak, runs the playbook to closed and scores 100', async () => {
    const { workflowId } = await drills.start({ scenario: 'vault-token-leak', autoRespondAfterMs: 300, responderTimeoutMs: 5 * 60_000 });
    const result = await drills.result(workflowId);
    const incident = client.workflow.getHandle(result.incidentId);
    const state = await incident.query(stateQuery);
    const failed = result.accuracyChecks.filter((c) => !c.ok);
    expect(failed, JSON.stringify(failed)).toEqual([]);
    expect(state.runbook?.id).toBe('vault-token-leak');
    expect(state.status).toBe('closed');
    expect(result.accuracyChecks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['leaked token revoked', 'child token revoked', 'User:payments-reconciler contained', 'User:ledger-writer contained', 'secret payments/db rotated (Vault)', 'records read by the attacker']),
    );
    expect(result.points).toBe(100);
    const events = await incident.query(eventsQuery);
    const trace = events.find((e) => e.type === 'StepCompleted' && e.data.stepId === 'trace');
    expect(trace).toBeDefined();
    expect(readFileSync(result.path, 'utf8')).toContain('# Drill after-action report: vault-token-leak');
  }, 240_000);
});
