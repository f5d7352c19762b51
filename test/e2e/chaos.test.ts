import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { ACTIVITY_STARTS_FILE, faultMarker, parseFaultKillAt, type FaultKillPoint } from '../../src/app/fault-hook';
import { readRunState, type RunState } from '../../src/app/state-file';
import type { IncidentState } from '../../src/domain/incident';
import { bundleWorkflows } from '../../src/app/workers';
import { readServiceAccount } from '../../src/vault/service-accounts';
import { createVaultSecrets } from '../../src/vault';
import { silentLogger } from '../../src/log/logger';
import { payloadEncryptionForRunState } from '../../src/temporal/data-converter';
import { approveSignal, fileNotificationSignal, stateQuery } from '../../workflows/api';
import { canAuthenticate, readEvidence, readTopic, ROOT } from './helpers';

/*
 * The chaos matrix (issue 9): the WHOLE main process (`bin/breachline start`, sandboxes included)
 * is SIGKILLed at each step of the playbook and restarted on the same data dir. The kill points
 * are chosen by the fault hook (`BREACHLINE_FAULT_KILL_AT`), never by sleeping: the process kills
 * itself the first time the named activity starts or ends. One incident goes through every kill
 * point in turn (each fires once), so the checks at the end hold for all of them together: the
 * incident closes, each account was rotated exactly once and Kafka accepts the password Vault
 * holds, the evidence equals the forensic window without gap or duplicate, `audit verify` passes,
 * and no audit event is duplicated. Per kill point the test records whether the incident resumed,
 * the time from restart to the next activity start, duplicates and the verify result.
 */

const BIN = join(ROOT, 'bin', 'breachline');
const run = promisify(execFile);

/**
 * Kill points, in playbook order: the step each one interrupts, and where. Each costs a restart of
 * the whole stack plus the killed attempt's heartbeat timeout, so CI runs the four that matter most;
 * `CHAOS_KILL_POINTS=all` adds the report step.
 */
const ALL_KILL_POINTS: ReadonlyArray<{ step: string; at: string }> = [
  { step: 'contain', at: 'contain:start' },
  // At the end: the work is done but Temporal never hears of it, so the retry must not redo it.
  { step: 'rotate-credentials', at: 'rotateCredentials:end' },
  { step: 'forensics', at: 'investigate:start' },
  // Issue 13: the chunked replay, on the evidence task queue.
  { step: 'preserve-evidence', at: 'preserveEvidenceChunks:end' },
  { step: 'report', at: 'postReport:start' },
];
const KILL_POINTS = process.env.CHAOS_KILL_POINTS === 'all' ? ALL_KILL_POINTS : ALL_KILL_POINTS.filter((k) => k.step !== 'report');
const POINTS: FaultKillPoint[] = parseFaultKillAt(KILL_POINTS.map((k) => k.at).join(','));
const BLAST = ['report-scheduler', 'invoice-renderer', 'export-gateway'];
const EVIDENCE_TOPIC = 'breachline.evidence.orders';

const dir = mkdtempSync(join(tmpdir(), 'breachline-chaos-'));
const dataDir = join(dir, 'data');
const stateFile = join(dir, 'run.json');
const runbookDir = join(dir, 'runbooks');
/** Bundled once for every start: bundling is most of a start's time, and the matrix restarts often. */
const bundlePath = join(dir, 'workflows.js');
let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The repository's runbooks as they are (step timeouts of minutes: a killed attempt is found by its
 * 10 s heartbeat timeout), with small evidence chunks so the replay spans several checkpoints.
 */
function writeRunbooks(): void {
  cpSync(join(ROOT, 'runbooks'), runbookDir, { recursive: true });
  const file = join(runbookDir, 'kafka-exfiltration.yaml');
  const doc = parseYaml(readFileSync(file, 'utf8')) as { steps: Array<{ id: string; timeout?: string; with?: Record<string, unknown> }> };
  for (const step of doc.steps) {
    if (step.id === 'preserve-evidence') step.with = { ...step.with, chunkSize: 200, parallelism: 2 };
  }
  writeFileSync(file, stringifyYaml(doc));
}

