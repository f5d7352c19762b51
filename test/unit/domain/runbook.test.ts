import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planSteps, stepRefs } from '../../../src/domain/runbook';
import { ACTION_NAMES } from '../../../src/domain/runbook-actions';
import { loadRunbookDir, loadRunbookFile, parseRunbook, RunbookValidationError } from '../../../src/domain/runbook-loader';
import { runbookSchema } from '../../../src/domain/runbook-schema';

const root = resolve(__dirname, '../../..');
const fixtures = join(root, 'test/fixtures/runbooks');
const runbooks = join(root, 'runbooks');
/** `UPDATE_GOLDEN=1 npx vitest run test/unit/domain/runbook.test.ts` rewrites the expected files. */
const update = process.env.UPDATE_GOLDEN === '1';

/** The golden value of a runbook file: its plan, or the exact problem lines. */
async function golden(path: string): Promise<unknown> {
  try {
    const loaded = await loadRunbookFile(path);
    return planSteps(loaded.runbook);
  } catch (error) {
    if (error instanceof RunbookValidationError) return { errors: error.lines };
    throw error;
  }
}

function compare(actual: unknown, expectedFile: string): void {
  if (update) writeFileSync(expectedFile, `${JSON.stringify(actual, null, 2)}\n`);
  expect(existsSync(expectedFile), `${expectedFile} missing: run with UPDATE_GOLDEN=1`).toBe(true);
  expect(actual).toEqual(JSON.parse(readFileSync(expectedFile, 'utf8')));
}

describe('runbook golden files', () => {
  const cases = readdirSync(fixtures)
    .filter((n) => n.endsWith('.yaml'))
    .map((n) => ({ name: n.replace(/\.yaml$/, ''), yaml: join(fixtures, n) }));
  cases.push({ name: 'kafka-exfiltration', yaml: join(runbooks, 'kafka-exfiltration.yaml') });

  it.each(cases)('$name', async ({ name, yaml }) => {
    compare(await golden(yaml), join(fixtures, `${name}.expected.json`));
  });

  it('covers the real runbook and the three required invalid cases', () => {
    const names = cases.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['kafka-exfiltration', 'unknown-action', 'duplicate-step-id', 'bad-param']));
  });
});

describe('exact problems', () => {
  const problems = async (file: string): Promise<string[]> => {
    const result = await golden(join(fixtures, file));
    return (result as { errors: string[] }).errors;
  };

  it('an unknown action, at the line of the action', async () => {
    expect(await problems('unknown-action.yaml')).toEqual([
      `unknown-action.yaml:10: unknown action "wipe-disks" (registered: ${ACTION_NAMES.join(', ')})`,
    ]);
  });

  it('a duplicate step id, at the line of the second one', async () => {
    expect(await problems('duplicate-step-id.yaml')).toEqual(['duplicate-step-id.yaml:14: duplicate step id "contain"']);
  });

  it('a bad parameter, at the line of its value', async () => {
    expect(await problems('bad-param.yaml')).toEqual(['bad-param.yaml:10: step "contain" with.scope: must be one of resources, cluster (got "everything")']);
  });

  it('every problem of a file at once, in file order', async () => {
    const lines = await problems('many-problems.yaml');
    expect(lines).toHaveLength(16);
    expect(lines.map((l) => Number(l.split(':')[1]))).toEqual([...lines.map((l) => Number(l.split(':')[1]))].sort((a, b) => a - b));
    expect(lines).toContain('many-problems.yaml:22: step "contain" with: unknown key "scop"');
    expect(lines).toContain('many-problems.yaml:26: step "break" with.breakers[1]: unknown breaker "orders-to-nowhere" (defined: orders-to-lake)');
    expect(lines).toContain('many-problems.yaml:2: must have property entity when property regimes is present');
    expect(lines).toContain('many-problems.yaml:9: regime "ccpa" is not built in (gdpr, uk-gdpr, dora, nis2, sec-8k, nydfs, hipaa): give it its own stages');
    expect(lines).toContain('many-problems.yaml:12: regime "own" stage 1 period.amount: Too small: expected number to be >0');
    expect(lines.at(-1)).toMatch(/^many-problems.yaml:42: unknown action "start-regulatory-clocks"/);
  });

  it('an entity whose zone or country the calculator does not know, at its line', () => {
    const source = readFileSync(join(runbooks, 'kafka-exfiltration.yaml'), 'utf8').replace('timeZone: Europe/Berlin', 'timeZone: Europe/Frankfurt').replace('country: DE', 'country: XX');
    const lines = source.split('\n');
    const at = (text: string): number => lines.findIndex((l) => l.includes(text)) + 1;
    try {
      parseRunbook(source, 'entity.yaml');
      throw new Error('accepted');
    } catch (error) {
      if (!(error instanceof RunbookValidationError)) throw error;
      expect(error.lines).toEqual([`entity.yaml:${at('timeZone: Europe/Frankfurt')}: entity.timeZone: unknown time zone "Europe/Frankfurt": expected an IANA zone such as Europe/Berlin`]);
    }
    const country = source.replace('timeZone: Europe/Frankfurt', 'timeZone: Europe/Berlin');
    expect(() => parseRunbook(country, 'entity.yaml')).toThrow(`entity.yaml:${at('country: XX')}: entity.country: unknown country "XX"`);
  });

  it('YAML syntax errors and duplicate keys, with their lines', () => {
    const bad = (text: string): string[] => {
      try {
        parseRunbook(text, 'dir/broken.yaml');
      } catch (error) {
        return (error as RunbookValidationError).lines;
      }
      return [];
    };
    expect(bad('id: x\nid: y\n')).toEqual(['broken.yaml:2: YAML: Map keys must be unique']);
    expect(bad('id: x\nsteps: [\n')[0]).toMatch(/^broken\.yaml:\d+: YAML: /);
    expect(bad('- just\n- a list\n')).toEqual(['broken.yaml:1: must be object (got array)']);
  });
});

