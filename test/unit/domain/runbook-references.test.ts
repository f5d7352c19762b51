import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/domain/alert';
import { planLines } from '../../../src/domain/action-registry';
import { planSteps } from '../../../src/domain/runbook';
import { parseRunbook, RunbookValidationError } from '../../../src/domain/runbook-loader';
import { declaredOutputs, parseReference, planParams, resolveParams, UnresolvedReference, type ReferenceContext } from '../../../src/domain/runbook-references';

/** Step outputs and references (issue 17, item 4): parse, check at load, resolve at run time. */

const head = ['id: refs', 'version: 1', 'title: References', 'scenario: refs', 'severity: high', 'steps:'];

/** Problem lines of a runbook whose steps are `steps` (YAML lines), or [] when it loads. */
function problems(steps: string[]): string[] {
  try {
    parseRunbook([...head, ...steps].join('\n'), 'refs.yaml');
    return [];
  } catch (err) {
    if (err instanceof RunbookValidationError) return err.lines;
    throw err;
  }
}

const ticket = ['  - id: ticket', '    action: ticket', "    with: { credential: 'secret/jira#api', project: SEC }"];

describe('parsing a reference', () => {
  it('reads step outputs, the alert\'s own fields and its kept fields', () => {
    expect(parseReference('${{ steps.ticket.outputs.key }}')).toEqual({ ok: true, ref: { kind: 'step', step: 'ticket', output: 'key', text: '${{ steps.ticket.outputs.key }}' } });
    expect(parseReference('${{alert.principal}}')).toMatchObject({ ok: true, ref: { kind: 'alert', field: 'principal' } });
    expect(parseReference('${{ alert.fields.kafka.topic }}')).toMatchObject({ ok: true, ref: { kind: 'alert-field', name: 'kafka.topic' } });
  });

  it('refuses a partial value, an unknown alert field and anything else', () => {
    expect(parseReference('SEC-${{ steps.ticket.outputs.key }}')).toMatchObject({ ok: false, message: expect.stringContaining('must be the whole value') });
    expect(parseReference('${{ alert.password }}')).toMatchObject({ ok: false, message: expect.stringContaining('the alert has no field "password"') });
    expect(parseReference('${{ steps.ticket.key }}')).toMatchObject({ ok: false, message: expect.stringContaining('not a reference') });
  });
});

describe('references at load', () => {
  it('accepts an earlier step\'s declared output and alert fields, in a param, a list item and a map value', () => {
    const steps = [
      ...ticket,
      '  - id: note',
      '    action: annotate',
      "    with: { note: '${{ steps.ticket.outputs.key }}' }",
      '  - id: page',
      '    action: page',
      "    with: { provider: pagerduty, credential: 'secret/pd#key', details: { ticket: '${{ steps.ticket.outputs.key }}', rule: '${{ alert.rule }}' } }",
      '  - id: forensics',
      '    action: forensics',
      "    with: { topics: ['${{ alert.fields.kafka.topic }}', orders], piiFields: { source: topic-config }, dataSubjectKey: customerId }",
    ];
    expect(problems(steps)).toEqual([]);
    // The plan (golden files, `runbook plan`) shows the reference where its value will go.
    const loaded = parseRunbook([...head, ...steps].join('\n'), 'refs.yaml');
    const note = planSteps(loaded.runbook)[1];
    expect(note && planLines(note, { incidentId: 'inc-1', runbookId: 'refs', severity: 'high', title: 't', channel: '#incidents', breakers: {} })).toEqual([
      'record note "note" on the audit trail: ${{ steps.ticket.outputs.key }}',
    ]);
  });

  it('reports a later step, an unknown step, an undeclared output and a type mismatch at file:line', () => {
    const lines = problems([
      '  - id: note',
      '    action: annotate',
      "    with: { note: '${{ steps.ticket.outputs.key }}' }", // line 9: ticket runs later
      ...ticket, // lines 10-12
      '  - id: other',
      '    action: annotate',
      "    with: { note: '${{ steps.nowhere.outputs.key }}' }", // line 15
      '  - id: undeclared',
      '    action: annotate',
      "    with: { note: '${{ steps.ticket.outputs.url }}' }", // line 18
      '  - id: forensics',
      '    action: forensics',
      '    with:',
      "      topics: '${{ steps.ticket.outputs.key }}'", // line 22: a string where a list goes
      '      piiFields: { source: topic-config }',
      '      dataSubjectKey: customerId',
      '  - id: contain',
      '    action: contain',
      "    with: { verify: '${{ alert.rule }}' }", // line 27: a string where a boolean goes
    ]);
    expect(lines).toEqual([
      'refs.yaml:9: step "note" with.note: ${{ steps.ticket.outputs.key }}: step "ticket" runs later; a reference reads an earlier step\'s outputs',
      'refs.yaml:15: step "other" with.note: ${{ steps.nowhere.outputs.key }}: no step "nowhere" (earlier steps: note, ticket)',
      'refs.yaml:18: step "undeclared" with.note: ${{ steps.ticket.outputs.url }}: step "ticket" (ticket) has no output "url" (outputs: key)',
      'refs.yaml:22: step "forensics" with.topics: ${{ steps.ticket.outputs.key }} is a string, but this parameter takes a list',
      'refs.yaml:27: step "contain" with.verify: ${{ alert.rule }} is a string, but this parameter takes a boolean',
    ]);
  });

  it('refuses a malformed reference and one in a parameter read when the incident opens', () => {
    expect(problems(['  - id: note', '    action: annotate', "    with: { note: 'x ${{ alert.rule }}' }"])).toEqual([
      'refs.yaml:9: step "note" with.note: "x ${{ alert.rule }}": a reference must be the whole value, written ${{ steps.<id>.outputs.<name> }} or ${{ alert.<field> }}',
    ]);
    expect(problems(['  - id: contain', '    action: contain', "    with: { principal: '${{ alert.principal }}' }"])).toEqual([
      'refs.yaml:9: step "contain" with.principal: ${{ alert.principal }}: contain.principal is read when the incident opens, before any step runs; it cannot be a reference',
    ]);
  });

  it('still reports a bad literal value once, without the reference alternative', () => {
    expect(problems(['  - id: note', '    action: annotate', '    with: { note: x, label: Not_A_Name }'])).toEqual([
      'refs.yaml:9: step "note" with.label: must be lowercase letters, digits and dashes, starting with a letter (got "Not_A_Name")',
    ]);
  });
});

