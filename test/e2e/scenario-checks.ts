import type { WorkflowHandle } from '@temporalio/client';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { expect } from 'vitest';
import { projectIncident, readAuditRecords, verifyAuditRecords } from '../../src/audit';
import { verifyEvidence } from '../../src/audit/evidence-verify';
import type { SealedEvent } from '../../src/domain/audit-chain';
import type { IncidentState } from '../../src/domain/incident';
import { renderReport } from '../../src/domain/report';
import type { LoadedRunbook } from '../../src/domain/runbook-loader';
import type { IncidentWorkflowInput } from '../../src/domain/step-contract';
import { createKafka, type KafkaConnection } from '../../src/kafka/client';
import { openIncident } from '../../src/playbook/open-incident';
import type { TradingScenario } from '../../src/sandbox/scenario/trading-exfiltration';
import { accountOf, readServiceAccount } from '../../src/vault/service-accounts';
import { approveSignal, eventsQuery, fileNotificationSignal, reportQuery, stateQuery, timelineQuery } from '../../workflows/api';
import { canAuthenticate, eventually, exfiltrationAlert, readEvidence, tryConsume, tryProduce, type Sandboxes } from './helpers';

/*
 * The verifications of design §2, checked from outside with the principals' own credentials.
 * Shared by the end-to-end tests; each takes the sandboxes, the seeded scenario and the task
 * queue a worker with the real activities serves.
 */

type Incident = (input: IncidentWorkflowInput) => Promise<IncidentState>;

/** What every check needs. */
export interface E2eContext {
  sb: Sandboxes;
  scenario: TradingScenario;
  runbook: LoadedRunbook;
  taskQueue: string;
}

async function state(handle: WorkflowHandle<Incident>): Promise<IncidentState> {
  return handle.query(stateQuery);
}

const approve = (stepId: string) => ({ stepId, approver: 'U-IC', role: 'incident-commander' as const });

function accountIn(scenario: TradingScenario, principal: string): { password: string } {
  const a = scenario.accounts[accountOf(principal)];
  if (a === undefined) throw new Error(`scenario has no account for ${principal}`);
  return a;
}

