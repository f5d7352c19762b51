import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlaybookActivities } from '../drill/range';
import type { Logger } from '../log/logger';

/*
 * The chaos tests' fault hook: `BREACHLINE_FAULT_KILL_AT=<activity>:<start|end>[,…]` makes the
 * main process SIGKILL itself, sandboxes and all, the first time that activity starts or ends, so
 * a test kills it at a chosen step deterministically instead of sleeping and hoping. Each point
 * fires once per data dir (a marker file), so the restarted process runs on to the next point. Honoured only in the sandbox
 * demo with a data dir (`startBreachline` refuses it elsewhere): it exists to prove the demo's
 * journals survive `kill -9`, and a production process must never kill itself on a variable.
 */

/** Where and when the hook kills. */
export interface FaultKillPoint {
  activity: string;
  when: 'start' | 'end';
}

/** Parses `<activity>:<start|end>[,<activity>:<start|end>…]`. */
export function parseFaultKillAt(value: string): FaultKillPoint[] {
  return value.split(',').map((part) => {
    const match = /^([A-Za-z][A-Za-z0-9]*):(start|end)$/.exec(part.trim());
    if (!match) throw new Error(`BREACHLINE_FAULT_KILL_AT: expected <activity>:start or <activity>:end (comma-separated), got ${JSON.stringify(part)}`);
    return { activity: match[1] as string, when: match[2] as FaultKillPoint['when'] };
  });
}

/** The marker file that says a kill point has fired. */
export function faultMarker(dataDir: string, point: FaultKillPoint): string {
  return join(dataDir, `fault-hook-fired-${point.activity}-${point.when}`);
}

/** The file, under the data dir, where the hook records each activity start (one JSON line each). */
export const ACTIVITY_STARTS_FILE = 'fault-hook-activity-starts.jsonl';

/**
 * Returns a wrapper for the playbook activities that kills the process at each of `points` once, and records
 * each activity start (`{at, activity, pid}`) so a test can measure the time from restart to the
 * next activity without reading logs.
 */
export function faultHook(
  points: readonly FaultKillPoint[],
  dataDir: string,
  logger: Logger,
  /** How the process dies; injected by the unit test. */
  kill: () => void = () => process.kill(process.pid, 'SIGKILL'),
): (activities: PlaybookActivities) => PlaybookActivities {
  mkdirSync(dataDir, { recursive: true });
  const starts = join(dataDir, ACTIVITY_STARTS_FILE);
  const killOnce = (activity: string, when: FaultKillPoint['when']): void => {
    const point = points.find((p) => p.activity === activity && p.when === when);
    if (point === undefined) return;
    const marker = faultMarker(dataDir, point);
    if (existsSync(marker)) return;
    writeFileSync(marker, `${new Date().toISOString()}\n`);
    logger.warn({ activity: point.activity, when: point.when }, 'fault hook: killing the process (SIGKILL)');
    logger.flush?.();
    kill();
  };
  return (activities) => {
    const out: Record<string, (input: never) => Promise<unknown>> = {};
    for (const [name, fn] of Object.entries(activities) as Array<[string, (input: never) => Promise<unknown>]>) {
      out[name] = async (input: never) => {
        appendFileSync(starts, `${JSON.stringify({ at: Date.now(), activity: name, pid: process.pid })}\n`);
        killOnce(name, 'start');
        const result = await fn(input);
        killOnce(name, 'end');
        return result;
      };
    }
    return out as PlaybookActivities;
  };
}