describe('loaded runbooks', () => {
  it('carry the sha256 of the file bytes, the text, and the step refs for IncidentOpened', async () => {
    const path = join(runbooks, 'kafka-exfiltration.yaml');
    const loaded = await loadRunbookFile(path);
    const bytes = readFileSync(path);
    expect(loaded.contentHash).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(loaded.source).toBe(bytes.toString('utf8'));
    expect(loaded.file).toBe('kafka-exfiltration.yaml');
    expect(stepRefs(loaded.runbook).map((s) => `${s.id}:${s.approval}`)).toEqual([
      'contain:none',
      'rotate-credentials:none',
      'break-circuits:incident-commander',
      'forensics:none',
      'preserve-evidence:none',
      'notify:none',
      'report:none',
      'close:incident-commander',
    ]);
    // A one-byte change is a different runbook.
    expect(parseRunbook(`${loaded.source}\n`, 'x.yaml').contentHash).not.toBe(loaded.contentHash);
  });

  it('the scenario runbook describes the reference breach', async () => {
    const { runbook } = await loadRunbookFile(join(runbooks, 'kafka-exfiltration.yaml'));
    // Clocks are not a step: every regime starts at open, computed in the entity's calendar.
    expect(Object.keys(runbook.regimes)).toEqual(['gdpr', 'dora', 'nis2', 'sec-8k', 'nydfs']);
    expect(runbook.entity).toMatchObject({ country: 'DE', timeZone: 'Europe/Berlin', weekendRelief: true });
    // Holidays travel with the runbook into the workflow: German Unity Day, US Independence Day (observed).
    const year = new Date().getUTCFullYear();
    expect(runbook.entity?.holidays?.[String(year)]).toContain(`${year}-10-03`);
    expect(runbook.regimes['sec-8k']?.entity).toMatchObject({ country: 'US', timeZone: 'America/New_York' });
    expect(Object.keys(runbook.regimes['sec-8k']?.entity?.holidays ?? {})).toEqual([year - 1, year, year + 1, year + 2].map(String));
    expect(runbook.regimes.gdpr?.notifyDataSubjectsWhen?.piiCategories).toEqual(['contact', 'name', 'account-identifier']);
    expect(runbook.breakers['orders-to-data-lake']?.topic).toBe('orders');
    const plan = planSteps(runbook);
    const forensics = plan.find((s) => s.action === 'forensics');
    expect(forensics?.action === 'forensics' && forensics.params.piiFields.fields?.map((f) => f.path)).toEqual(['client.name', 'client.email', 'client.accountId']);
  });

  it('the runbook directory loads as a whole', async () => {
    const all = await loadRunbookDir(runbooks);
    expect(all.map((l) => `${l.runbook.id}@${l.runbook.version}`)).toContain('kafka-exfiltration@4');
  });

  it('planSteps does not let callers modify shared defaults', () => {
    const { runbook } = parseRunbook(readFileSync(join(fixtures, 'minimal.yaml')), 'minimal.yaml');
    const first = planSteps(runbook)[0]!;
    if (first.action !== 'contain') throw new Error('unexpected');
    first.params.denyOperations.push('READ');
    const again = planSteps(runbook)[0]!;
    expect(again.action === 'contain' && again.params.denyOperations).toEqual(['ALL']);
  });
});

describe('runbooks/runbook.schema.json', () => {
  it('is the schema the loader validates with', () => {
    const file = join(runbooks, 'runbook.schema.json');
    const generated = `${JSON.stringify(runbookSchema(), null, 2)}\n`;
    if (update) writeFileSync(file, generated);
    expect(readFileSync(file, 'utf8')).toBe(generated);
  });
});
