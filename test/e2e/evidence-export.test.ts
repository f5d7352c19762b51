import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createActivities } from '../../activities';
import { readIncidentEvents } from '../../src/audit/audit-reader';
import { readTar, writeTar } from '../../src/audit/tar';
import { buildProgram } from '../../src/cli/program';
import type { IncidentState } from '../../src/domain/incident';
import type { EventDataMap } from '../../src/domain/events';
import { loadRunbookFile, type LoadedRunbook } from '../../src/domain/runbook-loader';
import type { IncidentWorkflowInput } from '../../src/domain/step-contract';
import { createKafka } from '../../src/kafka/client';
import { silentLogger } from '../../src/log/logger';
import { openIncident } from '../../src/playbook/open-incident';
import { seedTradingExfiltration } from '../../src/sandbox/scenario/trading-exfiltration';
import type { RunningVaultSandbox } from '../../src/sandbox/vault';
import { breachlineDataConverter } from '../../src/temporal/data-converter';
import { ENCRYPTED_ENCODING, VaultPayloadCodec } from '../../src/temporal/payload-codec';
import { createVaultSecrets } from '../../src/vault';
import { approveSignal, eventsQuery, fileNotificationSignal, stateQuery } from '../../workflows/api';
import { eventually, exfiltrationAlert, playbookBundle, ROOT, startSandboxes, type Sandboxes } from './helpers';

/*
 * `breachline evidence export` against a LIVE incident (issue 13): the playbook runs on every
 * sandbox with the real worker until its evidence is preserved and it waits for approval to close;
 * then the CLI, in this process and configured only through the environment as an operator would
 * configure it, exports hash-only, refuses a decrypted export nobody authorised, exports decrypted
 * with the DPO's authorisation (recorded through the evidenceExport Update as EvidenceExported on
 * the incident and on the audit topic before the archive exists), and verifies the archives, which
 * fail once a chunk in them is altered. Once the incident is closed, a decrypted export is refused.
 * Payload encryption is on, as it is by default: the CLI's Update carries the codec like every other
 * client, so the Temporal journal holds neither the DPO nor the archive's hash in clear.
 */

type Incident = (input: IncidentWorkflowInput) => Promise<IncidentState>;

const TASK_QUEUE = 'e2e-evidence-export';
/** The default transit key of the payload codec (BREACHLINE_TEMPORAL_CODEC_KEY). */
const TRANSIT_KEY = 'breachline-temporal';
const INCIDENT = 'e2e-export-live';
const DPO = 'U0DPOFFICER';

let bundle: WorkflowBundleWithSourceMap;
let runbook: LoadedRunbook;
let sb: Sandboxes;
let worker: Worker;
let running: Promise<void>;
let handle: WorkflowHandle<Incident>;
let dir: string;
const journalDir = mkdtempSync(join(tmpdir(), 'breachline-export-journal-'));

/** The payload encryption of every breachline process: the shared transit key, its own data keys. */
const encrypted = (vault: RunningVaultSandbox): ReturnType<typeof breachlineDataConverter> =>
  breachlineDataConverter(new VaultPayloadCodec({ secrets: createVaultSecrets({ address: vault.address, token: vault.rootToken }), transitKey: TRANSIT_KEY }));

/** Every file under `path`. */
const files = (path: string): string[] => (statSync(path).isDirectory() ? readdirSync(path).flatMap((f) => files(join(path, f))) : [path]);

/** What a reader of the journal sees in `text`: it raw, and every base64 run decoded twice (history events are base64 protobuf). */
function readable(text: string): string {
  const runs = (s: string): string => (s.match(/[A-Za-z0-9+/]{16,}={0,2}/g) ?? []).map((run) => Buffer.from(run, 'base64').toString('latin1')).join('\n');
  const once = runs(text);
  return `${text}\n${once}\n${runs(once)}`;
}

/** Runs the CLI in this process; returns its exit code, what it printed, and the error it threw. */
async function cli(args: string[]): Promise<{ code: number; out: string; error?: Error }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  process.exitCode = 0;
  let error: Error | undefined;
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'breachline', ...args]);
  } catch (err) {
    error = err as Error;
  } finally {
    spy.mockRestore();
  }
  const code = error !== undefined ? 1 : Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, out, ...(error !== undefined ? { error } : {}) };
}

const exports = (events: ReadonlyArray<{ type: string; data: unknown }>): Array<EventDataMap['EvidenceExported']> =>
  events.flatMap((e) => (e.type === 'EvidenceExported' ? [e.data as EventDataMap['EvidenceExported']] : []));

const auditExports = async (): Promise<Array<EventDataMap['EvidenceExported']>> =>
  exports(await readIncidentEvents(createKafka(sb.admin, { clientId: 'e2e-export-audit', logger: silentLogger }), sb.deps.auditTopic, INCIDENT));