/** What dry-run must leave untouched: ACLs, topics and their configs, Vault versions. */
async function snapshot(ctx: E2eContext): Promise<unknown> {
  const connection: KafkaConnection = ctx.sb.admin;
  const kafka = new Kafka({ clientId: 'e2e-snapshot', brokers: [...connection.brokers], sasl: { mechanism: 'scram-sha-512', username: connection.username, password: connection.password } as SASLOptions, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    // resourceType ANY=1, pattern ANY=1, operation ANY=1, permission ANY=1 (kafkajs enums)
    const acls = await admin.describeAcls({ resourceType: 1, resourcePatternType: 1, operation: 1, permissionType: 1 } as never);
    const topics = (await admin.listTopics()).sort();
    const configs = await admin.describeConfigs({ resources: topics.map((name) => ({ type: 2, name })), includeSynonyms: false });
    const versions: Record<string, number> = {};
    for (const name of Object.keys(ctx.scenario.accounts).sort()) {
      versions[name] = (await readServiceAccount(ctx.sb.secrets, name).catch(() => ({ version: -1 }))).version;
    }
    const aclList = acls.resources
      .flatMap((r) => r.acls.map((a) => `${r.resourceType}:${r.resourceName}:${r.resourcePatternType}:${a.principal}:${a.operation}:${a.permissionType}`))
      .sort();
    const configList = configs.resources.map((r) => ({ name: r.resourceName, entries: r.configEntries.map((e) => `${e.configName}=${e.configValue}`).sort() })).sort((a, b) => (a.name < b.name ? -1 : 1));
    return { aclList, topics, configList, versions };
  } finally {
    await admin.disconnect();
  }
}

/** Dry run: every step planned, nothing changed anywhere. */
export async function checkDryRun(ctx: E2eContext): Promise<void> {
  const { sb, runbook, taskQueue: TASK_QUEUE } = ctx;
  const before = await snapshot(ctx);
  const { handle } = await openIncident({ client: sb.client, taskQueue: TASK_QUEUE, alert: exfiltrationAlert(), runbook, mode: 'dry-run', workflowId: 'e2e-dry-run' });
  const final = await (handle as WorkflowHandle<Incident>).result();
  expect(final.status).toBe('closed');
  expect(final.steps.map((s) => `${s.id}:${s.status}`)).toEqual(final.steps.map((s) => `${s.id}:planned`));
  expect(final.steps.find((s) => s.id === 'contain')?.plannedChanges?.length).toBeGreaterThan(0);
  expect(await snapshot(ctx)).toEqual(before);
  expect(sb.slack.record.calls('chat.postMessage').filter((c) => String(c.args.text ?? '').includes('e2e-dry-run'))).toEqual([]);
}

/** A live incident through every step, with every verification. */
export async function checkLiveIncident(ctx: E2eContext, liveId = 'e2e-live'): Promise<void> {
  const { sb, scenario, runbook, taskQueue: TASK_QUEUE } = ctx;
  const account = (principal: string): { password: string } => accountIn(scenario, principal);
  const compromised = account(`User:${scenario.compromised}`);
  // Before: the attacker's credentials work (a metadata call only: reading would itself be exfiltration the forensics must count).
  expect(await canAuthenticate(sb.admin, scenario.compromised, compromised.password)).toBe(true);
  const { handle: h } = await openIncident({ client: sb.client, taskQueue: TASK_QUEUE, alert: exfiltrationAlert(), runbook, workflowId: liveId });
  const handle = h as WorkflowHandle<Incident>;

  // Contain: the compromised principal is refused.
  await eventually(async () => (await state(handle)).steps.find((s) => s.id === 'contain')?.status === 'completed', 30_000, 'contain');
  expect(await tryConsume(sb.admin, scenario.compromised, compromised.password, scenario.topic, scenario.attackerGroup)).not.toBe('read');
  expect(await tryProduce(sb.admin, scenario.compromised, compromised.password, scenario.topic)).not.toBe('written');

  // Rotate: old passwords refused, the new ones (from Vault) accepted.
  const s1 = await eventually(async () => {
    const s = await state(handle);
    return s.pendingApprovals.some((a) => a.stepId === 'break-circuits') ? s : undefined;
  }, 60_000, 'rotation done and break-circuits awaiting approval');
  const rotated = Object.keys(s1.rotatedCredentials);
  expect(rotated.sort()).toEqual(['export-gateway', 'invoice-renderer', 'report-scheduler']);
  for (const name of rotated) {
    expect(await canAuthenticate(sb.admin, name, account(`User:${name}`).password)).toBe(false);
    const { secret } = await readServiceAccount(sb.secrets, name);
    expect(await canAuthenticate(sb.admin, name, secret.password)).toBe(true);
  }

  // Break circuits: downstream named by the breakers blocked; the others untouched.
  const analytics = scenario.downstream.analytics;
  expect(await tryConsume(sb.admin, accountOf(analytics), account(analytics).password, scenario.topic, accountOf(analytics))).toBe('read');
  await handle.signal(approveSignal, approve('break-circuits'));
  await eventually(async () => Object.values((await state(handle)).breakers).filter((b) => b.state === 'open').length === 2, 30_000, 'breakers open');
  expect(await tryConsume(sb.admin, accountOf(analytics), account(analytics).password, scenario.topic, accountOf(analytics))).not.toBe('read');
  const risk = scenario.downstream.risk;
  expect(await tryConsume(sb.admin, accountOf(risk), account(risk).password, scenario.topic, accountOf(risk))).toBe('read');

  // Forensics: exactly the ground truth.
  const s2 = await eventually(async () => {
    const s = await state(handle);
    return s.forensicWindows[scenario.topic] !== undefined ? s : undefined;
  }, 60_000, 'forensic window');
  const window = s2.forensicWindows[scenario.topic]!;
  expect(window.partitions.filter((p) => p.records !== '0').map((p) => ({ partition: p.partition, from: p.from, to: p.to, records: p.records, bytes: p.bytes, firstTs: p.firstTs, lastTs: p.lastTs }))).toEqual(
    scenario.groundTruth.partitions,
  );
  expect({ records: window.totals.records, bytes: window.totals.bytes }).toEqual(scenario.groundTruth.totals);
  expect(window.dataSubjects.count).toBe(scenario.groundTruth.dataSubjects);
  expect(s2.legalHolds[scenario.topic]?.retentionMs).toBe('-1');

  // Every regime started at open, not at a step.
  expect(Object.keys(s2.clocks).sort()).toEqual(['dora', 'gdpr', 'nis2', 'nydfs', 'sec-8k']);
  // File in time every stage with a known due (GDPR; NIS2's early warning, notification and final), approve closing.
  await eventually(async () => (await state(handle)).pendingApprovals.some((a) => a.stepId === 'close'), 90_000, 'close awaiting approval');
  for (const regime of ['gdpr', 'nis2']) {
    await handle.signal(fileNotificationSignal, { regime, recipient: 'supervisory-authority', authority: 'CNIL', reference: `E2E-1-${regime}`, filer: 'U-DPO' });
  }
  await handle.signal(approveSignal, approve('close'));
  const final = await handle.result();
  expect(final.status).toBe('closed');
  expect(final.clocks.gdpr?.filed?.late).toBe(false);
  expect(final.clocks.gdpr?.dataSubjectNotification).toBeDefined();
  expect(final.clocks.nis2?.stages.every((st) => st.filings.length === 1)).toBe(true);

  // Breakers closed on approval: downstream restored.
  expect(Object.values(final.breakers).every((b) => b.state === 'closed')).toBe(true);
  expect(await tryConsume(sb.admin, accountOf(analytics), account(analytics).password, scenario.topic, accountOf(analytics))).toBe('read');

  // Evidence: as many records as the forensic totals, each chain intact.
  expect(final.evidence.records).toBe(scenario.groundTruth.totals.records);
  const evidenceTopic = (runbook.runbook.steps.find((s) => s.action === 'preserve-evidence')?.with as { evidenceTopic: string }).evidenceTopic;
  // Issue 13: binary chunks under signed manifests, verified as `breachline evidence verify` does.
  const evidence = await readEvidence(sb.admin, evidenceTopic, liveId);
  expect(String(evidence.records)).toBe(scenario.groundTruth.totals.records);
  expect(new Set(evidence.sources).size).toBe(evidence.records);
  const pinned = final.evidence.manifests !== undefined ? Object.keys(final.evidence.manifests).length : 0;
  expect(pinned).toBeGreaterThan(0);
  expect(await verifyEvidence({ incidentId: liveId, values: evidence.values }, { unwrap: (k, w) => sb.secrets.decrypt(k, w) })).toMatchObject({ ok: true, records: scenario.groundTruth.totals.records });

  // Audit: the chain verifies, a tampered record is detected, the timeline and report rebuild.
  const kafka = createKafka(sb.admin, { clientId: 'e2e-audit' });
  const records = await readAuditRecords(kafka, sb.deps.auditTopic, { incidentId: liveId });
  expect(verifyAuditRecords(records)).toMatchObject({ ok: true });
  const tampered = records.map((r) => {
    const v = r.value as SealedEvent;
    return v.type === 'ForensicWindowEstablished' ? { ...r, value: { ...v, data: { ...v.data, totals: { ...v.data.totals, records: '1' } } } } : r;
  });
  expect(verifyAuditRecords(tampered)).toMatchObject({ ok: false });
  const projection = projectIncident(records, liveId);
  expect(projection?.events).toEqual(await handle.query(eventsQuery));
  expect(projection?.timeline).toEqual(await handle.query(timelineQuery));
  expect(renderReport(projection?.events ?? [])).toBe(await handle.query(reportQuery));

  // The channel heard about it: the opening, the report, the closing (and never a secret).
  const posted = sb.slack.record.calls('chat.postMessage').map((c) => String(c.args.text ?? ''));
  expect(posted.some((t) => t.includes(`Incident ${liveId} opened`))).toBe(true);
  expect(posted.some((t) => t.startsWith('# Incident report:'))).toBe(true);
  expect(posted.some((t) => t.includes(`Incident ${liveId} closed`))).toBe(true);
  const passwords = Object.values(scenario.accounts).map((a) => a.password);
  expect(posted.filter((t) => passwords.some((p) => t.includes(p)))).toEqual([]);
}

/** Forensics alone: the window equals the ground truth exactly. */
export async function checkForensicWindow(ctx: E2eContext, workflowId: string): Promise<void> {
  const { sb: other, scenario: truth, runbook } = ctx;
  const { handle: h } = await openIncident({ client: other.client, taskQueue: ctx.taskQueue, alert: exfiltrationAlert(), runbook, workflowId });
  const handle = h as WorkflowHandle<Incident>;
  await eventually(async () => (await state(handle)).pendingApprovals.some((a) => a.stepId === 'break-circuits'), 60_000, 'break-circuits awaiting approval');
  await handle.signal(approveSignal, approve('break-circuits'));
  const s = await eventually(async () => {
    const st = await state(handle);
    return st.forensicWindows[truth.topic] !== undefined ? st : undefined;
  }, 60_000, 'forensic window');
  const window = s.forensicWindows[truth.topic]!;
  expect(truth.groundTruth.attacker).toBe('non-committing');
  expect(window.partitions.filter((p) => p.records !== '0').map((p) => ({ partition: p.partition, from: p.from, to: p.to, records: p.records, bytes: p.bytes, firstTs: p.firstTs, lastTs: p.lastTs }))).toEqual(
    truth.groundTruth.partitions,
  );
  expect({ records: window.totals.records, bytes: window.totals.bytes }).toEqual(truth.groundTruth.totals);
  expect(window.dataSubjects.count).toBe(truth.groundTruth.dataSubjects);
  await handle.terminate('window checked');
}
