import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { ISSUE_17_ACTIONS } from '../../../src/actions/index';
import { BUILTIN_ACTION_NAMES } from '../../../src/domain/action-registry';
import { PLAN_CASES, PLAN_CONTEXT } from './plan-cases';

const FIXTURES = join(__dirname, '../../fixtures/actions');
// The runbook loader's settings: a schema that compiles here compiles inside the runbook schema.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, useDefaults: true });
const byName = new Map(ISSUE_17_ACTIONS.map((d) => [d.name, d]));
const validator = (name: string) => ajv.compile(byName.get(name)!.params);

describe('generic action definitions (issue 17, item 3)', () => {
  it('have unique names that are not built-ins, and every compensation is a distinct activity', () => {
    const names = ISSUE_17_ACTIONS.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((n) => (BUILTIN_ACTION_NAMES as readonly string[]).includes(n))).toEqual([]);
    const activities = ISSUE_17_ACTIONS.flatMap((d) => [d.activity, ...(d.compensation ? [d.compensation] : [])]);
    expect(new Set(activities).size).toBe(activities.length);
  });

  it('have closed params schemas with a description on every property, compiled by the loader’s ajv settings', () => {
    for (const d of ISSUE_17_ACTIONS) {
      expect(d.params.additionalProperties, d.name).toBe(false);
      for (const [prop, schema] of Object.entries(d.params.properties as Record<string, { description?: string }>)) expect(schema.description, `${d.name}.${prop}`).toBeTruthy();
      expect(() => ajv.compile(d.params), d.name).not.toThrow();
    }
  });

  it.each(PLAN_CASES)('plan of $file matches its golden file', ({ file, action, params }) => {
    const validate = validator(action);
    const withDefaults = structuredClone(params);
    expect(validate(withDefaults), JSON.stringify(validate.errors)).toBe(true);
    const lines = byName.get(action)!.plan(withDefaults, PLAN_CONTEXT);
    expect(`${lines.join('\n')}\n`).toBe(readFileSync(join(FIXTURES, `${file}.plan.txt`), 'utf8'));
  });

  it('refuses what a runbook must not say', () => {
    const reject = (action: string, params: Record<string, unknown>) => expect(validator(action)(params), `${action} ${JSON.stringify(params)}`).toBe(false);
    reject('page', { credential: 'a-routing-key-in-clear' });
    reject('page', { credential: 'breachline/pagerduty#routing_key', summary: 'leak {secret}' });
    reject('page', { credential: 'breachline/pagerduty#routing_key', endpoint: 'https://attacker.example' });
    reject('ticket', { credential: 'breachline/jira#basic' });
    reject('http', { url: 'file:///etc/passwd', credential: 'breachline/webhooks#trading' });
    reject('kafka.reset-offsets', { group: 'g', topic: 't' });
    reject('kafka.reset-offsets', { group: 'g', topic: 't', timestamp: '2026-12-05T10:00:00Z', offsets: { '0': '1' } });
    reject('kafka.reset-offsets', { group: 'g', topic: 't', timestamp: 'yesterday' });
    reject('kafka.reset-offsets', { group: 'g', topic: 't', offsets: { '0': '-1' } });
    reject('kafka.pause-consumer-group', { group: 'g', principals: ['risk-engine'] });
    reject('vault.revoke-lease-prefix', { prefix: '../sys' });
    reject('vault.rotate-kv', { path: 'payments/db', keys: ['password'], bytes: 8 });
  });
});
