import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/domain/alert';
import { loadRunbookDir, parseRunbook, RunbookValidationError, type LoadedRunbook } from '../../../src/domain/runbook-loader';
import { explainRoute, route, type RouteRule } from '../../../src/domain/runbook-routing';
import { mayOverlap, routingTies } from '../../../src/domain/runbook-routing-overlap';
import { IngressError } from '../../../src/ingress/errors';
import { extractRoutingFields, normaliseForRouting } from '../../../src/ingress/routing-fields';
import { NO_PRINCIPAL, RunbookCatalog } from '../../../src/ingress/runbooks';

const ROOT = join(__dirname, '..', '..', '..');

/** A one-step runbook that serves what `serves` says. */
function runbook(id: string, serves: string, extra = ''): LoadedRunbook {
  const text = `id: ${id}\nversion: 1\ntitle: ${id}\nscenario: ${id}\nseverity: high\n${extra}${serves}steps:\n  - id: notify\n    action: notify\n`;
  return parseRunbook(text, `${id}.yaml`);
}

function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    source: 'generic',
    alertId: 'a-1',
    rule: 'kafka-pii-bulk-read',
    severity: 'critical',
    title: 'bulk read',
    principal: 'User:report-exporter',
    asset: 'orders',
    observedAt: '2026-11-21T03:45:12.000Z',
    receivedAt: '2026-11-21T03:46:00.000Z',
    fingerprint: 'f'.repeat(64),
    ...overrides,
  };
}

let repo: RunbookCatalog;
beforeAll(async () => {
  repo = new RunbookCatalog(await loadRunbookDir(join(ROOT, 'runbooks')));
});

