import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentState } from '../../src/domain/incident';
import { verifyEvidence } from '../../src/audit/evidence-verify';
import { readIncidentEvents } from '../../src/audit/audit-reader';
import { createKafka } from '../../src/kafka/client';
import { runbookStepOf } from '../../src/domain/runbook';
import { loadRunbookFile, type LoadedRunbook } from '../../src/domain/runbook-loader';
import type { IncidentWorkflowInput } from '../../src/domain/step-contract';
import { openIncident } from '../../src/playbook/open-incident';
import { seedTradingExfiltration, type TradingScenario } from '../../src/sandbox/scenario/trading-exfiltration';
import { readServiceAccount } from '../../src/vault/service-accounts';
import { approveSignal, fileNotificationSignal, stateQuery } from '../../workflows/api';
import { encryptedConverter, eventually, exfiltrationAlert, killProcess, playbookBundle, readEvidence, ROOT, startSandboxes, startWorkerProcess, type Sandboxes } from './helpers';

/*
 * Crash safety: the worker runs as a separate process (worker/main.ts via tsx) against sandboxes
 * this test started; it is SIGKILLed while rotating credentials and again while replaying
 * evidence, then restarted. The incident must complete with exactly one rotation per account and
 * an evidence topic without gaps or duplicates.
 */

type Incident = (input: IncidentWorkflowInput) => Promise<IncidentState>;
const TASK_QUEUE = 'crash';
let sb: Sandboxes;
let scenario: TradingScenario;
let runbook: LoadedRunbook;
let dir: string;
let bundlePath: string;
let worker: ChildProcess | undefined;
/** The runbook's blast radius: the accounts the rotation step rotates. */
let BLAST: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'breachline-crash-'));
  const [sandboxes, bundle, loaded] = await Promise.all([startSandboxes({ dataConverter: encryptedConverter }), playbookBundle(), loadRunbookFile(join(ROOT, 'runbooks', 'kafka-exfiltration.yaml'))]);
  sb = sandboxes;
  bundlePath = join(dir, 'workflows.js');
  writeFileSync(bundlePath, bundle.code);
  scenario = await seedTradingExfiltration({ kafka: sb.admin, secrets: sb.secrets, volume: 'test', vault: { address: sb.vault.address, token: sb.vault.rootToken } });
  // Small evidence chunks, so the replay takes long enough to be interrupted. Step timeouts stay
  // as the runbook has them (15 min for rotation): heartbeats find a killed attempt in seconds.
  const steps = loaded.runbook.steps.map((s) => {
    if (s.action === 'preserve-evidence') return { ...s, with: { ...s.with, chunkSize: 25, parallelism: 2 } };
    return s;
  });
  runbook = { ...loaded, runbook: { ...loaded.runbook, steps } as LoadedRunbook['runbook'] };
  BLAST = [...(runbookStepOf({ steps }, 'rotate-credentials')?.with?.blastRadius ?? [])];
});

