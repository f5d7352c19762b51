import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { evidenceTaskQueue } from '../../src/config/config';
import { createMetrics } from '../../src/ingress/metrics';
import { createIngressServer, type IngressServer } from '../../src/ingress/server';
import { silentLogger } from '../../src/log/logger';
import { seedVaultTokenLeak, type VaultTokenLeakScenario } from '../../src/sandbox/scenario/vault-token-leak';
import { readServiceAccount } from '../../src/vault/service-accounts';
import { approveSignal, fileNotificationSignal, stateQuery } from '../../workflows/api';
import { postAlert, repoRunbooks, testConfig } from '../integration/ingress/helpers';
import { canAuthenticate, eventually, playbookBundle, startSandboxes, tryConsume, type Sandboxes } from './helpers';

/*
 * The leaked-Vault-token breach end to end through the real door: the scenario seeded on the
 * sandboxes, the SIEM's alert POSTed (signed) to ingress, routed by the runbooks' serves rules to
 * vault-token-leak, and the playbook run with the real activities until the incident closes.
 */

let sb: Sandboxes;
let leak: VaultTokenLeakScenario;
let workers: Worker[] = [];
let running: Promise<void>[] = [];
let ingress: IngressServer;
let url: string;

beforeAll(async () => {
  sb = await startSandboxes();
  leak = await seedVaultTokenLeak({ kafka: sb.admin, secrets: sb.secrets, vault: { address: sb.vault.address, token: sb.vault.rootToken } });
  const config = testConfig();
  const bundle = await playbookBundle();
  const activities = createActivities({ ...sb.deps, vaultAudit: leak.audit });
  // Evidence replay runs on its own queue, as the worker process runs it (design §7).
  workers = await Promise.all([config.temporal.taskQueue, evidenceTaskQueue(config)].map((taskQueue) => Worker.create({ connection: sb.native, taskQueue, workflowBundle: bundle, activities })));
  running = workers.map((w) => w.run());
  ingress = createIngressServer({ config, temporalClient: sb.client, runbooks: await repoRunbooks(), logger: silentLogger, metrics: createMetrics() });
  ({ url } = await ingress.listen(0, '127.0.0.1'));
}, 180_000);

afterAll(async () => {
  await ingress?.close();
  for (const w of workers) w.shutdown();
  await Promise.allSettled(running);
  await sb?.close();
});

describe('a leaked Vault token, from the SIEM alert to a closed incident', () => {
  it('routes, traces, contains, revokes, rotates every secret read, measures exactly and closes', async () => {
    const stolen = (await readServiceAccount(sb.secrets, 'payments-reconciler')).secret.password;
    const answer = await postAlert(url, 'generic', {
      id: 'siem-4711',
      rule: 'vault-token-anomalous-reads',
      title: 'The CI deployer’s Vault token reads secrets from an unknown address',
      severity: 'critical',
      asset: 'vault:ci-deployer',
      observedAt: new Date().toISOString(),
      fields: { accessor: leak.tokenAccessors.leaked },
    });
    expect(answer.status).toBe(202);
    const handle = sb.client.workflow.getHandle(String(answer.body.incidentId));

    // Regulators are told and closing approved once the close step asks.
    await eventually(async () => (await handle.query(stateQuery)).pendingApprovals.some((a) => a.stepId === 'close'), 120_000, 'close awaiting approval').catch(async (err: unknown) => {
      const s = await handle.query(stateQuery);
      throw new Error(`${String(err)}; status ${s.status}; steps ${JSON.stringify(s.steps.map((st) => [st.id, st.status, st.lastError?.message ?? '']))}`);
    });
    const before = await handle.query(stateQuery);
    expect(before.runbook.id).toBe('vault-token-leak');
    for (const clock of Object.values(before.clocks)) {
      await handle.signal(fileNotificationSignal, { regime: clock.regime, recipient: 'supervisory-authority', authority: 'BfDI', reference: `E2E-${clock.regime}`, filer: 'U-DPO' });
    }
    await handle.signal(approveSignal, { stepId: 'close', approver: 'U-IC', role: 'incident-commander', comment: 'e2e' });
    const final = await handle.result();
    expect(final.status).toBe('closed');

    // The token and its child are gone.
    for (const accessor of [leak.tokenAccessors.leaked, leak.tokenAccessors.child]) {
      await expect(sb.secrets.lookupTokenByAccessor(accessor)).rejects.toMatchObject({ kind: 'not-found' });
    }
    // Every secret read has a new version; the stolen Kafka password no longer logs in, the stored one does.
    for (const path of leak.pathsRead) expect((await sb.secrets.readSecretMetadata(path)).currentVersion, path).toBeGreaterThan(leak.versionsBefore[path] ?? 0);
    expect(await canAuthenticate(sb.admin, 'payments-reconciler', stolen)).toBe(false);
    const fresh = (await readServiceAccount(sb.secrets, 'payments-reconciler')).secret.password;
    expect(await canAuthenticate(sb.admin, 'payments-reconciler', fresh)).toBe(true);
    // Both exposed principals are contained: even the new password reads nothing.
    expect(await tryConsume(sb.admin, 'payments-reconciler', fresh, 'payments')).not.toBe('read');
    expect(Object.keys(final.forensicWindows)).toEqual(['payments']);
    const window = final.forensicWindows.payments;
    expect(window?.partitions.filter((p: { records: string }) => p.records !== '0').map((p: { partition: number; from: string; to: string; records: string; bytes: string }) => ({ partition: p.partition, from: p.from, to: p.to, records: p.records, bytes: p.bytes }))).toEqual(
      leak.partitions.map((p) => ({ partition: p.partition, from: p.from, to: p.to, records: p.records, bytes: p.bytes })),
    );
    expect(window?.dataSubjects.count).toBe(leak.dataSubjects);
  }, 240_000);
});