describe('routing: the repository runbooks', () => {
  const cases: Array<{ name: string; alert: Partial<Alert>; runbook: string; why: string; principal?: string }> = [
    { name: 'a Kafka bulk-read rule, critical, with a principal', alert: {}, runbook: 'kafka-exfiltration', why: 'rule' },
    { name: 'an exfiltration rule named the other way round', alert: { rule: 'Exfiltration via Kafka consumer' }, runbook: 'kafka-exfiltration', why: 'rule' },
    { name: 'the same rule at medium severity', alert: { severity: 'medium' }, runbook: 'triage', why: 'triage' },
    { name: 'the same rule naming only an asset', alert: { principal: undefined }, runbook: 'triage', why: 'triage', principal: NO_PRINCIPAL },
    { name: 'a rule about something else', alert: { rule: 'Impossible travel' }, runbook: 'triage', why: 'triage' },
    { name: 'a named scenario, whatever the rules say', alert: { rule: 'Impossible travel', scenario: 'kafka-exfiltration' }, runbook: 'kafka-exfiltration', why: 'scenario' },
    { name: 'Sentinel: an analytic rule id, the words in the title', alert: { source: 'sentinel', rule: 'b51f0e6a', title: 'Bulk read of client data by a Kafka service account', severity: 'high' }, runbook: 'kafka-exfiltration', why: 'rule' },
    { name: 'Sentinel with an unrelated title', alert: { source: 'sentinel', rule: 'b51f0e6a', title: 'Mass download from SharePoint', severity: 'high' }, runbook: 'triage', why: 'triage' },
  ];

  it.each(cases)('$name → $runbook ($why)', (c) => {
    const choice = repo.choose(alert(c.alert));
    expect(choice.loaded.runbook.id).toBe(c.runbook);
    expect(choice.reason?.kind).toBe(c.why);
    expect(choice.principal).toBe(c.principal ?? c.alert.principal ?? 'User:report-exporter');
  });

  it('explains a miss by the condition that failed and what the alert had', () => {
    // Verdicts come highest priority first; vault-token-leak (110) precedes kafka-exfiltration.
    const verdict = repo.explain(alert({ severity: 'low', principal: undefined })).find((v) => v.id === 'kafka-exfiltration');
    expect(verdict).toMatchObject({ id: 'kafka-exfiltration', priority: 100, matched: false });
    const first = verdict?.rules[0];
    expect(first?.conditions).toEqual([
      { on: 'rule', passed: true, expected: expect.stringMatching(/^matches \//), actual: 'kafka-pii-bulk-read' },
      { on: 'severity', passed: false, expected: 'at least high', actual: 'low' },
      { on: 'fields.principal', passed: false, expected: 'matches /^User:/' },
    ]);
  });

  it('a runbook that acts on a principal and names none refuses an alert without one (422 naming the field)', () => {
    // kafka-exfiltration's contain step names its principal, so it takes such an alert by scenario.
    expect(repo.choose(alert({ principal: undefined, scenario: 'kafka-exfiltration' })).principal).toBe('User:report-exporter');
    const bare = new RunbookCatalog([containOnly()]);
    expect(() => bare.choose(alert({ principal: undefined, scenario: 'contain-only' }))).toThrow(IngressError);
    try {
      bare.choose(alert({ principal: undefined, scenario: 'contain-only' }));
    } catch (e) {
      expect((e as IngressError).details).toEqual([{ path: 'principal', message: 'required for this runbook' }]);
    }
  });
});

function containOnly(): LoadedRunbook {
  return parseRunbook('id: contain-only\nversion: 1\ntitle: c\nscenario: contain-only\nseverity: high\nsteps:\n  - id: contain\n    action: contain\n', 'contain-only.yaml');
}

describe('routing: priority and ties', () => {
  const kafka = "serves:\n  priority: 10\n  when:\n    - rule: { matches: '(?i)kafka' }\n";
  const kafkaHigh = "serves:\n  priority: 20\n  when:\n    - rule: { matches: '(?i)kafka' }\n      severity: { atLeast: critical }\n";

  it('the higher priority wins when both match; the lower one takes what the higher does not', () => {
    const catalog = new RunbookCatalog([runbook('broad', kafka), runbook('narrow', kafkaHigh)]);
    expect(catalog.choose(alert()).loaded.runbook.id).toBe('narrow');
    expect(catalog.choose(alert({ severity: 'high' })).loaded.runbook.id).toBe('broad');
  });

  it('equal priorities are decided by id, and lint sees the tie', () => {
    const runbooks = [runbook('zulu', kafka), runbook('alpha', kafka)];
    expect(route(runbooks.map((l) => l.runbook), alert())?.id).toBe('alpha');
    expect(routingTies(runbooks.map((l) => l.runbook))).toEqual([{ priority: 10, first: { id: 'alpha', rule: 0 }, second: { id: 'zulu', rule: 0 } }]);
  });

  it('no triage runbook loaded: an alert nobody serves is refused, not sent to an arbitrary runbook', () => {
    const catalog = new RunbookCatalog([runbook('broad', kafka)]);
    expect(() => catalog.choose(alert({ rule: 'other' }))).toThrow(/no runbook serves this alert and no "triage" runbook is loaded/);
  });

  it('a directory where no runbook declares serves keeps the old default scenario', () => {
    const catalog = new RunbookCatalog([runbook('kafka-exfiltration', '')]);
    expect(catalog.choose(alert({ rule: 'anything' })).reason).toEqual({ kind: 'default', scenario: 'kafka-exfiltration' });
  });

  it('fields, equals and in: each condition must hold', () => {
    const rules: RouteRule[] = [{ source: ['elastic'], rule: { in: ['r1', 'r2'] }, fields: { 'kafka.topic': { equals: 'orders' } } }];
    const rb = { id: 'x', version: 1, scenario: 'x', serves: { priority: 1, when: rules } };
    expect(route([rb], alert({ source: 'elastic', rule: 'r2', fields: { 'kafka.topic': 'orders' } }))?.id).toBe('x');
    expect(route([rb], alert({ source: 'elastic', rule: 'r2', fields: { 'kafka.topic': 'trades' } }))).toBeUndefined();
    expect(route([rb], alert({ source: 'splunk', rule: 'r2', fields: { 'kafka.topic': 'orders' } }))).toBeUndefined();
    expect(explainRoute([rb], alert({ source: 'elastic', rule: 'r3' }))[0]?.rules[0]?.conditions.map((c) => c.passed)).toEqual([true, false, false]);
  });

  it('rules that provably exclude each other are no tie', () => {
    expect(mayOverlap({ source: ['splunk'] }, { source: ['elastic'] })).toBe(false);
    expect(mayOverlap({ severity: { in: ['low'] } }, { severity: { atLeast: 'high' } })).toBe(false);
    expect(mayOverlap({ rule: { in: ['a', 'b'] } }, { rule: { equals: 'c' } })).toBe(false);
    expect(mayOverlap({ rule: { equals: 'disk full' } }, { rule: { matches: '(?i)kafka' } })).toBe(false);
    expect(mayOverlap({ rule: { equals: 'Kafka read' } }, { rule: { matches: '(?i)kafka' } })).toBe(true);
    expect(mayOverlap({ rule: { matches: 'a' } }, { rule: { matches: 'b' } })).toBe(true);
  });
});

describe('routing: validation', () => {
  it('a bad regular expression is a problem at the pattern, with its path', () => {
    const text = "id: x\nversion: 1\ntitle: x\nscenario: x\nseverity: high\nserves:\n  priority: 1\n  when:\n    - fields:\n        principal: { matches: '[User' }\nsteps:\n  - id: n\n    action: notify\n";
    expect(() => parseRunbook(text, 'x.yaml')).toThrow(RunbookValidationError);
    try {
      parseRunbook(text, 'x.yaml');
    } catch (e) {
      expect((e as RunbookValidationError).problems).toEqual([
        { file: 'x.yaml', line: 10, column: 31, message: expect.stringMatching(/^serves\.when\[0\]\.fields\.principal\.matches: invalid regular expression "\[User"/) },
      ]);
    }
  });

  it('a matcher with two kinds at once, or an unknown source, is a schema error', () => {
    const text = "id: x\nversion: 1\ntitle: x\nscenario: x\nseverity: high\nserves:\n  priority: 1\n  when:\n    - source: [qradar]\n      rule: { equals: a, matches: b }\nsteps:\n  - id: n\n    action: notify\n";
    try {
      parseRunbook(text, 'x.yaml');
      expect.unreachable();
    } catch (e) {
      const lines = (e as RunbookValidationError).lines;
      expect(lines.some((l) => l.startsWith('x.yaml:9:') && l.includes('must be one of splunk, elastic, sentinel, generic'))).toBe(true);
      expect(lines.some((l) => l.startsWith('x.yaml:10:') && /more than 1 properties/.test(l))).toBe(true);
    }
  });
});

describe('policy pack folder', () => {
  it('must stay inside the runbook directory', () => {
    const text = (folder: string): string => `id: x\nversion: 1\ntitle: x\nscenario: x\nseverity: high\npolicies: ${folder}\nsteps:\n  - id: n\n    action: notify\n`;
    expect(parseRunbook(text('packs/on-call'), 'x.yaml').runbook.policies).toBe('packs/on-call');
    for (const bad of ['../outside', '/etc/breachline', 'packs/../../x']) {
      expect(() => parseRunbook(text(bad), 'x.yaml'), bad).toThrow(/x\.yaml:6: policies: must match/);
    }
  });
});

describe('routing fields', () => {
  const payload = (source: string): unknown => JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'alerts', `${source}.json`), 'utf8'));

  it('reads a dotted field from each source\'s alert document', () => {
    expect(extractRoutingFields('elastic', payload('elastic'), ['kafka.topic', 'kafka.consumer_group', 'missing.field'])).toEqual({ 'kafka.topic': 'orders', 'kafka.consumer_group': 'report-exporter-bulk' });
    expect(extractRoutingFields('splunk', payload('splunk'), ['kafka_topic', 'records_read'])).toEqual({ kafka_topic: 'orders', records_read: '3906112' });
    expect(extractRoutingFields('sentinel', payload('sentinel'), ['severity', 'additionalData.tactics'])).toEqual({ severity: 'High', 'additionalData.tactics': 'Exfiltration' });
  });

  it('keeps only the fields some rule names, and drops over-long or unprintable values instead of cutting them', () => {
    const catalog = new RunbookCatalog([runbook('t', "serves:\n  priority: 1\n  when:\n    - fields: { 'kafka.topic': { equals: orders } }\n")]);
    const a = normaliseForRouting('elastic', payload('elastic'), new Date(), catalog.routedFields);
    expect(a.fields).toEqual({ 'kafka.topic': 'orders' });
    expect(extractRoutingFields('generic', { note: 'x'.repeat(257), line: 'a\nb', ok: 'fine' }, ['note', 'line', 'ok'])).toEqual({ ok: 'fine' });
  });
});