beforeAll(async () => {
  [bundle, runbook] = await Promise.all([playbookBundle(), loadRunbookFile(join(ROOT, 'runbooks', 'kafka-exfiltration.yaml'))]);
  sb = await startSandboxes({ temporalDataDir: journalDir, dataConverter: encrypted });
  await seedTradingExfiltration({ kafka: sb.admin, secrets: sb.secrets, volume: 'test', attacker: 'committing', vault: { address: sb.vault.address, token: sb.vault.rootToken } });
  worker = await Worker.create({ connection: sb.native, taskQueue: TASK_QUEUE, workflowBundle: bundle, activities: createActivities(sb.deps), dataConverter: encrypted(sb.vault) });
  running = worker.run();
  dir = mkdtempSync(join(tmpdir(), 'breachline-export-'));
  // The CLI finds Kafka, Vault and Temporal as an operator's shell would give them.
  vi.stubEnv('BREACHLINE_KAFKA_BROKERS', sb.admin.brokers.join(','));
  vi.stubEnv('BREACHLINE_KAFKA_USERNAME', sb.admin.username);
  vi.stubEnv('BREACHLINE_KAFKA_PASSWORD', sb.admin.password);
  vi.stubEnv('BREACHLINE_KAFKA_AUDIT_TOPIC', sb.deps.auditTopic);
  vi.stubEnv('BREACHLINE_VAULT_ADDRESS', sb.vault.address);
  vi.stubEnv('BREACHLINE_VAULT_TOKEN', sb.vault.rootToken);
  vi.stubEnv('BREACHLINE_TEMPORAL_ADDRESS', sb.temporal.address);
  vi.stubEnv('BREACHLINE_ROLES', JSON.stringify({ [DPO]: 'dpo', 'U-IC': 'incident-commander' }));

  handle = (await openIncident({ client: sb.client, taskQueue: TASK_QUEUE, alert: exfiltrationAlert(), runbook, workflowId: INCIDENT })).handle as WorkflowHandle<Incident>;
  await eventually(async () => (await handle.query(stateQuery)).pendingApprovals.some((a) => a.stepId === 'break-circuits'), 90_000, 'break-circuits awaiting approval');
  await handle.signal(approveSignal, { stepId: 'break-circuits', approver: 'U-IC', role: 'incident-commander' });
  await eventually(async () => (await handle.query(stateQuery)).pendingApprovals.some((a) => a.stepId === 'close'), 120_000, 'evidence preserved and close awaiting approval');
}, 240_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  worker?.shutdown();
  await running?.catch(() => undefined);
  await sb?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  rmSync(journalDir, { recursive: true, force: true });
});

