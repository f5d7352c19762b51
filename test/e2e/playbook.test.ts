import { join } from 'node:path';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { loadRunbookFile, type LoadedRunbook } from '../../src/domain/runbook-loader';
import { seedTradingExfiltration, type TradingScenario } from '../../src/sandbox/scenario/trading-exfiltration';
import { playbookBundle, ROOT, startSandboxes, type Sandboxes } from './helpers';
import { checkDryRun, checkForensicWindow, checkLiveIncident } from './scenario-checks';

/*
 * The breach end to end: every sandbox, the real SDK worker and clients, the real activities from
 * createActivities, the scenario seeded with its ground truth (see scenario-checks.ts for what is
 * verified and how).
 */

let bundle: WorkflowBundleWithSourceMap;
let runbook: LoadedRunbook;

beforeAll(async () => {
  [bundle, runbook] = await Promise.all([playbookBundle(), loadRunbookFile(join(ROOT, 'runbooks', 'kafka-exfiltration.yaml'))]);
});

/** Sandboxes seeded with one attacker variant and a worker with the real activities on them. */
function world(attacker: 'committing' | 'non-committing', taskQueue: string) {
  const w = {} as { sb: Sandboxes; scenario: TradingScenario; worker: Worker; running: Promise<void> };
  beforeAll(async () => {
    w.sb = await startSandboxes();
    w.scenario = await seedTradingExfiltration({ kafka: w.sb.admin, secrets: w.sb.secrets, volume: 'test', attacker, vault: { address: w.sb.vault.address, token: w.sb.vault.rootToken } });
    w.worker = await Worker.create({ connection: w.sb.native, taskQueue, workflowBundle: bundle, activities: createActivities(w.sb.deps) });
    w.running = w.worker.run();
  });
  afterAll(async () => {
    w.worker?.shutdown();
    await w.running?.catch(() => undefined);
    await w.sb?.close();
  });
  return () => ({ sb: w.sb, scenario: w.scenario, runbook, taskQueue });
}

describe('the trading exfiltration breach, end to end (committing attacker)', () => {
  const ctx = world('committing', 'e2e-playbook');

  it('dry-run plans every step and changes nothing anywhere', async () => {
    await checkDryRun(ctx());
  });

  it('contains, rotates, breaks circuits, measures exactly, preserves evidence and closes', async () => {
    await checkLiveIncident(ctx());
  });

  it('replays every incident and clock history deterministically', async () => {
    const failures: string[] = [];
    let count = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'e2e' }, ctx().sb.client.workflow.list().intoHistories())) {
      count++;
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
    // The dry run, the live incident and its GDPR clock.
    expect(count).toBeGreaterThanOrEqual(3);
  });
});

describe('the non-committing attacker variant', () => {
  const ctx = world('non-committing', 'e2e-noncommit');

  it('establishes the window exactly without committed offsets', async () => {
    await checkForensicWindow(ctx(), 'e2e-noncommit');
  });
});
