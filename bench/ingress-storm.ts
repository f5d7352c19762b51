/**
 * Alert storms against the ingress with load generator, ingress, correlator and Temporal in
 * SEPARATE processes (issue 15): this process generates load; `bin/temporal-sandbox` (wall clock),
 * `breachline sandbox up --only kafka`, `breachline ingress --no-correlator` (durable mode, N
 * node:cluster processes behind one port) and `breachline correlator` each run in a child.
 *
 *   npx tsx bench/ingress-storm.ts [--quick] [--duplicates 10000] [--dup-rate 2000] [--new-rate 500]
 *                                  [--seconds 10] [--ingress-workers 1]
 *                                  [--storm-only] [--timeline] [--cpu-prof-dir <dir>]
 *
 * Open loop: requests go out on a fixed schedule whatever the answers do, latency is measured from
 * each request's scheduled time. Runs, in order, and prints everything in one run:
 *   1. baseline: `--new-rate`/s new incidents for `--seconds` straight to Temporal from this
 *      process (describe + SignalWithStart, what direct mode costs per alert);
 *   2. storm: `--duplicates` alerts about one thing (distinct SIEM alert ids, one fingerprint) at
 *      `--dup-rate`/s; then waits until the correlator has handed every one to Temporal and checks
 *      that exactly one incident exists for the fingerprint, printing the Temporal signals it took;
 *   3. new incidents: a distinct principal per alert at `--new-rate`/s for `--seconds` through the
 *      ingress, and how long the correlator took to open them all, compared with the baseline.
 * `--quick` (under 2 minutes): 4,000 duplicates, 3 s of new incidents, a short warm-up. Before
 * them all, one second at `--dup-rate` warms the fresh processes up (its figures are printed too),
 * then 2 s of rest.
 * Each phase also prints the CPU time (user + system, from /proc) each process tree spent per
 * accepted alert until the alerts were correlated: the per-request costs, whatever the load.
 * A `non-202` of `0` is a request that failed on the socket (e.g. a keep-alive race under load).
 * `--timeline` adds each phase's p99 second by second. `--storm-only` skips 1 and 3; `--cpu-prof-dir` writes V8 CPU profiles of the ingress,
 * correlator and sandbox processes there (`node --cpu-prof`) when they exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Alert } from '../src/domain/alert';
import { loadRunbookDir } from '../src/domain/runbook-loader';
import { signPayload } from '../src/ingress/auth';
import { alertFingerprint } from '../src/ingress/fingerprint';
import { createTemporalIncidentGateway } from '../src/ingress/incidents';
import { normaliseAlert } from '../src/ingress/normalise';
import { RunbookCatalog } from '../src/ingress/runbooks';
import { incidentWorkflowId } from '../workflows/api';
import { RawHttpPool } from './support/raw-http-load';
import { freePort } from '../test/support/free-port';

const ROOT = join(__dirname, '..');
const SECRET = 'bench-generic-hmac-secret-000001';
const RULE = 'kafka-pii-bulk-read';

interface RunResult {
  offered: number;
  sent: number;
  accepted: number;
  acceptedPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: Record<string, number>;
  /** p99 of each second's requests, in ms (by scheduled time). */
  timeline: string;
  /** p99 of how late the generator sent a request after its scheduled time, ms. */
  sendLateP99: number;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function alertBody(id: string, principal: string): string {
  return JSON.stringify({ id, rule: RULE, severity: 'critical', principal, asset: 'orders', scenario: 'kafka-exfiltration', observedAt: new Date().toISOString() });
}

function postOnce(pool: RawHttpPool, body: string): Promise<number> {
  const ts = String(Math.floor(Date.now() / 1000));
  return pool.send({
    method: 'POST',
    path: '/v1/alerts/generic',
    headers: { 'content-type': 'application/json', 'x-breachline-timestamp': ts, 'x-breachline-signature': signPayload(SECRET, ts, body) },
    body,
  });
}

