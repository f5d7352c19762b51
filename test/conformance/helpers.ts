import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { start, type RunningKafkaSandbox } from '../../src/sandbox/kafka';
import { AclOperation, AclPermissionType, PatternType, ResourceType } from '../../src/sandbox/kafka/security';

/**
 * Conformance suite helpers: a sandbox broker with SASL/SCRAM and ACLs, and the independent
 * clients (kcat, confluent-kafka, kafka-python and Sarama from the Debian archive) run as child
 * processes.
 * A client that is missing FAILS the suite: `.ci/run` installs them, and a skipped conformance
 * test would hide exactly the regression it exists for.
 */

/** Everything topic and group names in the suite start with; `alice` may use all of them. */
export const PREFIX = 'conf-';
/** The ordinary principal: ACLs allow it everything under {@link PREFIX}. */
export const ALICE = { username: 'alice', password: 'alice-secret-1' } as const;
/** The second principal: may join groups under {@link PREFIX} but has no topic ACL at all. */
export const EVE = { username: 'eve', password: 'eve-secret-1' } as const;

/** Starts a broker on a free port with alice's and eve's SCRAM credentials and ACLs. */
export async function startConformanceBroker(): Promise<RunningKafkaSandbox> {
  const sandbox = await start({ port: 0, groups: { initialRebalanceDelayMs: 50, minSessionTimeoutMs: 1000 } });
  const { broker } = sandbox;
  broker.credentials.setPassword(ALICE.username, ALICE.password);
  broker.credentials.setPassword(EVE.username, EVE.password);
  const allow = (principal: string, resourceType: number, operation: number) => ({
    resourceType,
    resourceName: PREFIX,
    patternType: PatternType.PREFIXED,
    principal,
    host: '*',
    operation,
    permissionType: AclPermissionType.ALLOW,
  });
  broker.authorizer.createAcls([
    allow(`User:${ALICE.username}`, ResourceType.TOPIC, AclOperation.ALL),
    allow(`User:${ALICE.username}`, ResourceType.GROUP, AclOperation.ALL),
    allow(`User:${EVE.username}`, ResourceType.GROUP, AclOperation.READ),
  ]);
  return sandbox;
}

/** The broker's `host:port`. */
export const bootstrap = (sandbox: RunningKafkaSandbox): string => sandbox.connection.brokers[0] as string;

/** Result of a client run. */
export interface ClientRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a client to completion (never throws on a non-zero exit; the test looks at the result). */
export function run(cmd: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: options.timeoutMs ?? 40_000, maxBuffer: 16 << 20, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error(`${cmd} is not installed: run .ci/run's apt step (apt-get install -y kcat python3-kafka python3-confluent-kafka golang-go golang-github-shopify-sarama-dev)`));
        return;
      }
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Fails with an installation hint unless kcat runs. */
export function requireKcat(): void {
  try {
    execFileSync('kcat', ['-V'], { stdio: 'pipe' });
  } catch {
    throw new Error('kcat is not installed: run .ci/run\'s apt step (apt-get install -y kcat python3-kafka python3-confluent-kafka golang-go golang-github-shopify-sarama-dev)');
  }
}

/**
 * The Python interpreter that has the Debian client packages. A version manager's `python3` may
 * come first on PATH without them, so the distribution's own interpreter is tried next.
 */
export function requirePython(): string {
  const candidates = [process.env.CONFORMANCE_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);
  for (const python of candidates) {
    try {
      execFileSync(python, ['-c', 'import kafka, confluent_kafka'], { stdio: 'pipe' });
      return python;
    } catch {
      // try the next one
    }
  }
  throw new Error(`no python3 with kafka-python and confluent-kafka (tried ${candidates.join(', ')}): apt-get install -y python3-kafka python3-confluent-kafka`);
}

/** Runs one scenario of a Python client script and parses the JSON it prints. */
export async function runPython<T>(python: string, script: 'kafka_python_client.py' | 'confluent_client.py', mode: string, config: Record<string, unknown>): Promise<T> {
  const res = await run(python, [join(__dirname, 'clients', script), mode, JSON.stringify(config)]);
  const last = res.stdout.trim().split('\n').pop() ?? '';
  if (res.code !== 0 || !last.startsWith('{')) {
    throw new Error(`${script} ${mode} exited ${res.code}\n${res.stderr.slice(-3000)}\n${res.stdout.slice(-1000)}`);
  }
  return JSON.parse(last) as T;
}

/**
 * Builds the Go client (Sarama from Debian's golang-github-shopify-sarama-dev) once per test file
 * into `dir`, in GOPATH mode against the Debian source tree. Fails with an installation hint when
 * Go or Sarama is missing.
 */
export async function buildSaramaClient(dir: string): Promise<string> {
  const out = join(dir, 'sarama_client');
  const env = { ...process.env, GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOCACHE: join(dir, 'gocache'), GOFLAGS: '' };
  const built = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile('go', ['build', '-o', out, join(__dirname, 'clients', 'sarama_client.go')], { env, timeout: 300_000, maxBuffer: 16 << 20 }, (err, _stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') resolve({ code: -2, stderr: '' });
      else resolve({ code: err ? 1 : 0, stderr });
    });
  });
  const hint = 'apt-get install -y golang-go golang-github-shopify-sarama-dev (.ci/run\'s apt step)';
  if (built.code === -2) throw new Error(`go is not installed: ${hint}`);
  if (built.code !== 0) throw new Error(`the Sarama client did not build (${hint}):\n${built.stderr.slice(-3000)}`);
  return out;
}
