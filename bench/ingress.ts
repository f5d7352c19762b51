/**
 * SIEM ingress throughput and accept latency against the embedded Temporal sandbox.
 *
 *   npx tsx bench/ingress.ts [--rates 200,500] [--seconds 10] [--sandbox-process]
 *
 * Open loop: requests are fired on a fixed schedule whatever the answers do, and latency is measured
 * from each request's scheduled send time, so a slow server shows up as queueing instead of
 * lowering the load. For each offered rate it runs new incidents (every alert a distinct
 * principal) and duplicates (one fingerprint), and prints accepted alerts per second, p50/p99
 * accept latency and the duplicate/new throughput ratio. Baseline measured in the same run: the
 * Temporal gateway alone (SignalWithStart through the same client, no HTTP, no verification) at the
 * same offered load. By default the sandbox runs in this process (one event loop for load generator,
 * ingress and Temporal); `--sandbox-process` runs it as `bin/temporal-sandbox` in a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { configSchema } from '../src/config/config';
import type { Alert } from '../src/domain/alert';
import { loadRunbookDir } from '../src/domain/runbook-loader';
import { signPayload } from '../src/ingress/auth';
import { createTemporalIncidentGateway } from '../src/ingress/incidents';
import { createMetrics } from '../src/ingress/metrics';
import { normaliseAlert } from '../src/ingress/normalise';
import { RunbookCatalog } from '../src/ingress/runbooks';
import { createIngressServer } from '../src/ingress/server';
import { silentLogger } from '../src/log/logger';
import { start } from '../src/sandbox/temporal';

const SECRET = 'bench-generic-hmac-secret-000001';

interface RunResult {
  offered: number;
  sent: number;
  accepted: number;
  acceptedPerSecond: number;
  p50: number;
  p99: number;
  errors: Record<string, number>;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function alertBody(i: number, principal: string): string {
  return JSON.stringify({
    id: `bench-${i}`,
    rule: 'kafka-pii-bulk-read',
    severity: 'critical',
    principal,
    asset: 'orders',
    scenario: 'kafka-exfiltration',
    observedAt: new Date().toISOString(),
  });
}

function postOnce(agent: Agent, url: string, body: string): Promise<number> {
  const ts = String(Math.floor(Date.now() / 1000));
  return new Promise((resolve) => {
    const req = request(
      `${url}/v1/alerts/generic`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'x-breachline-timestamp': ts,
          'x-breachline-signature': signPayload(SECRET, ts, body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** Fires `send(i)` at `rate` per second for `seconds`, open loop; latency from the scheduled time. */
async function openLoop(rate: number, seconds: number, send: (i: number) => Promise<number>): Promise<RunResult> {
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const inflight: Promise<void>[] = [];
  const began = performance.now();
  for (let i = 0; i < total; i++) {
    const due = began + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      send(i).then((status) => {
        if (status === 202) latencies.push(performance.now() - due);
        else errors[String(status)] = (errors[String(status)] ?? 0) + 1;
      }),
    );
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  return { offered: rate, sent: total, accepted: latencies.length, acceptedPerSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

function line(label: string, r: RunResult): string {
  const errs = Object.keys(r.errors).length > 0 ? `  non-202: ${JSON.stringify(r.errors)}` : '';
  return `${label.padEnd(34)} offered ${String(r.offered).padStart(4)}/s  accepted ${r.acceptedPerSecond.toFixed(1).padStart(6)}/s (${r.accepted}/${r.sent})  p50 ${r.p50.toFixed(1).padStart(7)} ms  p99 ${r.p99.toFixed(1).padStart(7)} ms${errs}`;
}

/** Starts `bin/temporal-sandbox` (wall clock) on a free port and waits for its address. */
function sandboxProcess(): Promise<{ address: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'bin', 'temporal-sandbox'), '0', '--no-time-skipping'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /listening on (\S+)/.exec(out);
      if (match?.[1]) resolve({ address: match[1], child });
    });
    child.once('exit', (code) => reject(new Error(`temporal-sandbox exited with ${String(code)}`)));
  });
}

async function main(): Promise<void> {
  const rates = arg('rates', '200,500').split(',').map(Number).filter((n) => n > 0);
  const seconds = Number(arg('seconds', '10'));
  const separate = process.argv.includes('--sandbox-process');
  const sandbox = separate ? await sandboxProcess() : await start({});
  const connection = await Connection.connect({ address: sandbox.address });
  const client = new Client({ connection });
  const runbooks = await loadRunbookDir(join(__dirname, '..', 'runbooks'));
  const config = configSchema.parse({ ingress: { sources: { generic: { hmacSecret: SECRET } } }, temporal: { taskQueue: 'breachline-bench' } });
  const server = createIngressServer({ config, temporalClient: client, runbooks, logger: silentLogger, metrics: createMetrics(), acceptTimeoutMs: 30_000 });
  const { url } = await server.listen(0);
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const gateway = createTemporalIncidentGateway(client, { taskQueue: 'breachline-bench-baseline', acceptTimeoutMs: 30_000 });
  const catalog = new RunbookCatalog(runbooks);

  console.log(`ingress bench: open loop, ${seconds} s per run, sandbox Temporal ${separate ? 'in a child process' : 'in process'} at ${sandbox.address}, node ${process.version}`);
  for (const rate of rates) {
    const tag = `${rate}-${Date.now()}`;
    // Warm-up at the offered rate, discarded: JIT, the gRPC channel, and the keep-alive pool grown
    // to the concurrency this rate needs (without it the first run measures socket set-up).
    await openLoop(rate, 3, (i) => postOnce(agent, url, alertBody(i, `User:warmup-${tag}-${i}`)));
    const fresh = await openLoop(rate, seconds, (i) => postOnce(agent, url, alertBody(i, `User:new-${tag}-${i}`)));
    console.log(line(`HTTP  new incidents`, fresh));
    const dup = await openLoop(rate, seconds, (i) => postOnce(agent, url, alertBody(i, `User:dup-${tag}`)));
    console.log(line(`HTTP  duplicates`, dup));
    console.log(`${''.padEnd(34)} duplicate/new accepted-rate ratio ${(dup.acceptedPerSecond / fresh.acceptedPerSecond).toFixed(2)}, p99 ratio ${(dup.p99 / fresh.p99).toFixed(2)}`);
    const direct = (principal: (i: number) => string) => async (i: number): Promise<number> => {
      const alert: Alert = normaliseAlert('generic', JSON.parse(alertBody(i, principal(i))), new Date());
      try {
        await gateway.accept(alert, catalog.choose(alert));
        return 202;
      } catch {
        return 503;
      }
    };
    console.log(line(`base  gateway only, new`, await openLoop(rate, seconds, direct((i) => `User:base-new-${tag}-${i}`))));
    console.log(line(`base  gateway only, duplicates`, await openLoop(rate, seconds, direct(() => `User:base-dup-${tag}`))));
  }

  agent.destroy();
  await server.close();
  await connection.close();
  if ('child' in sandbox) sandbox.child.kill('SIGTERM');
  else await sandbox.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
