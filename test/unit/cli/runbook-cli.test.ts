import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../../src/cli/program';
import type { RouteReport } from '../../../src/cli/commands/runbook-test';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'breachline');
const ALERTS = join(ROOT, 'test', 'fixtures', 'alerts');
const LINT = join('test', 'fixtures', 'runbook-lint');
const scratch = mkdtempSync(join(tmpdir(), 'runbook-cli-'));

/** Runs the command tree in this process, capturing output and exit code. */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  process.exitCode = 0;
  try {
    await buildProgram().parseAsync(['node', 'breachline', ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, stdout, stderr };
}

/** A fixture alert without the scenario hint, written to a scratch file: routing has to decide. */
/** The fixture payloads' shape, as far as this file edits them. */
interface Payload {
  [key: string]: unknown;
  result?: Record<string, unknown>;
  properties?: { labels?: Array<{ labelName: string }> };
}

function withoutScenario(source: 'splunk' | 'elastic' | 'sentinel' | 'generic', edit: (p: Payload) => void = () => undefined): string {
  const p = JSON.parse(readFileSync(join(ALERTS, `${source}.json`), 'utf8')) as Payload;
  delete p.scenario;
  delete p.breachline;
  if (p.result) delete p.result.breachline_scenario;
  if (p.properties?.labels) p.properties.labels = p.properties.labels.filter((l) => !l.labelName.startsWith('breachline.scenario='));
  edit(p);
  const file = join(scratch, `${source}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(p));
  return file;
}

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = 0;
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('breachline runbook test', () => {
  it.each(['splunk', 'elastic', 'sentinel', 'generic'] as const)('routes the reference %s alert to kafka-exfiltration by its serves rules', async (source) => {
    const { code, stdout, stderr } = await inProcess(['runbook', 'test', withoutScenario(source), '--runbooks', 'runbooks', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as RouteReport;
    expect(report.alert.source).toBe(source);
    expect(report.starts).toMatchObject({ id: 'kafka-exfiltration', principal: 'User:report-exporter', reason: { kind: 'rule', runbook: 'kafka-exfiltration' } });
    // Sentinel names its analytic rule by id: the second rule (source sentinel, title) is the one.
    expect(report.starts?.reason).toMatchObject({ rule: source === 'sentinel' ? 1 : 0 });
  });

  it('explains a miss condition by condition and sends the alert to triage', async () => {
    const file = withoutScenario('generic', (p) => {
      p.rule = 'disk-usage-high';
      p.severity = 'medium';
      delete p.principal;
    });
    const { code, stdout } = await inProcess(['runbook', 'test', file, '--runbooks', 'runbooks', '--source', 'generic']);
    expect(code).toBe(0);
    expect(stdout).toContain('starts: triage v1 (scenario triage), principal (none named)');
    expect(stdout).toContain('why: no runbook serves this alert: it opens a triage incident');
    expect(stdout).toContain('kafka-exfiltration (priority 100): does not match');
    expect(stdout).toMatch(/FAIL rule matches \/.*\/; alert has "disk-usage-high"/);
    expect(stdout).toContain('FAIL severity at least high; alert has "medium"');
    expect(stdout).toContain('FAIL fields.principal matches /^User:/; alert has nothing');
    expect(stdout).toContain('FAIL source in [sentinel]; alert has "generic"');
  });

  it('a named scenario wins over the rules, and says so', async () => {
    const { stdout } = await inProcess(['runbook', 'test', join(ALERTS, 'splunk.json'), '--runbooks', 'runbooks']);
    expect(stdout).toContain('why: the alert names scenario "kafka-exfiltration" (serves rules are not consulted)');
  });

  it('a payload ingress would refuse is a precise error with exit 2, not a route', async () => {
    const file = join(scratch, 'bad.json');
    writeFileSync(file, JSON.stringify({ id: 'x', rule: 'r', severity: 'urgent', observedAt: '2026-01-01T00:00:00Z', asset: 'a' }));
    const { code, stdout, stderr } = await inProcess(['runbook', 'test', file, '--runbooks', 'runbooks', '--source', 'generic']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/severity/);
  });

  it('an unknown --source names the allowed ones', async () => {
    const { code, stderr } = await inProcess(['runbook', 'test', join(ALERTS, 'generic.json'), '--runbooks', 'runbooks', '--source', 'qradar']);
    expect(code).toBe(2);
    expect(stderr).toContain('--source: "qradar" is not one of splunk, elastic, sentinel, generic');
  });
});

describe('breachline runbook lint', () => {
  it('the repository runbooks and their policies have no problems', async () => {
    const { code, stdout } = await inProcess(['runbook', 'lint', 'runbooks']);
    expect(stdout).toBe('runbooks: no problems\n');
    expect(code).toBe(0);
  });

  it('reports every known error of the fixtures at its file, line and column', async () => {
    const { code, stdout } = await inProcess(['runbook', 'lint', LINT]);
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n');
    const f = (name: string): string => join(LINT, name);
    expect(lines).toEqual([
      `${f('alpha.yaml')}:10:24: serves.when[0].rule.matches: invalid regular expression "(unclosed": /(unclosed/u: Unterminated group`,
      expect.stringMatching(new RegExp(`^${f('alpha.yaml')}:15:13: unknown action "page-someone" \\(registered: `)),
      `${f('alpha.yaml')}:19:18: step "cut" with.breakers[0]: unknown breaker "nowhere" (defined: none)`,
      `${f('delta.yaml')}:19:15: step "close": approval "incident-commander" is granted by no policy of pack "thin-pack": nobody could approve this step`,
      `${f('epsilon.yaml')}:7:11: policy folder "no-such-pack" does not exist in ${LINT}`,
      expect.stringMatching(new RegExp(`^${f('gamma.yaml')}:8:13: routing tie: priority 50 is also the priority of runbook "beta" .*rule 1 and this runbook's rule 1 can match the same alert`)),
      expect.stringMatching(new RegExp(`^${f('strict-pack/broken.cedar')}:3:86: Cedar: unexpected end of input`)),
      `${f('strict-pack/names.cedar')}:3:22: unknown role "incident-commandr" (known: incident-commander, responder, dpo, observer)`,
      expect.stringMatching(new RegExp(`^${f('strict-pack/names.cedar')}:6:51: unknown action "deploy" \\(known: help, `)),
    ]);
    // delta ties with neither: its rule only takes low-severity elastic alerts.
    expect(stdout).not.toMatch(/runbook "delta"|delta.yaml:\d+:\d+: routing tie/);
  });

  it('--json gives the same problems as objects', async () => {
    const { code, stdout } = await inProcess(['runbook', 'lint', join(LINT, 'epsilon.yaml'), '--json']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual([{ file: join(LINT, 'epsilon.yaml'), line: 7, column: 11, message: `policy folder "no-such-pack" does not exist in ${LINT}` }]);
  });

  it('exits 1 as a real process when there are errors', async () => {
    const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [BIN, 'runbook', 'lint', join(LINT, 'alpha.yaml')], { cwd: ROOT, timeout: 45_000 }, (err, stdout) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout });
      });
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${join(LINT, 'alpha.yaml')}:10:24: `);
  }, 60_000);
});
