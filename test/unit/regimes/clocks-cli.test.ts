import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../../src/cli/program';
import { BUILTIN_REGIMES } from '../../../src/domain/regimes';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'breachline');

/** Runs `bin/breachline` as a user would; resolves with its exit code and output. */
function breachline(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 45_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs the same command tree in this process (faster than a child), capturing output and exit code. */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  process.exitCode = 0;
  await buildProgram().parseAsync(['node', 'breachline', ...args]);
  const code = Number(process.exitCode ?? 0);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = 0;
});

const rule = (regime: keyof typeof BUILTIN_REGIMES, i: number): string => BUILTIN_REGIMES[regime].stages[i]!.rule;

describe('breachline clocks compute', () => {
  it('is registered on the program', () => {
    const clocks = buildProgram().commands.find((c) => c.name() === 'clocks');
    expect(clocks?.commands.map((c) => c.name())).toContain('compute');
  });

  it('--json prints exactly the documented object (GDPR, 72 h across the DST weekend)', async () => {
    const { code, stdout, stderr } = await breachline(['clocks', 'compute', '--regime', 'gdpr', '--aware', '2026-03-27T10:00:00Z', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(`{"regime": "gdpr", "stages": [{"stage": "authority", "due": "2026-03-30T10:00:00.000Z", "rule": ${JSON.stringify(rule('gdpr', 0))}}]}\n`);
  }, 60_000);

  it('--json for DORA with weekend relief and a filing: relieved initial, intermediate from the filing, final unknown', async () => {
    const { code, stdout } = await inProcess([
      'clocks', 'compute', '--regime', 'dora', '--aware', '2026-03-27T10:00:00Z', '--classified', '2026-03-28T08:00:00Z',
      '--filed', 'initial=2026-03-30T09:00:00Z', '--weekend-relief', '--json',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      regime: 'dora',
      stages: [
        { stage: 'initial', due: '2026-03-30T10:00:00.000Z', rule: expect.stringContaining('next working day') },
        { stage: 'intermediate', due: '2026-04-02T09:00:00.000Z', rule: rule('dora', 1) },
        { stage: 'final', due: null, rule: expect.stringContaining('waiting for the intermediate filing') },
      ],
    });
    expect(Object.keys(JSON.parse(stdout) as object)).toEqual(['regime', 'stages']);
  });

  it('prints a table with UTC and entity-local times by default', async () => {
    const { code, stdout } = await inProcess(['clocks', 'compute', '--regime', 'sec-8k', '--aware', '2026-11-20T15:00:00Z', '--determined', '2026-11-24T15:00:00Z']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^sec-8k: entity US, America\/New_York, weekend relief off\n/);
    expect(stdout).toMatch(/form-8k\s+2026-12-01T15:00:00\.000Z\s+2026-12-01 10:00 -05:00\s+Form 8-K Item 1\.05/);
  });

  it('refuses bad input with exit 2 and one line naming the option', async () => {
    const { code, stdout, stderr } = await inProcess(['clocks', 'compute', '--regime', 'sec-8k', '--aware', '2026-11-20T15:00:00Z', '--determined', '24.11.2026']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('--determined');
    const badFiled = await inProcess(['clocks', 'compute', '--regime', 'nis2', '--aware', '2026-01-28T09:00:00Z', '--filed', 'final']);
    expect(badFiled.code).toBe(2);
    expect(badFiled.stderr).toMatch(/^breachline clocks compute: --filed: "final" is not <stage>=<ISO instant>\n$/);
  });
});