function env(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(out)) if (key.startsWith('BREACHLINE_')) delete out[key];
  return { ...out, BREACHLINE_INGRESS_PORT: '0', BREACHLINE_CONSOLE_PORT: '0', BREACHLINE_LOG_LEVEL: 'warn', BREACHLINE_RUNBOOK_DIR: runbookDir, BREACHLINE_WORKFLOW_BUNDLE: bundlePath, BREACHLINE_FAULT_KILL_AT: KILL_POINTS.map((k) => k.at).join(',') };
}

interface Started {
  child: ChildProcess;
  state: RunState;
  spawnedAt: number;
  /** When the banner was printed: the stack is up. */
  upAt: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `bin/breachline start --data-dir` and waits for its banner. */
async function startMain(): Promise<Started> {
  const spawnedAt = Date.now();
  const proc = spawn(BIN, ['start', '--data-dir', dataDir, '--slack-port', '0', '--state-file', stateFile], { cwd: dir, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  let out = '';
  proc.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`breachline start did not come up in 120 s:\n${out}`)), 120_000);
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      if (out.includes('Ctrl-C stops everything')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(({ code, signal }) => reject(new Error(`breachline start exited (${code ?? signal}) before its banner:\n${out}`)));
  });
  return { child: proc, state: await readRunState(stateFile), spawnedAt, upAt: Date.now(), exited };
}

/** Activity starts the fault hook recorded, oldest first. */
function activityStarts(): Array<{ at: number; activity: string; pid: number }> {
  const file = join(dataDir, ACTIVITY_STARTS_FILE);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { at: number; activity: string; pid: number });
}

const fired = (): string[] => POINTS.filter((p) => existsSync(faultMarker(dataDir, p))).map((p) => `${p.activity}:${p.when}`);

/** Answers approvals and the regulators' filings as the operators would, until the incident closes or the process dies. */
async function operate(s: Started, incidentId: string): Promise<'closed' | 'killed'> {
  let dead = false;
  void s.exited.then(() => (dead = true));
  let connection: Connection | undefined;
  while (connection === undefined) {
    // A kill point can fire before the first connection (containment starts within a second).
    connection = await Connection.connect({ address: s.state.temporal.address, connectTimeout: 5_000 }).catch(() => undefined);
    if (connection === undefined && (dead || (await Promise.race([s.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 500))])))) return 'killed';
  }
  const handle = new Client({ connection, namespace: s.state.temporal.namespace, dataConverter: payloadEncryptionForRunState(s.state, () => undefined, silentLogger).dataConverter }).workflow.getHandle(incidentId);
  const done = new Set<string>();
  try {
    while (!dead) {
      try {
        const state = await handle.query<IncidentState>(stateQuery);
        if (state.status === 'closed') return 'closed';
        for (const a of state.pendingApprovals) {
          if (done.has(a.stepId)) continue;
          if (a.stepId === 'close') {
            // Every regime with a due so far (GDPR's authority, NIS2's early warning and notification).
            for (const regime of ['gdpr', 'nis2']) {
              await handle.signal(fileNotificationSignal, { regime, recipient: 'supervisory-authority', authority: 'the authority', reference: `CHAOS-${regime}`, filer: 'U0DPOFFICER' });
            }
          }
          await handle.signal(approveSignal, { stepId: a.stepId, approver: 'U0COMMANDER', role: 'incident-commander' });
          done.add(a.stepId);
        }
      } catch {
        // The process is dying or busy; the loop ends when it has exited.
      }
      await Promise.race([s.exited, new Promise((r) => setTimeout(r, 300))]);
    }
    return 'killed';
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(BIN, [...args, '--state-file', stateFile], { cwd: dir, env: env(), timeout: 90_000 });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: e.stdout ?? '' };
  }
}

interface AuditRecord {
  incidentId?: string;
  seq?: number;
  type?: string;
  data?: { account?: string };
}

function duplicateSeqs(records: readonly AuditRecord[]): number {
  // Events only: the signed checkpoints that share the topic carry no seq of their own.
  const seqs = records.filter((r) => typeof r.seq === 'number').map((r) => r.seq);
  return seqs.length - new Set(seqs).size;
}

