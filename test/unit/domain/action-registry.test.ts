import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { actionReference, withActionReference } from '../../../src/domain/action-docs';
import {
  ACTION_NAMES,
  actionPhase,
  allActions,
  BUILTIN_ACTION_NAMES,
  isActionName,
  isGenericActionName,
  planLines,
  type BuiltinPlanContext,
  type JsonSchema,
} from '../../../src/domain/action-registry';
import { parseDuration } from '../../../src/domain/duration';
import { foldEvents, INCIDENT_STATUSES } from '../../../src/domain/incident';
import { renderTemplate, unknownPlaceholders } from '../../../src/domain/notify-template';
import { incidentChannelOf, planSteps } from '../../../src/domain/runbook';
import { ACTIONS } from '../../../src/domain/runbook-actions';
import { loadRunbookFile, parseRunbook, RunbookValidationError } from '../../../src/domain/runbook-loader';
import { ACTION_NAME_PATTERN } from '../../../src/domain/runbook-patterns';
import { HistoryBuilder, opened, runStep } from './history';

const root = resolve(__dirname, '../../..');
const fixtures = join(root, 'test/fixtures/runbooks');
const plans = join(fixtures, 'plans');
/** `UPDATE_GOLDEN=1 npx vitest run test/unit/domain/action-registry.test.ts` rewrites the golden plans and the docs section. */
const update = process.env.UPDATE_GOLDEN === '1';

describe('the action registry', () => {
  it('names each action once; generic names are well formed and never a built-in’s', () => {
    expect(new Set(ACTION_NAMES).size).toBe(ACTION_NAMES.length);
    for (const def of allActions().filter((d) => d.kind === 'generic')) {
      expect(def.name).toMatch(new RegExp(ACTION_NAME_PATTERN));
      expect(BUILTIN_ACTION_NAMES as readonly string[]).not.toContain(def.name);
    }
    expect(isActionName('annotate') && isGenericActionName('annotate')).toBe(true);
    expect(isGenericActionName('contain')).toBe(false);
    expect(isActionName('wipe-disks')).toBe(false);
  });

  it.each(allActions().map((d) => ({ name: d.name, def: d })))('$name: closed params, described, defaults valid, timeout and phase sound', ({ def }) => {
    const params = def.params as JsonSchema;
    expect(params).toMatchObject({ type: 'object', additionalProperties: false });
    const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false });
    for (const [name, schema] of Object.entries(params.properties as Record<string, JsonSchema>)) {
      expect(schema.description, `${def.name}.${name} has no description`).toEqual(expect.any(String));
      if (schema.default !== undefined) expect(ajv.validate(schema, schema.default), `${def.name}.${name} default`).toBe(true);
    }
    expect(parseDuration(def.defaultTimeout)).toBeGreaterThan(0);
    expect(INCIDENT_STATUSES).toContain(def.phase.started);
    expect(INCIDENT_STATUSES.indexOf(def.phase.completed)).toBeGreaterThanOrEqual(INCIDENT_STATUSES.indexOf(def.phase.started));
  });

  it('keeps the 0.2 view of the built-ins (ACTIONS) equal to their definitions', () => {
    expect(Object.keys(ACTIONS)).toEqual(BUILTIN_ACTION_NAMES);
    expect(BUILTIN_ACTION_NAMES.filter((n) => ACTIONS[n].compensable)).toEqual(['contain', 'break-circuits']);
    expect(actionPhase('contain')).toEqual({ started: 'containing', completed: 'contained' });
    // A history naming an action no longer registered still folds: it moves nothing.
    expect(actionPhase('retired-action')).toEqual({ started: 'open', completed: 'open' });
  });
});

describe('ActionPerformed', () => {
  it('folds what a generic action did into the state, and only for a step of the runbook', () => {
    const b = new HistoryBuilder();
    opened(b);
    runStep(b, 0, () => b.add('ActionPerformed', { stepId: 'contain', action: 'contain', summary: 'done', details: { n: 1 } }));
    expect(foldEvents(b.events).performed).toEqual([{ stepId: 'contain', action: 'contain', summary: 'done', details: { n: 1 }, at: b.events[2]?.at }]);
    const bad = new HistoryBuilder();
    opened(bad);
    bad.add('ActionPerformed', { stepId: 'nowhere', action: 'annotate', summary: 'x', details: {} });
    expect(() => foldEvents(bad.events)).toThrow(/no step "nowhere"/);
  });
});

