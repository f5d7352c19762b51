import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPolicyEngine, loadPolicyEngine, PolicyLoadError, readPolicyDir } from '../../../src/slack/policy/cedar-policy';
import { OPS_ACTIONS, OPS_ROLES, type OpsAction, type OpsRole } from '../../../src/slack/policy/roles';

const POLICY_DIR = join(__dirname, '..', '..', '..', 'runbooks', 'policies');
const roles: Record<string, OpsRole> = { UIC: 'incident-commander', URESP: 'responder', UDPO: 'dpo', UOBS: 'observer' };
const userOf: Record<OpsRole, string> = { 'incident-commander': 'UIC', responder: 'URESP', dpo: 'UDPO', observer: 'UOBS' };
const engine = loadPolicyEngine(POLICY_DIR, roles);

/** Expected permissions per role; approve/deny are checked separately, per step role. */
const ALLOWED: Record<OpsRole, readonly OpsAction[]> = {
  // Regulatory decisions: awareness, filing and not-notifiable are the DPO's or the commander's;
  // classification and materiality the commander's; the Art. 34 decision the DPO's.
  'incident-commander': ['help', 'list', 'status', 'timeline', 'plan', 'report', 'breaker', 'close', 'drill-list', 'drill-run', 'clocks', 'aware', 'notify', 'not-notifiable', 'classify', 'material', 'retry', 'skip', 'abort', 'severity', 'decode-payloads', 'encode-payloads', 'note', 'task', 'follow-up'],
  // Notes, tasks and follow-ups (issue 16): responder and up; observers may not.
  responder: ['help', 'list', 'status', 'timeline', 'plan', 'report', 'drill-list', 'clocks', 'retry', 'decode-payloads', 'note', 'task', 'follow-up'],
  dpo: ['help', 'list', 'status', 'timeline', 'plan', 'report', 'notify', 'clocks', 'aware', 'not-notifiable', 'subjects', 'decode-payloads', 'note', 'task', 'follow-up'],
  observer: ['help', 'list', 'status'],
};

const nonDecision = OPS_ACTIONS.filter((a) => a !== 'approve' && a !== 'deny');
const table = OPS_ROLES.flatMap((role) => nonDecision.map((action) => ({ role, action, allowed: ALLOWED[role].includes(action) })));

describe('Cedar policies: roles × actions', () => {
  it.each(table)('$role → $action: $allowed', ({ role, action, allowed }) => {
    const d = engine.decide({ userId: userOf[role], action, incidentId: 'incident-x' });
    expect(d.allowed).toBe(allowed);
    expect(d.role).toBe(role);
    expect(d.errors).toEqual([]);
  });

  const decisions = OPS_ROLES.flatMap((role) =>
    (['incident-commander', 'dpo', 'responder'] as const).flatMap((stepRole) =>
      (['approve', 'deny'] as const).map((action) => ({ role, stepRole, action, allowed: role === stepRole })),
    ),
  );
  it.each(decisions)('$role → $action a step gated on $stepRole: $allowed', ({ role, stepRole, action, allowed }) => {
    expect(engine.decide({ userId: userOf[role], action, incidentId: 'incident-x', stepRole }).allowed).toBe(allowed);
  });

  it('lets a user with no role ask for help and nothing else', () => {
    for (const action of OPS_ACTIONS) {
      const d = engine.decide({ userId: 'UNOBODY', action, incidentId: 'incident-x', stepRole: 'incident-commander' });
      expect(d.allowed, action).toBe(action === 'help');
      expect(d.role).toBe('none');
    }
  });
});

describe('loading policies', () => {
  const good = readPolicyDir(POLICY_DIR);

  it('rejects a policy naming an action the schema does not know, naming the file', () => {
    const bad = { ...good, files: [...good.files, { file: 'typo.cedar', text: 'permit (principal, action == Action::"aprove", resource);' }] };
    let caught: unknown;
    try {
      createPolicyEngine(bad, roles);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PolicyLoadError);
    expect((caught as PolicyLoadError).file).toBe('typo.cedar');
    expect((caught as PolicyLoadError).message).toContain('aprove');
  });

  it('rejects a policy that does not parse', () => {
    const bad = { ...good, files: [{ file: 'broken.cedar', text: 'permit (principal, action' }] };
    expect(() => createPolicyEngine(bad, roles)).toThrow(/broken\.cedar/);
  });

  it('rejects a policy using a context attribute the action does not have', () => {
    const bad = { ...good, files: [{ file: 'ctx.cedar', text: 'permit (principal, action == Action::"close", resource) when { context.stepRole == "dpo" };' }] };
    expect(() => createPolicyEngine(bad, roles)).toThrow(/ctx\.cedar/);
  });

  it('rejects a schema that does not parse', () => {
    expect(() => createPolicyEngine({ ...good, schema: 'entity ;' }, roles)).toThrow(/schema\.cedarschema/);
  });
});