interface Row {
  point: string;
  step: string;
  resumed: boolean;
  /** Restart → the stack printed its banner. */
  upSeconds: number;
  /** Restart → the first activity started in the new process. */
  resumeSeconds?: number;
  /** Duplicate audit events of the incident and `audit verify`, read once the stack is up again. */
  duplicates?: number;
  verify?: string;
}

/**
 * Whether `audit verify` failed only because the newest events are not signed yet. A kill between
 * an append and its signed checkpoint leaves such a tail; the resumed writer covers it with the
 * checkpoint of its next append for the incident, which may be minutes away (an approval the
 * operator loop gives later). So it is no verdict yet: the row is checked again after the next
 * restart or at the end, when a tail that was never covered fails for real.
 */
function onlyUnsignedTail(out: string): boolean {
  const failed = out.split('\n').filter((l) => l.startsWith('FAILED '));
  return failed.length > 0 && failed.every((l) => l.startsWith('FAILED unsigned-tail:'));
}

/**
 * Reads the audit topic and runs `audit verify` for every row still without them. The next kill
 * point can fire while this runs (the restarted process goes on with the incident): then the
 * results are discarded and taken after the next restart instead, so each row reports the chain
 * as the first restart after its kill that stayed up long enough saw it. `final` is the check
 * after the incident closed, when every appended event must be signed.
 */
async function fillChecks(rows: Row[], s: Started, incidentId: string, final = false): Promise<void> {
  const pending = rows.filter((r) => r.verify === undefined);
  if (pending.length === 0) return;
  const alive = (): boolean => s.child.exitCode === null && s.child.signalCode === null;
  const kafka = s.state.kafka as NonNullable<RunState['kafka']>;
  const audit = await readTopic<AuditRecord>(kafka, kafka.auditTopic).catch(() => undefined);
  const verify = await cli('audit', 'verify', '--incident', incidentId);
  if (!alive() || audit === undefined) return;
  if (!final && verify.code !== 0 && onlyUnsignedTail(verify.out)) return;
  for (const r of pending) {
    r.duplicates = duplicateSeqs(audit.filter((a) => a.incidentId === incidentId));
    r.verify = verify.code === 0 ? 'ok' : `FAILED: ${verify.out.trim().split('\n').slice(-1)[0] ?? ''}`;
  }
}