describe('notify.template', () => {
  it('fills every placeholder and leaves other text alone', () => {
    const values = { incidentId: 'incident-1', title: 'T', severity: 'high', principal: 'User:x', status: 'notifying' };
    expect(renderTemplate('{severity}/{title}/{incidentId}/{principal}/{status} {not a placeholder', values)).toBe('high/T/incident-1/User:x/notifying {not a placeholder');
    expect(unknownPlaceholders('{incidentId} {customer} {customer} {}')).toEqual(['customer', '']);
  });

  it('an unknown placeholder is a runbook validation error at the template’s line', () => {
    const text = readFileSync(join(fixtures, 'bad-template.yaml'));
    expect(() => parseRunbook(text, 'bad-template.yaml')).toThrow(RunbookValidationError);
    try {
      parseRunbook(text, 'bad-template.yaml');
    } catch (e) {
      expect((e as RunbookValidationError).lines).toEqual([
        'bad-template.yaml:11: step "notify" with.template: unknown placeholder {customer}, {Title} (known: {incidentId}, {title}, {severity}, {principal}, {status})',
      ]);
    }
  });
});

describe('generic steps in runbooks', () => {
  const yaml = (step: string): string => ['id: g', 'version: 1', 'title: G', 'scenario: generic', 'severity: low', 'steps:', step].join('\n');

  it('plans with the definition’s defaults and timeout, marked generic', () => {
    const { runbook } = parseRunbook(yaml('  - { id: note, action: annotate, with: { note: hello } }'), 'g.yaml');
    expect(planSteps(runbook)).toEqual([
      { kind: 'generic', index: 0, id: 'note', action: 'annotate', title: 'Record a note on the incident’s audit trail', approval: 'none', compensate: false, timeout: '30s', timeoutMs: 30_000, params: { note: 'hello', label: 'note' } },
    ]);
  });

  it('checks params against the definition’s schema, at the line', () => {
    expect(() => parseRunbook(yaml('  - id: note\n    action: annotate\n    with: { label: Bad }'), 'g.yaml')).toThrow(
      /g\.yaml:9: step "note" with: missing required key "note"\ng\.yaml:9: step "note" with\.label: must be lowercase letters, digits and dashes, starting with a letter \(got "Bad"\)$/,
    );
  });
});

/** A fixed incident for the golden plans. */
const CTX: BuiltinPlanContext = {
  incidentId: 'incident-golden',
  runbookId: 'golden',
  principal: 'User:report-exporter',
  severity: 'critical',
  title: 'report-exporter reads orders',
  channel: '#incidents',
  breakers: {},
};

describe('golden plans (what each step would do)', () => {
  const cases = readdirSync(fixtures)
    .filter((n) => n.endsWith('.yaml'))
    .map((n) => ({ name: n.replace(/\.yaml$/, ''), yaml: join(fixtures, n) }));
  cases.push({ name: 'kafka-exfiltration', yaml: join(root, 'runbooks', 'kafka-exfiltration.yaml') });
  // Leaked-token playbook (issue 17, item 4): vault.trace-token and references in plans.
  cases.push({ name: 'vault-token-leak', yaml: join(root, 'runbooks', 'vault-token-leak.yaml') });
  const covered = new Set<string>();

  it.each(cases)('$name', async ({ name, yaml }) => {
    let runbook;
    try {
      ({ runbook } = await loadRunbookFile(yaml));
    } catch (e) {
      if (e instanceof RunbookValidationError) return;
      throw e;
    }
    const ctx = { ...CTX, runbookId: runbook.id, breakers: runbook.breakers, channel: incidentChannelOf(runbook) };
    const plan = planSteps(runbook).map((step) => ({ step: step.id, action: step.action, plan: planLines(step, ctx) }));
    for (const p of plan) covered.add(p.action);
    const file = join(plans, `${name}.plan.json`);
    if (update) writeFileSync(file, `${JSON.stringify(plan, null, 2)}\n`);
    expect(existsSync(file), `${file} missing: run with UPDATE_GOLDEN=1`).toBe(true);
    expect(plan).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });

  it('cover every registered action', () => {
    expect([...covered].sort()).toEqual([...ACTION_NAMES].sort());
  });
});

describe('docs/runbooks.md', () => {
  it('holds the action reference generated from the registry', () => {
    const file = join(root, 'docs', 'runbooks.md');
    const doc = readFileSync(file, 'utf8');
    if (update) writeFileSync(file, withActionReference(doc));
    expect(readFileSync(file, 'utf8')).toContain(actionReference());
  });

  it('documents every action and every parameter', () => {
    const reference = actionReference();
    for (const def of allActions()) {
      expect(reference).toContain(`\`${def.name}\``);
      for (const name of Object.keys((def.params as JsonSchema).properties as object)) expect(reference).toContain(`| \`${name}\` |`);
    }
  });
});
