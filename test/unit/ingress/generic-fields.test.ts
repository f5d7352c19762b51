import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../../src/domain/runbook-loader';
import { route } from '../../../src/domain/runbook-routing';
import { IngressError } from '../../../src/ingress/errors';
import { normaliseForRouting } from '../../../src/ingress/routing-fields';

/**
 * A generic JSON alert's `fields` (issue 17, item 4): other facts of the alert, kept on it so that
 * `serves` rules and runbook references (`${{ alert.fields.<name> }}`) read them; bounded text only.
 */

const now = new Date('2026-12-05T10:00:00Z');
const body = (extra: Record<string, unknown>): Record<string, unknown> => ({
  id: 'a-1',
  rule: 'vault-token-used-from-new-ip',
  severity: 'high',
  asset: 'vault',
  observedAt: '2026-12-05T09:59:00Z',
  ...extra,
});

const problems = (payload: unknown): unknown[] => {
  try {
    normaliseForRouting('generic', payload, now, []);
  } catch (err) {
    if (err instanceof IngressError) return (err.details ?? []) as unknown[];
    throw err;
  }
  return [];
};

describe('a generic alert\'s fields', () => {
  it('are kept on the alert as sent, and routing rules name them by their own names', () => {
    const alert = normaliseForRouting('generic', body({ fields: { 'vault.accessor': 'hmac-sha256:abc', topic: 'orders' } }), now, ['topic']);
    expect(alert.fields).toEqual({ 'vault.accessor': 'hmac-sha256:abc', topic: 'orders' });
    const served = parseRunbook(['id: by-topic', 'version: 1', 'title: t', 'scenario: s', 'severity: high', 'serves:', '  priority: 10', '  when:', '    - fields: { topic: { equals: orders } }', 'steps:', '  - id: n', '    action: notify'].join('\n'), 'by-topic.yaml');
    expect(route([served.runbook], alert)?.id).toBe('by-topic');
  });

  it('refuse a value that is not bounded, printable text, and a bad name; an unknown top-level key is still an error', () => {
    expect(problems(body({ fields: { accessor: 'x'.repeat(257) } }))).not.toEqual([]);
    expect(problems(body({ fields: { accessor: 'a\nforged line' } }))).not.toEqual([]);
    expect(problems(body({ fields: { 'bad name': 'x' } }))).not.toEqual([]);
    expect(problems(body({ fields: { n: 1 } }))).not.toEqual([]);
    expect(problems(body({ fields: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`f${i}`, 'x'])) }))).not.toEqual([]);
    expect(problems(body({ accessor: 'x' }))).not.toEqual([]);
    expect(problems(body({ fields: { accessor: 'x' } }))).toEqual([]);
  });
});