describe('chaos matrix: kill -9 of the whole main process at each playbook step', () => {
  it('resumes after every kill, with one rotation per account, gapless evidence and an intact audit chain', async () => {
    writeRunbooks();
    writeFileSync(bundlePath, (await bundleWorkflows()).code);
    let s = await startMain();
    const accounts = createVaultSecrets({ address: s.state.vault?.address ?? '', token: s.state.vault?.token ?? '' });
    const before = Object.fromEntries(await Promise.all(BLAST.map(async (a) => [a, (await readServiceAccount(accounts, a)).version] as const)));
    const alert = await cli('alert', '--scenario', 'trading-exfiltration');
    expect(alert.out).toMatch(/^202 /);
    // Durable first (the default): the 202 names the incident's workflow id, its first generation here.
    const accepted = JSON.parse(alert.out.trim().slice(4)) as { incidentId?: string; workflowId: string };
    const incidentId = accepted.incidentId ?? accepted.workflowId;

    const rows: Row[] = [];
    for (;;) {
      const outcome = await operate(s, incidentId);
      if (outcome === 'closed') break;
      const exit = await s.exited;
      // Every death must be one of ours: a crash of its own would make the matrix meaningless.
      expect(exit.signal).toBe('SIGKILL');
      const point = fired().find((p) => !rows.some((r) => r.point === p));
      expect(point, `the process died with no new kill point fired (fired: ${fired().join(', ')})`).toBeDefined();
      const restartAt = Date.now();
      s = await startMain();
      const pid = s.child.pid;
      // Resumed = an activity of the incident starts in the restarted process (a kill point at the
      // start of one fires after this, which is fine: it was recorded first).
      let resumeSeconds: number | undefined;
      const deadline = Date.now() + 120_000;
      while (resumeSeconds === undefined && Date.now() < deadline && s.child.exitCode === null && s.child.signalCode === null) {
        const next = activityStarts().find((a) => a.pid === pid);
        if (next) resumeSeconds = (next.at - restartAt) / 1000;
        else await new Promise((r) => setTimeout(r, 200));
      }
      rows.push({
        point: point as string,
        step: KILL_POINTS.find((k) => k.at === point)?.step ?? '?',
        resumed: resumeSeconds !== undefined,
        upSeconds: (s.upAt - restartAt) / 1000,
        ...(resumeSeconds !== undefined ? { resumeSeconds } : {}),
      });
      await fillChecks(rows, s, incidentId);
    }
    await fillChecks(rows, s, incidentId, true);

    // The matrix, for the test output and the issue's closing note.
    const table = [
      '| kill point | step | resumed | restart → stack up | restart → next activity | duplicate audit events | audit verify |',
      '|---|---|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.point} | ${r.step} | ${r.resumed ? 'yes' : 'no'} | ${r.upSeconds.toFixed(1)} s | ${r.resumeSeconds !== undefined ? `${r.resumeSeconds.toFixed(1)} s` : '—'} | ${r.duplicates ?? '—'} | ${r.verify ?? '—'} |`),
    ].join('\n');
    console.log(`\nchaos matrix\n${table}\n`);

    expect(rows.map((r) => r.point)).toEqual(KILL_POINTS.map((k) => k.at));
    for (const r of rows) {
      expect(r.resumed, `${r.point} resumed`).toBe(true);
      expect(r.duplicates, `${r.point} duplicates`).toBe(0);
      expect(r.verify, `${r.point} verify`).toBe('ok');
    }

    // The incident closed on the last process; check the world it left.
    const connection = await Connection.connect({ address: s.state.temporal.address });
    let final: IncidentState;
    try {
      final = await new Client({ connection, namespace: s.state.temporal.namespace, dataConverter: payloadEncryptionForRunState(s.state, () => undefined, silentLogger).dataConverter }).workflow.getHandle(incidentId).query<IncidentState>(stateQuery);
    } finally {
      await connection.close();
    }
    expect(final.status).toBe('closed');

    // Exactly one rotation per account, recorded once, and Kafka accepts what Vault holds.
    const secrets = createVaultSecrets({ address: s.state.vault?.address ?? '', token: s.state.vault?.token ?? '' });
    const kafka = s.state.kafka as NonNullable<RunState['kafka']>;
    const audit = (await readTopic<AuditRecord>(kafka, kafka.auditTopic)).filter((r) => r.incidentId === incidentId);
    expect(duplicateSeqs(audit)).toBe(0);
    for (const account of BLAST) {
      const held = await readServiceAccount(secrets, account);
      expect(held.version, `${account} rotated once`).toBe((before[account] ?? 0) + 1);
      expect(audit.filter((r) => r.type === 'CredentialRotated' && r.data?.account === account)).toHaveLength(1);
      expect(await canAuthenticate(kafka, account, held.secret.password), `${account} authenticates with Vault's password`).toBe(true);
    }

    // Evidence: exactly the forensic window's offsets, each once.
    const window = final.forensicWindows.orders;
    expect(window).toBeDefined();
    const expected = new Set<string>();
    for (const p of window?.partitions ?? []) {
      for (const r of p.ranges) for (let o = BigInt(r.from); o <= BigInt(r.to); o++) expected.add(`${p.partition}:${o}`);
    }
    const evidence = (await readEvidence(kafka, EVIDENCE_TOPIC, incidentId)).sources;
    expect(evidence.length, 'no duplicate evidence').toBe(new Set(evidence).size);
    expect(new Set(evidence), 'evidence equals the forensic window').toEqual(expected);
    expect(final.evidence.records).toBe(String(expected.size));

    const verify = await cli('audit', 'verify');
    expect(verify.code, verify.out).toBe(0);

    s.child.kill('SIGINT');
    await s.exited;
  }, 600_000); // five restarts of the whole stack; the budget is for a loaded CI machine, not a speed assertion
});