describe('resolving references', () => {
  const alert: Alert = {
    source: 'generic',
    alertId: 'a-1',
    rule: 'orders-exfil',
    severity: 'high',
    title: 't',
    principal: 'User:report-exporter',
    observedAt: '2026-12-05T10:00:00.000Z',
    receivedAt: '2026-12-05T10:00:01.000Z',
    fingerprint: 'f',
    fields: { 'kafka.topic': 'orders' },
  };
  const ctx: ReferenceContext = {
    alert,
    steps: [
      { id: 'ticket', action: 'ticket', status: 'completed', outputs: { key: 'SEC-42' } },
      { id: 'skipped', action: 'ticket', status: 'skipped' },
    ],
  };

  it('replaces each reference by its value, and leaves params without one as they are', () => {
    const params = { note: '${{ steps.ticket.outputs.key }}', details: { topic: '${{ alert.fields.kafka.topic }}', who: '${{ alert.principal }}' }, labels: ['${{ alert.rule }}', 'x'] };
    expect(resolveParams('page', params, ctx)).toEqual({ note: 'SEC-42', details: { topic: 'orders', who: 'User:report-exporter' }, labels: ['orders-exfil', 'x'] });
    const plain = { note: 'hello' };
    expect(resolveParams('annotate', plain, ctx)).toBe(plain);
  });

  it('says precisely why a reference has no value', () => {
    const reason = (params: Record<string, unknown>): string => {
      try {
        resolveParams('annotate', params, ctx);
      } catch (err) {
        if (err instanceof UnresolvedReference) return err.message;
        throw err;
      }
      return 'resolved';
    };
    expect(reason({ note: '${{ alert.fields.vault.accessor }}' })).toBe('with.note: ${{ alert.fields.vault.accessor }}: the alert that opened the incident has no field "vault.accessor"');
    expect(reason({ note: '${{ alert.asset }}' })).toBe('with.note: ${{ alert.asset }}: the alert that opened the incident has no asset');
    expect(reason({ note: '${{ steps.skipped.outputs.key }}' })).toBe('with.note: ${{ steps.skipped.outputs.key }}: step "skipped" is skipped, so it produced no outputs');
  });

  it('plans an unknown value as the reference text, shaped as the parameter takes it', () => {
    const params = { topics: '${{ steps.find.outputs.topics }}', dataSubjectKey: '${{ alert.rule }}' };
    expect(planParams('forensics', params, { alert, steps: [] })).toEqual({ topics: ['${{ steps.find.outputs.topics }}'], dataSubjectKey: 'orders-exfil' });
  });

  it('records only the outputs an action declares, of their declared type', () => {
    expect(declaredOutputs('ticket', { key: 'SEC-1', extra: 'x' })).toEqual({ key: 'SEC-1' });
    expect(declaredOutputs('ticket', { key: ['SEC-1'] })).toBeUndefined();
    expect(declaredOutputs('annotate', { key: 'x' })).toBeUndefined();
  });
});