/** Fires `send(i)` `total` times at `rate` per second, open loop; latency from the scheduled time. */
async function openLoop(rate: number, total: number, send: (i: number) => Promise<number>): Promise<RunResult> {
  const latencies: number[] = [];
  const bySecond: number[][] = [];
  const errors: Record<string, number> = {};
  const inflight: Promise<void>[] = [];
  // How late the generator itself sent each request: a generator that stalls shows up here, not
  // as the server's latency.
  const late: number[] = [];
  const began = performance.now();
  for (let i = 0; i < total; i++) {
    const due = began + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    late.push(Math.max(0, performance.now() - due));
    inflight.push(
      send(i).then((status) => {
        if (status === 202) {
          const latency = performance.now() - due;
          latencies.push(latency);
          (bySecond[Math.floor((due - began) / 1000)] ??= []).push(latency);
        }
        else errors[String(status)] = (errors[String(status)] ?? 0) + 1;
      }),
    );
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  const timeline = bySecond.map((l) => percentile(l.sort((a, b) => a - b), 99).toFixed(1)).join(' ');
  late.sort((a, b) => a - b);
  return { offered: rate, sent: total, accepted: latencies.length, acceptedPerSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), errors, timeline, sendLateP99: percentile(late, 99) };
}

function line(label: string, r: RunResult): string {
  const errs = Object.keys(r.errors).length > 0 ? `  non-202: ${JSON.stringify(r.errors)}` : '';
  const timeline = process.argv.includes('--timeline') ? `\n${''.padEnd(36)} p99 per second: ${r.timeline}; generator sent late by (p99) ${r.sendLateP99.toFixed(1)} ms` : '';
  return `${label.padEnd(36)} offered ${String(r.offered).padStart(4)}/s  accepted ${r.acceptedPerSecond.toFixed(1).padStart(7)}/s (${r.accepted}/${r.sent})  p50 ${r.p50.toFixed(1).padStart(7)} ms  p95 ${r.p95.toFixed(1).padStart(7)} ms  p99 ${r.p99.toFixed(1).padStart(7)} ms${errs}${timeline}`;
}

