import { describe, expect, it } from 'vitest';
import { allActions, needsPrincipal as actionNeedsPrincipal } from '../../../src/domain/action-registry';
import { parseRunbook } from '../../../src/domain/runbook-loader';
import { needsPrincipal } from '../../../src/ingress/runbooks';

/**
 * Whether a runbook needs the alert's principal is read from the action registry (issue 17,
 * item 3: `needsPrincipal: false` on a definition), not from a list private to ingress: an alert
 * naming no principal may start a runbook made only of principal-free steps.
 */
const runbook = (steps: string) => parseRunbook(['id: p', 'version: 1', 'title: P', 'scenario: generic', 'severity: low', 'steps:', steps].join('\n'), 'p.yaml').runbook;

describe('needsPrincipal from the registry', () => {
  it('names exactly the principal-free actions', () => {
    expect(allActions().filter((d) => d.needsPrincipal === false).map((d) => d.name)).toEqual(['notify', 'report', 'close', 'vault.rotate-kv', 'vault.revoke-token-accessor', 'vault.trace-token', 'wait-for']);
    expect(actionNeedsPrincipal('contain')).toBe(true);
    expect(actionNeedsPrincipal('no-such-action')).toBe(true);
  });

  it('a runbook of principal-free steps needs none; one acting step makes it need one', () => {
    const free = "  - { id: ask, action: wait-for, with: { question: 'Page the DBA?' } }\n  - { id: tell, action: notify }\n  - { id: close, action: close }";
    expect(needsPrincipal(runbook(free))).toBe(false);
    expect(needsPrincipal(runbook(`  - { id: contain, action: contain }\n${free}`))).toBe(true);
  });
});