afterAll(async () => {
  worker?.kill('SIGKILL');
  await sb?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function vaultVersions(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const versions = await Promise.all(BLAST.map(async (name) => (await readServiceAccount(sb.secrets, name)).version));
  BLAST.forEach((name, i) => (out[name] = versions[i] ?? 0));
  return out;
}

/** Source records preserved so far (issue 13: counted inside the chunks on the evidence topic). */
async function evidenceHigh(topic: string): Promise<number> {
  return (await readEvidence(sb.admin, topic).catch(() => ({ records: 0 }))).records;
}

describe('worker crash during rotation and evidence replay', () => {
  it('completes with exactly one rotation per account and gapless, duplicate-free evidence', async () => {
    const before = await vaultVersions();
    worker = await startWorkerProcess(sb, { taskQueue: TASK_QUEUE, bundlePath });
    // Rotating three accounts takes ~100 ms on an idle machine, faster than a poll and a kill.
    // Slowing Vault down makes each account take several round trips of latency, so the kill
    // below lands between accounts whatever the machine's speed.
    sb.vault.faults.setLatency(250);
    // The evidence replay on its own queue (issue 13), served by the same worker process.
    const { handle: h } = await openIncident({ client: sb.client, taskQueue: TASK_QUEUE, evidenceTaskQueue: `${TASK_QUEUE}-evidence`, alert: exfiltrationAlert(), runbook, workflowId: 'crash-incident' });
    const handle = h as WorkflowHandle<Incident>;

    // Kill while rotating: as soon as the first account has a new Vault version.
    await eventually(async () => Object.entries(await vaultVersions()).some(([n, v]) => v > (before[n] ?? 0)), 60_000, 'rotation under way');
    await killProcess(worker);
    sb.vault.faults.reset();
    const rotatedAtKill = Object.entries(await vaultVersions()).filter(([n, v]) => v > (before[n] ?? 0)).length;
    worker = await startWorkerProcess(sb, { taskQueue: TASK_QUEUE, bundlePath });

    await eventually(async () => (await handle.query(stateQuery)).pendingApprovals.some((a) => a.stepId === 'break-circuits'), 90_000, 'rotation completed');
    await handle.signal(approveSignal, { stepId: 'break-circuits', approver: 'U-IC', role: 'incident-commander' });

    // Kill while replaying evidence: once some, not all, records are on the evidence topic.
    const evidenceTopic = 'breachline.evidence.orders';
    const total = Number(scenario.groundTruth.totals.records);
    await eventually(async () => {
      const high = await evidenceHigh(evidenceTopic);
      return high > 0 && high < total;
    }, 90_000, 'evidence replay under way');
    await killProcess(worker);
    const preservedAtKill = await evidenceHigh(evidenceTopic);
    // Both kills landed mid-step, or the test would prove nothing.
    expect(rotatedAtKill).toBeLessThan(BLAST.length);
    expect(preservedAtKill).toBeLessThan(total);
    worker = await startWorkerProcess(sb, { taskQueue: TASK_QUEUE, bundlePath });

    await eventually(async () => (await handle.query(stateQuery)).pendingApprovals.some((a) => a.stepId === 'close'), 90_000, 'close awaiting approval');
    for (const regime of ['gdpr', 'nis2']) {
      await handle.signal(fileNotificationSignal, { regime, recipient: 'supervisory-authority', authority: 'CNIL', reference: `CRASH-${regime}`, filer: 'U-DPO' });
    }
    await handle.signal(approveSignal, { stepId: 'close', approver: 'U-IC', role: 'incident-commander' });
    const final = await handle.result();
    expect(final.status).toBe('closed');

    const after = await vaultVersions();
    for (const name of BLAST) expect(after[name]).toBe((before[name] ?? 0) + 1);
    expect(final.evidence.records).toBe(scenario.groundTruth.totals.records);
    const { values, sources } = await readEvidence(sb.admin, evidenceTopic, 'crash-incident');
    expect(sources.length).toBe(total);
    // Every chunk against its signed manifest, the manifests against the audit topic's events.
    const audit = await readIncidentEvents(createKafka(sb.admin, { clientId: 'crash-verify' }), 'breachline.audit', 'crash-incident');
    const pinned = audit.flatMap((e) => (e.type === 'EvidenceManifestSigned' ? [e.data] : []));
    expect(pinned.length).toBe(scenario.groundTruth.partitions.filter((p) => p.records !== '0').length);
    const report = await verifyEvidence({ incidentId: 'crash-incident', values, pinned }, { unwrap: (k, w) => sb.secrets.decrypt(k, w) });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(new Set(sources).size).toBe(total);
    // No gaps: within each partition the preserved offsets are exactly the ground-truth windows.
    for (const p of scenario.groundTruth.partitions) {
      const offsets = sources.filter((s) => s.startsWith(`${p.partition}:`)).map((s) => BigInt(s.split(':')[1] ?? '-1')).sort((a, b) => (a < b ? -1 : 1));
      expect(String(offsets.length)).toBe(p.records);
      expect(String(offsets[0])).toBe(p.from);
      expect(String(offsets.at(-1))).toBe(p.to);
    }
  }, 240_000); // two worker restarts and retries under real timeouts; not a speed assertion
});
