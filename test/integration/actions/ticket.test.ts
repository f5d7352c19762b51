import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTicketActivities } from '../../../activities/actions/ticket';
import type { GenericActionInput } from '../../../src/actions/contract';
import type { TicketParams } from '../../../src/actions/ticket';
import { start as startJira, type RunningJiraSandbox } from '../../../src/sandbox/jira/index';
import { start as startVault, type RunningVaultSandbox } from '../../../src/sandbox/vault/index';
import { createVaultSecrets } from '../../../src/vault/index';

let vault: RunningVaultSandbox;
let jira: RunningJiraSandbox;
let acts: ReturnType<typeof createTicketActivities>;

const context = { incidentId: 'incident-5', runbookId: 'leaked-token', severity: 'high', title: 'Leaked Vault token', principal: 'User:orders' };
const input = (stepId: string, params: TicketParams, incidentId = 'incident-5'): GenericActionInput<TicketParams> => ({ incidentId, stepId, stepKey: `${incidentId}/${stepId}/1`, params, context: { ...context, incidentId } });

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err: unknown = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

beforeAll(async () => {
  [vault, jira] = await Promise.all([startVault({}), startJira({ projects: ['SEC'] })]);
  const secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
  await secrets.writeSecret('breachline/jira', { basic: jira.credential, revoked: 'breachline@example.com:old-token' });
  acts = createTicketActivities({ secrets, jiraUrl: jira.address });
});
afterAll(async () => {
  await Promise.all([vault?.close(), jira?.close()]);
});
beforeEach(() => jira.faults.clear());

const create: TicketParams = { credential: 'breachline/jira#basic', project: 'SEC', issueType: 'Incident', labels: ['security'] };

describe('ticket (Jira Cloud REST v3)', () => {
  it('opens one ticket with an ADF description and the incident/step labels; a re-run finds it instead of opening another', async () => {
    const res = await acts.actionTicket(input('open-ticket', create));
    expect(res).toMatchObject({ summary: 'opened Jira ticket SEC-1', details: { key: 'SEC-1', created: true }, compensation: { key: 'SEC-1' } });
    const [issue] = jira.issues();
    expect(issue).toMatchObject({ summary: '[high] Leaked Vault token (incident-5)', issueType: 'Incident', labels: ['breachline-incident-incident-5', 'breachline-step-open-ticket', 'security'], status: 'To Do' });
    expect(issue?.description).toEqual({
      type: 'doc',
      version: 1,
      content: ['Incident incident-5 (high): Leaked Vault token.', 'Runbook leaked-token, step open-ticket.', 'Principal: User:orders.'].map((text) => ({ type: 'paragraph', content: [{ type: 'text', text }] })),
    });
    expect(jira.calls()[0]).toMatchObject({ method: 'GET', path: '/rest/api/3/search', headers: { authorization: 'Basic [redacted]' } });

    const again = await acts.actionTicket(input('open-ticket', create));
    expect(again.details).toMatchObject({ key: 'SEC-1', created: false });
    expect(jira.issues()).toHaveLength(1);
  });

  it('sync moves every ticket of the incident to the status, once, and leaves other incidents alone', async () => {
    await acts.actionTicket(input('second-ticket', create));
    await acts.actionTicket(input('open-ticket', create, 'incident-6'));
    const sync = await acts.actionTicket(input('close-tickets', { mode: 'sync', credential: 'breachline/jira#basic' }));
    expect(sync.details).toMatchObject({ tickets: 2, moved: 2, status: 'Done' });
    expect(jira.issues().map((i) => `${i.key}:${i.status}`)).toEqual(['SEC-1:Done', 'SEC-2:Done', 'SEC-3:To Do']);
    const again = await acts.actionTicket(input('close-tickets', { mode: 'sync', credential: 'breachline/jira#basic' }));
    expect(again.details).toMatchObject({ moved: 0 });
  });

  it('compensation moves the ticket it opened to the status; an unknown status names the transitions there are', async () => {
    const opened = await acts.actionTicket(input('comp', { ...create, status: 'In Progress' }, 'incident-7'));
    expect(opened.compensation).toEqual({ key: opened.details.key, credential: 'breachline/jira#basic', status: 'In Progress' });
    await acts.actionTicketClose({ incidentId: 'incident-7', stepId: 'comp', stepKey: 'incident-7/comp/undo', compensation: opened.compensation ?? {} });
    expect(jira.issues().find((i) => i.key === opened.details.key)?.status).toBe('In Progress');
    const f = await failureOf(acts.actionTicketClose({ incidentId: 'incident-7', stepId: 'comp', stepKey: 'incident-7/comp/undo', compensation: { ...opened.compensation, status: 'Won’t fix' } }));
    expect(f).toMatchObject({ type: 'JiraTransitionMissing', nonRetryable: true });
    expect(f.message).toBe(`ticket (compensation): status: ${String(opened.details.key)} (In Progress) has no transition to "Won’t fix"; available: To Do → To Do, Start progress → In Progress, Done → Done`);
  });

  it('Jira’s 400 names the field; a revoked token is final; 429 and 5xx are retried', async () => {
    const bad = await failureOf(acts.actionTicket(input('bad', { ...create, project: 'NOPE' }, 'incident-8')));
    expect(bad).toMatchObject({ type: 'ActionServiceRefused', nonRetryable: true, message: 'ticket: jira create issue: HTTP 400: project: Specify a valid project ID or key' });
    const denied = await failureOf(acts.actionTicket(input('bad', { ...create, credential: 'breachline/jira#revoked' }, 'incident-8')));
    expect(denied.message).toBe('ticket: jira search: HTTP 401: Client must be authenticated to access this resource.');
    expect(denied.nonRetryable).toBe(true);
    jira.faults.failNext(1, 429, 2);
    const throttled = await failureOf(acts.actionTicket(input('t', create, 'incident-8')));
    expect(throttled).toMatchObject({ nonRetryable: false, nextRetryDelay: '2s' });
    jira.faults.failNext(1, 500);
    expect(await failureOf(acts.actionTicket(input('t', create, 'incident-8')))).toMatchObject({ type: 'ActionServiceUnavailable', nonRetryable: false });
  });
});
