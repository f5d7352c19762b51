import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { KafkaConnection } from '../kafka/client';

/**
 * What `breachline start` leaves for the other CLI commands (`alert`, `slack`, `drill`): where the
 * running instance listens and the secrets needed to talk to it. Written with mode 0600 because it
 * holds the ingress HMAC secret and the control token.
 */
export interface RunState {
  pid: number;
  startedAt: string;
  /** `demo`: nothing configured, every system a sandbox; `mixed`: some stand in by `--sandbox`. */
  mode: 'demo' | 'configured' | 'mixed';
  /** Where the sandboxes journal (absent: in memory, or no sandbox at all). */
  dataDir?: string;
  temporal: { address: string; namespace: string; taskQueue: string; drillTaskQueue: string; embedded: boolean };
  ingress: { url: string; sources: { generic?: { hmacSecret?: string; bearerToken?: string } } };
  slack?: { requestUrl: string; command: string; embedded: boolean };
  /** Local control endpoint of the running instance (signed slash commands through the Slack sandbox). */
  control?: { url: string; token: string };
  /** The sandbox scenario; `seeded` false when a restart found it already present. */
  scenario?: { name: string; topic: string; compromised: string; seeded: boolean };
  /**
   * The embedded Kafka sandbox's admin connection and audit topic, so `audit verify` and
   * `incident timeline` can read the demo's audit topic. Absent for a configured Kafka, whose
   * credentials stay in the operator's configuration.
   */
  kafka?: KafkaConnection & { auditTopic: string };
  /** The embedded Vault sandbox's address and root token (absent for a configured Vault). */
  vault?: { address: string; token: string };
  /** Names of the embedded sandboxes. */
  embedded: string[];
  /**
   * Payload encryption (issue 15): present when Temporal's payloads are encrypted, so the CLI's
   * clients use the same codec. `endpoint` is the codec endpoint; in the demo it carries a token
   * for the sandbox's incident commander.
   */
  codec?: { transitKey: string; transitMount: string; endpoint?: { url: string; user?: string; token?: string } };
  /** The incident console (issue 16): where it listens and the base of its sign-in links. */
  console?: { url: string; publicUrl: string };
  /** Outside-service stand-ins of the generic actions (issue 17, "standins"): name → base URL. */
  standIns?: Record<string, string>;
}

/** Default location, relative to the working directory (git-ignored). */
export function defaultStateFile(cwd = process.cwd()): string {
  return join(cwd, '.breachline', 'run.json');
}

/** Writes the state file, creating its directory. */
export async function writeRunState(path: string, state: RunState): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  // `mode` applies only when the file is created: narrow one an older run left wider.
  await chmod(path, 0o600);
}

/** Raised when no instance is running (no state file). */
export class NotRunningError extends Error {
  constructor(readonly path: string) {
    super(`no running breachline found (${path} is missing): start one with \`npm start\``);
    this.name = 'NotRunningError';
  }
}

/** Reads the state file; {@link NotRunningError} when absent. */
export async function readRunState(path: string): Promise<RunState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotRunningError(path);
    throw err;
  }
  return JSON.parse(text) as RunState;
}

/** Removes the state file if it is still ours (a newer instance may have replaced it). */
export async function removeRunState(path: string, pid = process.pid): Promise<void> {
  const current = await readRunState(path).catch(() => undefined);
  if (current?.pid === pid) await rm(path, { force: true });
}
