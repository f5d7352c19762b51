import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlaybookActivities } from '../drill/range';
import type { Logger } from '../log/logger';

/*
 * The chaos tests' fault hook: `BREACHLINE_FAULT_KILL_AT=<activity>:<start|end>` makes the main
 * process SIGKILL itself, sandboxes and all, the first time that activity starts or ends, so a
 * test kills it at a chosen step deterministically instead of sleeping and hoping. It fires once
 * per data dir (a marker file), so the restarted process runs on. Honoured only in the sandbox
 * demo with a data dir (`startBreachline` refuses it elsewhere): it exists to prove the demo's
 * journals survive `kill -9`, and a production process must never kill itself on a variable.
 */

/** Where and when the hook kills. */
export interface FaultKillPoint {
  activity: string;
  when: 'start' | 'end';
}

/** Parses `<activity>:<start|end>`. */
export function parseFaultKillAt(value: string): FaultKillPoint {
  const match = /^([A-Za-z][A-Za-z0-9]*):(start|end)$/.exec(value.trim());
  if (!match) throw new Error(`BREACHLINE_FAULT_KILL_AT: expected <activity>:start or <activity>:end, got ${JSON.stringify(value)}`);
  return { activity: match[1] as string, when: match[2] as FaultKillPoint['when'] };
}

/** The file, under the data dir, where the hook records each activity start (one JSON line each). */
export const ACTIVITY_STARTS_FILE = 'fault-hook-activity-starts.jsonl';

/**
 * Returns a wrapper for the playbook activities that kills the process at `point`, and records
 * each activity start (`{at, activity, pid}`) so a test can measure the time from restart to the
 * next activity without reading logs.
 */
export function faultHook(point: FaultKillPoint, dataDir: string, logger: Logger): (activities: PlaybookActivities) => PlaybookActivities {
  mkdirSync(dataDir, { recursive: true });
  const marker = join(dataDir, `fault-hook-fired-${point.activity}-${point.when}`);
  const starts = join(dataDir, ACTIVITY_STARTS_FILE);
  const killOnce = (): void => {
    if (existsSync(marker)) return;
    writeFileSync(marker, `${new Date().toISOString()}\n`);
    logger.warn({ activity: point.activity, when: point.when }, 'fault hook: killing the process (SIGKILL)');
    logger.flush?.();
    process.kill(process.pid, 'SIGKILL');
  };
  return (activities) => {
    const out: Record<string, (input: never) => Promise<unknown>> = {};
    for (const [name, fn] of Object.entries(activities) as Array<[string, (input: never) => Promise<unknown>]>) {
      out[name] = async (input: never) => {
        appendFileSync(starts, `${JSON.stringify({ at: Date.now(), activity: name, pid: process.pid })}\n`);
        if (name === point.activity && point.when === 'start') killOnce();
        const result = await fn(input);
        if (name === point.activity && point.when === 'end') killOnce();
        return result;
      };
    }
    return out as PlaybookActivities;
  };
}
