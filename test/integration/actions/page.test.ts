import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPageActivities } from '../../../activities/actions/page';
import type { GenericActionInput, GenericCompensationInput } from '../../../src/actions/contract';
import type { PageParams } from '../../../src/actions/page';
import { start as startOpsgenie, type RunningOpsgenieSandbox } from '../../../src/sandbox/opsgenie/index';
import { start as startPagerDuty, type RunningPagerDutySandbox } from '../../../src/sandbox/pagerduty/index';
import { start as startVault, type RunningVaultSandbox } from '../../../src/sandbox/vault/index';
import { createVaultSecrets, type SecretsPort } from '../../../src/vault/index';

let vault: RunningVaultSandbox;
let secrets: SecretsPort;
let pd: RunningPagerDutySandbox;
let og: RunningOpsgenieSandbox;
let acts: ReturnType<typeof createPageActivities>;

const context = { incidentId: 'incident-42', runbookId: 'kafka-exfiltration', severity: 'high', title: 'Exfiltration by reporter', principal: 'User:reporter' };
const input = (stepId: string, params: PageParams): GenericActionInput<PageParams> => ({ incidentId: 'incident-42', stepId, stepKey: `incident-42/${stepId}/1`, params, context });

/** The compensation input exactly as the workflow's saga sends it (no params, no context). */
const undoInput = (stepId: string, compensation: Record<string, unknown> | undefined): GenericCompensationInput => ({ incidentId: 'incident-42', stepId, stepKey: `incident-42/${stepId}/undo`, compensation: compensation ?? {} });

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err: unknown = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

beforeAll(async () => {
  [vault, pd, og] = await Promise.all([startVault({}), startPagerDuty(), startOpsgenie()]);
  secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
  await secrets.writeSecret('breachline/pagerduty', { routing_key: pd.routingKey, wrong_key: 'f'.repeat(32) });
  await secrets.writeSecret('breachline/opsgenie', { api_key: og.apiKey, wrong_key: 'not-the-key' });
  acts = createPageActivities({ secrets, endpoints: { pagerduty: pd.address, opsgenie: og.address } });
});
afterAll(async () => {
  await Promise.all([vault?.close(), pd?.close(), og?.close()]);
});
beforeEach(() => {
  pd.faults.clear();
  og.faults.clear();
});

describe('page through PagerDuty Events API v2', () => {
  const params: PageParams = { credential: 'breachline/pagerduty#routing_key', details: { runbookUrl: 'https://wiki/ir' } };

  it('triggers one alert with the rendered summary and dedup key; a re-run pages nobody again; compensation resolves it', async () => {
    const res = await acts.actionPage(input('page-oncall', params));
    expect(res.summary).toBe('paged through PagerDuty (critical): [high] Exfiltration by reporter (incident-42)');
    const [call] = pd.calls();
    expect(call).toMatchObject({ method: 'POST', path: '/v2/enqueue', status: 202 });
    expect(call?.body).toMatchObject({ event_action: 'trigger', dedup_key: 'breachline:incident-42:page-oncall', payload: { source: 'breachline', severity: 'critical', custom_details: { incidentId: 'incident-42', runbookUrl: 'https://wiki/ir' } } });

    await acts.actionPage(input('page-oncall', params));
    expect(pd.alerts()).toHaveLength(1);
    expect(pd.alerts()[0]).toMatchObject({ status: 'triggered', events: 2 });
    expect(JSON.stringify(res)).not.toContain(pd.routingKey);

    await acts.actionPageResolve(undoInput('page-oncall', res.compensation));
    expect(pd.alerts()[0]?.status).toBe('resolved');
  });

  it('an invalid event (unknown routing key) is final and says why; 429 and 5xx are retried, after Retry-After', async () => {
    const bad = await failureOf(acts.actionPage(input('page-bad', { credential: 'breachline/pagerduty#wrong_key' })));
    expect(bad).toMatchObject({ type: 'ActionServiceRefused', nonRetryable: true });
    expect(bad.message).toBe('page: pagerduty enqueue trigger: HTTP 400: Event object is invalid: Invalid routing key');
    pd.faults.failNext(1, 429, 7);
    const throttled = await failureOf(acts.actionPage(input('page-429', params)));
    expect(throttled).toMatchObject({ type: 'ActionServiceUnavailable', nonRetryable: false });
    expect(throttled.nextRetryDelay).toBe('7s');
    pd.faults.failNext(1, 502);
    expect(await failureOf(acts.actionPage(input('page-502', params)))).toMatchObject({ nonRetryable: false });
  });

  it('a missing credential is a final, precise failure and nothing is sent', async () => {
    const before = pd.calls().length;
    const f = await failureOf(acts.actionPage(input('page-nokey', { credential: 'breachline/none#routing_key' })));
    expect(f).toMatchObject({ type: 'SecretNotFound', nonRetryable: true, message: 'page: credential: no secret at breachline/none' });
    expect(pd.calls()).toHaveLength(before);
  });
});

describe('page through Opsgenie', () => {
  const params: PageParams = { provider: 'opsgenie', credential: 'breachline/opsgenie#api_key', severity: 'error', summary: 'Breach {incidentId}: {principal}' };

  it('creates the alert with GenieKey auth and the alias; a re-run reads it and creates nothing; compensation closes it', async () => {
    const res = await acts.actionPage(input('page-og', params));
    expect(res.details).toMatchObject({ provider: 'opsgenie', alias: 'breachline:incident-42:page-og', priority: 'P2' });
    const create = og.calls().find((c) => c.method === 'POST');
    expect(create?.headers.authorization).toBe('GenieKey [redacted]');
    expect(create?.body).toMatchObject({ message: 'Breach incident-42: User:reporter', alias: 'breachline:incident-42:page-og', priority: 'P2' });

    const again = await acts.actionPage(input('page-og', params));
    expect(again.details).toMatchObject({ alreadyOpen: true });
    expect(og.calls().filter((c) => c.method === 'POST')).toHaveLength(1);
    expect(og.alerts()).toHaveLength(1);

    await acts.actionPageResolve(undoInput('page-og', res.compensation));
    expect(og.alerts()[0]).toMatchObject({ status: 'closed' });
  });

  it('a refused key is final, an outage retryable', async () => {
    const f = await failureOf(acts.actionPage(input('page-og-bad', { ...params, credential: 'breachline/opsgenie#wrong_key' })));
    expect(f).toMatchObject({ nonRetryable: true, message: 'page: opsgenie get alert: HTTP 401: Could not authenticate' });
    og.faults.failNext(1, 503);
    expect(await failureOf(acts.actionPage(input('page-og-503', params)))).toMatchObject({ type: 'ActionServiceUnavailable', nonRetryable: false });
  });
});
