import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ACTIVITY_STARTS_FILE, faultHook, parseFaultKillAt } from '../../../src/app/fault-hook';
import { startBreachline } from '../../../src/app/start';
import { ConfigError, loadConfig } from '../../../src/config/config';
import type { PlaybookActivities } from '../../../src/drill/range';
import { silentLogger } from '../../../src/log/logger';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Two fake activities that record their calls. */
function fakes(calls: string[]): PlaybookActivities {
  return {
    contain: async () => void calls.push('contain'),
    rotateCredentials: async () => void calls.push('rotateCredentials'),
  } as unknown as PlaybookActivities;
}

describe('fault hook (BREACHLINE_FAULT_KILL_AT)', () => {
  it('parses a list of kill points and refuses anything else', () => {
    expect(parseFaultKillAt('contain:start, rotateCredentials:end')).toEqual([
      { activity: 'contain', when: 'start' },
      { activity: 'rotateCredentials', when: 'end' },
    ]);
    expect(() => parseFaultKillAt('contain:middle')).toThrow(/expected <activity>:start/);
  });

  it('kills before the activity runs at start, after it ran at end, once per data dir', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fault-hook-'));
    dirs.push(dataDir);
    const calls: string[] = [];
    const points = parseFaultKillAt('contain:start,rotateCredentials:end');
    const wrap = faultHook(points, dataDir, silentLogger, () => calls.push('KILL'));
    const acts = wrap(fakes(calls)) as unknown as Record<string, (i: unknown) => Promise<unknown>>;
    await acts.contain?.({});
    await acts.rotateCredentials?.({});
    expect(calls).toEqual(['KILL', 'contain', 'rotateCredentials', 'KILL']);
    // A restarted process (a new wrapper on the same data dir) runs on: the markers say both fired.
    const again = faultHook(points, dataDir, silentLogger, () => calls.push('KILL'))(fakes(calls)) as unknown as Record<string, (i: unknown) => Promise<unknown>>;
    await again.contain?.({});
    await again.rotateCredentials?.({});
    expect(calls.slice(4)).toEqual(['contain', 'rotateCredentials']);
    const starts = readFileSync(join(dataDir, ACTIVITY_STARTS_FILE), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { activity: string }).activity);
    expect(starts).toEqual(['contain', 'rotateCredentials', 'contain', 'rotateCredentials']);
  });

  it('is refused outside the sandbox demo, before anything starts', async () => {
    const config = loadConfig({
      env: {
        BREACHLINE_TEMPORAL_ADDRESS: '127.0.0.1:1',
        BREACHLINE_KAFKA_BROKERS: '127.0.0.1:1',
        BREACHLINE_KAFKA_USERNAME: 'u',
        BREACHLINE_KAFKA_PASSWORD: 'p',
        BREACHLINE_VAULT_ADDRESS: 'http://127.0.0.1:1',
        BREACHLINE_VAULT_TOKEN: 't',
        BREACHLINE_SLACK_API_URL: 'http://127.0.0.1:1/api/',
        BREACHLINE_SLACK_BOT_TOKEN: 'b',
        BREACHLINE_SLACK_SIGNING_SECRET: 's',
      },
    });
    await expect(startBreachline({ config, logger: silentLogger, stateFile: false, reportDir: tmpdir(), dataDir: tmpdir(), faultKillAt: 'contain:start' })).rejects.toThrow(ConfigError);
    await expect(startBreachline({ config, logger: silentLogger, stateFile: false, reportDir: tmpdir(), dataDir: tmpdir(), faultKillAt: 'contain:start' })).rejects.toThrow(/honoured only in the sandbox demo/);
  });
});