describe('breachline evidence export on a live incident', () => {
  it('exports hash-only: recorded on the incident, no records in clear, and the archive verifies', async () => {
    const state = await handle.query(stateQuery);
    expect(state.status).not.toBe('closed');
    expect(Object.keys(state.evidence.manifests ?? {}).length).toBeGreaterThan(0);
    const out = join(dir, 'hash-only.tar');
    const exported = await cli(['evidence', 'export', INCIDENT, '--out', out]);
    expect(exported.error).toBeUndefined();
    expect(exported.out).toContain('Export recorded.');
    expect(exported.out).not.toContain('DECRYPTED');
    const names = readTar(readFileSync(out)).map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(['README.md', 'public-key.json', 'audit-events.json']));
    expect(names.some((n) => n.startsWith('chunks/'))).toBe(true);
    expect(names.some((n) => n.startsWith('records/'))).toBe(false);

    const recorded = exports(await handle.query(eventsQuery));
    expect(recorded).toEqual([expect.objectContaining({ decrypted: false, authorisedBy: null, records: state.evidence.records })]);
    const sha = /sha256 ([0-9a-f]{64})/.exec(exported.out)?.[1];
    expect(recorded[0]?.archiveSha256).toBe(sha);

    const verified = await cli(['evidence', 'verify', INCIDENT, '--archive', out]);
    expect(verified.out).toContain('evidence intact');
    expect(verified.code).toBe(0);
  });

  it('refuses a decrypted export nobody authorised, or one a non-DPO authorised: nothing written, nothing recorded', async () => {
    const before = exports(await handle.query(eventsQuery)).length;
    for (const by of [[], ['--authorised-by', '  ']]) {
      const out = join(dir, `unauthorised-${by.length}.tar`);
      const refused = await cli(['evidence', 'export', INCIDENT, '--out', out, '--decrypt', ...by]);
      expect(refused.code).toBe(1);
      expect(refused.error?.message).toMatch(/--decrypt needs --authorised-by/);
      expect(existsSync(out)).toBe(false);
    }
    for (const by of ['U-IC', 'U-SOMEONE']) {
      const out = join(dir, `not-dpo-${by}.tar`);
      const refused = await cli(['evidence', 'export', INCIDENT, '--out', out, '--decrypt', '--authorised-by', by]);
      expect(refused.code).toBe(1);
      expect(refused.error?.message).toMatch(/not a DPO in the configured roles/);
      expect(existsSync(out)).toBe(false);
    }
    expect(exports(await handle.query(eventsQuery))).toHaveLength(before);
  });

  it('exports decrypted with the DPO authorisation recorded through the Update, on the audit topic, and the archive fails once a chunk is altered', async () => {
    const out = join(dir, 'decrypted.tar');
    const exported = await cli(['evidence', 'export', INCIDENT, '--out', out, '--decrypt', '--authorised-by', DPO]);
    expect(exported.error).toBeUndefined();
    expect(exported.out).toContain(`Decrypted export authorised by ${DPO} recorded.`);
    expect(exported.out).toContain('(DECRYPTED)');
    const sha = /sha256 ([0-9a-f]{64})/.exec(exported.out)?.[1];

    const events = await handle.query(eventsQuery);
    const decrypted = events.filter((e) => e.type === 'EvidenceExported' && (e.data as EventDataMap['EvidenceExported']).decrypted);
    expect(decrypted).toHaveLength(1);
    expect(decrypted[0]).toMatchObject({ actor: { kind: 'user', id: DPO }, data: { authorisedBy: DPO, archiveSha256: sha } });
    // The Update flushed the ledger before answering: the audit topic already holds both exports.
    expect(await auditExports()).toEqual([expect.objectContaining({ decrypted: false }), expect.objectContaining({ decrypted: true, authorisedBy: DPO, archiveSha256: sha })]);
    expect((await handle.query(stateQuery)).evidence.exports?.map((x) => x.authorisedBy)).toEqual([null, DPO]);

    const entries = readTar(readFileSync(out));
    const records = entries.filter((e) => e.name.startsWith('records/')).flatMap((e) => e.data.toString().trim().split('\n'));
    expect(String(records.length)).toBe((decrypted[0]?.data as EventDataMap['EvidenceExported']).records);
    const verified = await cli(['evidence', 'verify', INCIDENT, '--archive', out, '--decrypt']);
    expect(verified.out).toContain('evidence intact');
    expect(verified.code).toBe(0);

    const chunk = entries.find((e) => e.name.startsWith('chunks/'))?.name as string;
    const altered = entries.map((e) => (e.name === chunk ? { ...e, data: Buffer.concat([e.data.subarray(0, 200), Buffer.from([(e.data[200] as number) ^ 0xff]), e.data.subarray(201)]) } : e));
    const alteredFile = join(dir, 'altered.tar');
    writeFileSync(alteredFile, writeTar(altered));
    const bad = await cli(['evidence', 'verify', INCIDENT, '--archive', alteredFile]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('FAILED tampered-chunk');
  });

  it("leaves neither export's request readable in the Temporal journal: the CLI's Update goes through the payload codec", async () => {
    const recorded = exports(await handle.query(eventsQuery));
    expect(recorded.map((x) => x.authorisedBy)).toEqual([null, DPO]);
    const seen = readable(files(journalDir).map((f) => readFileSync(f, 'utf8')).join('\n'));
    // The search reads what it should: the incident id is in clear by design, the payloads are encrypted.
    expect(seen).toContain(INCIDENT);
    expect(seen).toContain(ENCRYPTED_ENCODING);
    expect(seen).toContain('evidenceExport');
    // And it would find a request had it been stored in clear.
    expect(readable(Buffer.from(JSON.stringify({ authorisedBy: DPO })).toString('base64'))).toContain(DPO);
    const needles = [DPO, ...recorded.map((x) => x.archiveSha256), 'authorisedBy', 'archiveSha256'];
    expect(needles.filter((n) => seen.includes(n))).toEqual([]);
  });

  it('once the incident is closed, a decrypted export is refused and not written; a hash-only one is written, unrecorded', async () => {
    // The runbook's close requires the filings: GDPR and NIS2 filed in time, as in the playbook e2e.
    for (const regime of ['gdpr', 'nis2']) {
      await handle.signal(fileNotificationSignal, { regime, recipient: 'supervisory-authority', authority: 'CNIL', reference: `E2E-EXPORT-${regime}`, filer: DPO });
    }
    await handle.signal(approveSignal, { stepId: 'close', approver: 'U-IC', role: 'incident-commander' });
    expect((await handle.result()).status).toBe('closed');
    const out = join(dir, 'after-close.tar');
    const refused = await cli(['evidence', 'export', INCIDENT, '--out', out, '--decrypt', '--authorised-by', DPO]);
    expect(refused.code).toBe(1);
    // A closed incident's workflow has completed, so Temporal itself rejects the Update.
    expect(refused.error?.message).toMatch(/already completed/);
    expect(existsSync(out)).toBe(false);
    expect((await auditExports()).filter((x) => x.decrypted)).toHaveLength(1);
    // Hash-only still works for a closed incident (nothing in clear), and says it went unrecorded.
    const hashOnly = join(dir, 'after-close-hash-only.tar');
    const late = await cli(['evidence', 'export', INCIDENT, '--out', hashOnly]);
    expect(late.error).toBeUndefined();
    expect(late.out).toContain('export not recorded on the incident');
    expect((await cli(['evidence', 'verify', INCIDENT, '--archive', hashOnly])).code).toBe(0);
  });
});
