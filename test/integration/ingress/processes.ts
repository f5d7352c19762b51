import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import type { RunningTemporalSandbox } from '../../../src/sandbox/temporal';
import { SECRETS } from './helpers';

/*
 * `breachline` commands run as child processes against the test's sandboxes: the ingress, its
 * cluster and the correlator are processes of their own in production, and these tests run them so.
 */

const ROOT = join(__dirname, '..', '..', '..');

/**
 * The environment of a child that reaches the sandboxes: nothing inherited from BREACHLINE_*, the
 * generic source's secrets, the repository's runbooks, payload encryption off (the tests read the
 * incidents with a plain client), and `extra` on top.
 */
export function breachlineEnv(temporal: RunningTemporalSandbox, broker: RunningKafkaSandbox, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('BREACHLINE_')) delete env[key];
  return Object.assign(env, {
    BREACHLINE_TEMPORAL_ADDRESS: temporal.address,
    BREACHLINE_KAFKA_BROKERS: broker.connection.brokers.join(','),
    BREACHLINE_KAFKA_USERNAME: broker.connection.username,
    BREACHLINE_KAFKA_PASSWORD: broker.connection.password,
    BREACHLINE_TEMPORAL_CODEC: 'false',
    BREACHLINE_INGRESS_SOURCES: JSON.stringify(SECRETS),
    BREACHLINE_RUNBOOK_DIR: join(ROOT, 'runbooks'),
    ...extra,
  });
}

/** Runs `bin/breachline args` and resolves with the first stdout text matching `ready`; rejects if it exits first. */
export function runBreachline(args: readonly string[], env: NodeJS.ProcessEnv, ready: RegExp, children: ChildProcess[]): Promise<string> {
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'breachline'), ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(proc);
  return new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = ready.exec(out);
      if (line) resolve(line[0]);
    });
    proc.once('exit', (code) => reject(new Error(`breachline ${args.join(' ')} exited with ${String(code)}`)));
  });
}

/** Stops every child still running (SIGTERM) and waits for each to leave; empties the list. */
export async function stopChildren(children: ChildProcess[]): Promise<void> {
  for (const proc of children.splice(0)) {
    if (proc.exitCode !== null || proc.signalCode !== null) continue;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  }
}