/** Spawns a child and resolves with the first stdout match of `pattern`. */
function child(args: readonly string[], pattern: RegExp, env: NodeJS.ProcessEnv = process.env): Promise<{ proc: ChildProcess; match: RegExpExecArray }> {
  const proc = spawn(process.execPath, [...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = pattern.exec(out);
      if (match) resolve({ proc, match });
    });
    proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${String(code)}`)));
  });
}


function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
}

/** Polls until `check` holds; returns the seconds it took, or NaN after `ms`. */
async function until(check: () => Promise<boolean>, ms: number): Promise<number> {
  const began = performance.now();
  while (!(await check())) {
    if (performance.now() - began > ms) return Number.NaN;
    await new Promise((r) => setTimeout(r, 250));
  }
  return (performance.now() - began) / 1000;
}

/** Alert ids recorded in a workflow's history, and the number of alert signals that carried them. */
async function signalled(client: Client, workflowId: string): Promise<{ ids: Set<string>; signals: number }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const ids = new Set<string>();
  let signals = 0;
  for (const e of history.events ?? []) {
    const s = e.workflowExecutionSignaledEventAttributes;
    if (s?.signalName !== 'alert' && s?.signalName !== 'alertBatch') continue;
    signals++;
    const value = defaultPayloadConverter.fromPayload<Alert | Alert[]>(s.input?.payloads?.[0] ?? {});
    for (const a of Array.isArray(value) ? value : [value]) ids.add(a.alertId);
  }
  return { ids, signals };
}

/** CPU seconds (user + system) of each process tree, read from /proc; empty where there is none. */
type CpuSample = Map<string, number>;
function cpuOf(roots: Readonly<Record<string, number | undefined>>): CpuSample {
  const out: CpuSample = new Map();
  let procs: Array<{ pid: number; ppid: number; cpu: number }>;
  try {
    procs = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .flatMap((d) => {
        try {
          // Fields after the command name (which may hold spaces): state ppid … utime(14) stime(15).
          const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
          const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          return [{ pid: Number(d), ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / 100 }];
        } catch {
          return [];
        }
      });
  } catch {
    return out;
  }
  for (const [name, root] of Object.entries(roots)) {
    if (root === undefined) continue;
    const tree = new Set([root]);
    // This process is the generator alone: every other tree here is its child.
    for (let grew = root !== process.pid; grew; ) {
      grew = false;
      for (const p of procs) if (!tree.has(p.pid) && tree.has(p.ppid)) grew = tree.add(p.pid) !== undefined;
    }
    out.set(name, procs.filter((p) => tree.has(p.pid)).reduce((n, p) => n + p.cpu, 0));
  }
  return out;
}

/** CPU per accepted alert of each process tree between two samples, in µs. */
function cpuLine(before: CpuSample, after: CpuSample, alerts: number, until = 'until correlated'): string {
  if (after.size === 0 || alerts === 0) return '';
  const parts = [...after].map(([name, s]) => `${name} ${(((s - (before.get(name) ?? 0)) * 1e6) / alerts).toFixed(0)}`);
  return `${''.padEnd(36)} CPU per alert (µs, ${until}): ${parts.join(', ')}`;
}

/** Cumulative bucket counts of one histogram on the ingress's /metrics (summed over label sets). */
async function histogram(url: string, name: string, only = ''): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const buckets = new Map<string, number>();
  for (const m of text.matchAll(new RegExp(`^${name}_bucket\\{([^}]*)\\} (\\d+)$`, 'gm'))) {
    const labels = m[1] ?? '';
    const le = /le="([^"]+)"/.exec(labels)?.[1];
    if (le === undefined || !labels.includes(only)) continue;
    buckets.set(le, (buckets.get(le) ?? 0) + Number(m[2]));
  }
  return buckets;
}

/** "share within 10 ms / 25 ms" of what a histogram counted between two reads. */
function withinLine(before: Map<string, number>, after: Map<string, number>): string {
  const delta = (le: string): number => (after.get(le) ?? 0) - (before.get(le) ?? 0);
  const total = delta('+Inf');
  if (total === 0) return 'none';
  const share = (le: string): string => `${((100 * delta(le)) / total).toFixed(1)} % ≤ ${Number(le) * 1000} ms`;
  return `${total} observed, ${share('0.01')}, ${share('0.025')}`;
}

/** The figures of one storm: what the ingress answered, and what reached Temporal. */
async function stormRun(client: Client, pool: RawHttpPool, url: string, tag: string, duplicates: number, dupRate: number, cpu: () => CpuSample): Promise<void> {
  const appendsBefore = await histogram(url, 'breachline_ingress_alert_append_seconds');
  const alertRoute = 'route="/v1/alerts/:source"';
  const requestsBefore = await histogram(url, 'breachline_ingress_request_duration_seconds', alertRoute);
  const cpuBefore = cpu();
  const stormPrincipal = `User:storm-${tag}`;
  const stormWorkflow = incidentWorkflowId(alertFingerprint({ source: 'generic', rule: RULE, principal: stormPrincipal }));
  const storm = await openLoop(dupRate, duplicates, (i) => postOnce(pool, alertBody(`storm-${tag}-${i}`, stormPrincipal)));
  console.log(line(`storm: ${duplicates} duplicates`, storm));
  const cpuAnswered = cpu();
  // Where the time went, as the ingress saw it: its whole handling of each request, and the part of
  // it that the alerts topic's acknowledgement took (per produce request).
  console.log(`${''.padEnd(36)} in the ingress: requests ${withinLine(requestsBefore, await histogram(url, 'breachline_ingress_request_duration_seconds', alertRoute))}; alerts-topic produce requests ${withinLine(appendsBefore, await histogram(url, 'breachline_ingress_alert_append_seconds'))}`);
  const drained = await until(async () => (await client.workflow.count(`WorkflowId = '${stormWorkflow}'`)).count > 0 && (await signalled(client, stormWorkflow)).ids.size >= storm.accepted, 180_000);
  const runs = (await client.workflow.count(`WorkflowId = '${stormWorkflow}'`)).count;
  const { ids, signals } = await signalled(client, stormWorkflow);
  const cpuAfter = cpu();
  console.log(`${''.padEnd(36)} incidents opened: ${runs} (must be 1: ${runs === 1 ? 'ok' : 'WRONG'}); signals sent: ${signals}; alert ids recorded ${ids.size}/${storm.accepted}; correlated ${drained.toFixed(1)} s after the last answer; p99 < 20 ms: ${storm.p99 < 20 ? 'yes' : 'NO'}`);
  const perAlert = cpuLine(cpuBefore, cpuAfter, storm.accepted);
  if (perAlert) console.log(`${cpuLine(cpuBefore, cpuAnswered, storm.accepted, 'until the last answer')}\n${perAlert}`);
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const duplicates = Number(arg('duplicates', quick ? '4000' : '10000'));
  const dupRate = Number(arg('dup-rate', '2000'));
  const newRate = Number(arg('new-rate', '500'));
  const seconds = Number(arg('seconds', quick ? '3' : '10'));
  const workers = arg('ingress-workers', '1');
  const stormOnly = process.argv.includes('--storm-only');
  const profileDir = arg('cpu-prof-dir', '');
  const tag = Date.now().toString(36);
  const began = performance.now();

  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const temporal = await child([...profile, join(ROOT, 'bin', 'temporal-sandbox'), '0', '--no-time-skipping'], /listening on (\S+)/);
  const kafka = await child([...profile, join(ROOT, 'bin', 'breachline'), 'sandbox', 'up', '--only', 'kafka', '--json'], /^(\{.*\})\n/m);
  const kafkaConnection = (JSON.parse(kafka.match[1] ?? '{}') as { kafka: { brokers: string[]; username: string; password: string } }).kafka;
  const temporalAddress = temporal.match[1] ?? '';
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BREACHLINE_TEMPORAL_ADDRESS: temporalAddress,
    BREACHLINE_TEMPORAL_TASK_QUEUE: 'breachline-bench',
    BREACHLINE_KAFKA_BROKERS: kafkaConnection.brokers.join(','),
    BREACHLINE_KAFKA_USERNAME: kafkaConnection.username,
    BREACHLINE_KAFKA_PASSWORD: kafkaConnection.password,
    BREACHLINE_INGRESS_DURABLE: 'true',
    // Off as in the baseline, so both compare the same Temporal calls (bench/payload-codec.ts measures the codec).
    BREACHLINE_TEMPORAL_CODEC: 'false',
    BREACHLINE_INGRESS_SOURCES: JSON.stringify({ generic: { hmacSecret: SECRET } }),
    BREACHLINE_RUNBOOK_DIR: join(ROOT, 'runbooks'),
    BREACHLINE_LOG_LEVEL: 'error',
  };
  const ingress = await child([...profile, join(ROOT, 'bin', 'breachline'), 'ingress', '--no-correlator', '--port', String(port), '--ingress-workers', workers], /ingress listening on (\S+)/, env);
  const correlator = await child([...profile, join(ROOT, 'bin', 'breachline'), 'correlator'], /correlator running/, env);
  const url = ingress.match[1] ?? '';
  const connection = await Connection.connect({ address: temporalAddress, channelArgs: { 'grpc.max_receive_message_length': 256 * 1024 * 1024 } });
  const client = new Client({ connection });
  const { hostname, port: listening } = new URL(url);
  const pool = new RawHttpPool(hostname, Number(listening), 256);
  const pids = [temporal.proc.pid, kafka.proc.pid, ingress.proc.pid, correlator.proc.pid].map(String).join('/');
  console.log(`ingress storm bench${quick ? ' (quick)' : ''}: generator pid ${process.pid}; Temporal sandbox / Kafka sandbox / ingress (durable, ${workers} process${workers === '1' ? '' : 'es'}, --no-correlator) / correlator pids ${pids}; node ${process.version}; load ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores`);

  try {
    // Compiling the runbooks' schemas leaves garbage behind: done before the warm-up, so its
    // collection does not stall the generator in the storm's first second.
    const runbooks = new RunbookCatalog(await loadRunbookDir(join(ROOT, 'runbooks')));
    // Warm-up: JIT at the storm's rate, the keep-alive pool, the consumer group's first assignment.
    // A process that has just started answers its first second at 2,000/s far slower (JIT, sockets
    // opening): printed, so the cold figure is on record, and kept out of the storm's figures.
    const warm = await openLoop(dupRate, dupRate, (i) => postOnce(pool, alertBody(`warm-${tag}-${i}`, `User:warm-${tag}-${i % 20}`)));
    console.log(line('warm-up (cold process, discarded)', warm));
    // The storm starts on a system at rest: the correlator and Temporal have digested the warm-up
    // (its alerts opened 20 incidents), and this process has loaded its fetch client.
    await histogram(url, 'breachline_ingress_alert_append_seconds');
    await new Promise((r) => setTimeout(r, 2_000));

    // Baseline first, on a Temporal that no correlator backlog competes for.
    const gateway = createTemporalIncidentGateway(client, { taskQueue: 'breachline-bench-baseline', acceptTimeoutMs: 30_000 });
    const baseline = stormOnly ? undefined : await openLoop(newRate, Math.round(newRate * seconds), async (i) => {
      const alert = normaliseAlert('generic', JSON.parse(alertBody(`base-${tag}-${i}`, `User:base-${tag}-${i}`)), new Date());
      try {
        await gateway.accept(alert, runbooks.choose(alert));
        return 202;
      } catch {
        return 503;
      }
    });
    if (baseline) console.log(line('baseline: Temporal call only, new', baseline));

    const cpu = (): CpuSample => cpuOf({ generator: process.pid, ingress: ingress.proc.pid, correlator: correlator.proc.pid, kafka: kafka.proc.pid, temporal: temporal.proc.pid });
    await stormRun(client, pool, url, tag, duplicates, dupRate, cpu);

    if (baseline) {
      const before = (await client.workflow.count()).count;
      const cpuBefore = cpu();
      const fresh = await openLoop(newRate, Math.round(newRate * seconds), (i) => postOnce(pool, alertBody(`new-${tag}-${i}`, `User:new-${tag}-${i}`)));
      console.log(line('ingress (durable): new incidents', fresh));
      const opened = await until(async () => (await client.workflow.count()).count >= before + fresh.accepted, 300_000);
      const perAlert = cpuLine(cpuBefore, cpu(), fresh.accepted);
      console.log(`${''.padEnd(36)} all ${fresh.accepted} incidents open in Temporal ${opened.toFixed(1)} s after the last answer (correlator ≈ ${(fresh.accepted / (seconds + opened)).toFixed(0)} incidents/s)`);
      if (perAlert) console.log(perAlert);
      console.log(`${''.padEnd(36)} ingress/baseline: accepted-rate ratio ${(fresh.acceptedPerSecond / baseline.acceptedPerSecond).toFixed(2)}, p99 ${fresh.p99.toFixed(1)} ms vs ${baseline.p99.toFixed(1)} ms (ratio ${(fresh.p99 / baseline.p99).toFixed(3)})`);
    }
    console.log(`bench took ${((performance.now() - began) / 1000).toFixed(0)} s`);
  } finally {
    pool.close();
    await connection.close();
    await stop(ingress.proc);
    await stop(correlator.proc);
    await stop(kafka.proc);
    await stop(temporal.proc);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
