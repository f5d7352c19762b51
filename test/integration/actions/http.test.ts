import { createHmac } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpActivities } from '../../../activities/actions/http';
import type { GenericActionInput } from '../../../src/actions/contract';
import type { HttpParams } from '../../../src/actions/http';
import { signWebhook, verifyWebhook } from '../../../src/integrations/webhook/signature';
import { start as startVault, type RunningVaultSandbox } from '../../../src/sandbox/vault/index';
import { start as startWebhook, type RunningWebhookSandbox } from '../../../src/sandbox/webhook/index';
import { createVaultSecrets } from '../../../src/vault/index';

let vault: RunningVaultSandbox;
let hook: RunningWebhookSandbox;
let acts: ReturnType<typeof createHttpActivities>;
let receiverNow = Math.floor(Date.now() / 1000);

const context = { incidentId: 'incident-9', runbookId: 'poisoned-topic', severity: 'high', title: 'Forged trades' };
const input = (stepId: string, params: { credential: string; event?: string; payload?: Record<string, unknown>; successStatus?: number[]; path?: string }): GenericActionInput<HttpParams> => {
  const { path, ...rest } = params;
  return { incidentId: 'incident-9', stepId, stepKey: `incident-9/${stepId}/1`, params: { ...rest, url: `${hook.address}${path ?? '/hooks/trading-halt'}` }, context };
};

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err: unknown = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

beforeAll(async () => {
  [vault, hook] = await Promise.all([startVault({}), startWebhook({ nowSeconds: () => receiverNow })]);
  const secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
  await secrets.writeSecret('breachline/webhooks', { trading: hook.secret, stale: 'another-secret' });
  acts = createHttpActivities({ secrets });
});
afterAll(async () => {
  await Promise.all([vault?.close(), hook?.close()]);
});
beforeEach(() => {
  receiverNow = Math.floor(Date.now() / 1000);
  hook.respondWith(200);
  hook.faults.clear();
});

describe('webhook signature', () => {
  it('is HMAC-SHA256 over "<t>.<body>" in hex, as documented, and refuses stale or altered requests', () => {
    const body = '{"a":1}';
    const expected = createHmac('sha256', 'k').update(`1700000000.${body}`).digest('hex');
    expect(signWebhook('k', body, 1700000000)).toBe(`t=1700000000,v1=${expected}`);
    const header = signWebhook('k', body, 1700000000);
    expect(verifyWebhook('k', body, header, 1700000100)).toBe('ok');
    expect(verifyWebhook('k', body, header, 1700000301)).toBe('stale');
    expect(verifyWebhook('k', '{"a":2}', header, 1700000000)).toBe('mismatch');
    expect(verifyWebhook('k', body, 't=1,v1=zz', 1)).toBe('malformed');
    expect(verifyWebhook('k', body, undefined, 1)).toBe('missing');
  });
});

describe('http action', () => {
  const params = { credential: 'breachline/webhooks#trading', event: 'halt-trading:{incidentId}', payload: { desk: 'fx' } };

  it('delivers a signed body with the step key as Idempotency-Key; a re-run is not delivered twice', async () => {
    const res = await acts.actionHttp(input('halt', params));
    expect(res.details).toMatchObject({ status: 200, idempotencyKey: 'incident-9/halt/1' });
    expect(hook.deliveries()).toEqual([
      { idempotencyKey: 'incident-9/halt/1', path: '/hooks/trading-halt', body: { id: 'incident-9/halt/1', event: 'halt-trading:incident-9', incident: { id: 'incident-9', title: 'Forged trades', severity: 'high', runbook: 'poisoned-topic' }, step: 'halt', data: { desk: 'fx' } } },
    ]);
    const again = await acts.actionHttp(input('halt', params));
    expect(again.details).toMatchObject({ replayed: true });
    expect(hook.deliveries()).toHaveLength(1);
  });

  it('a wrong secret or a skewed clock is refused by the receiver: a final failure naming the reason', async () => {
    const wrong = await failureOf(acts.actionHttp(input('wrong', { ...params, credential: 'breachline/webhooks#stale' })));
    expect(wrong).toMatchObject({ type: 'ActionServiceRefused', nonRetryable: true });
    expect(wrong.message).toMatch(/^http: webhook POST 127\.0\.0\.1:\d+: HTTP 401: \{"error":"signature mismatch"\}$/);
    receiverNow += 3600;
    expect((await failureOf(acts.actionHttp(input('skew', params)))).message).toContain('signature stale');
    expect(hook.deliveries()).toHaveLength(1);
  });

  it('5xx and 429 are retryable, and the retry of a failed delivery is delivered once', async () => {
    hook.faults.failNext(1, 503);
    expect(await failureOf(acts.actionHttp(input('flaky', params)))).toMatchObject({ type: 'ActionServiceUnavailable', nonRetryable: false });
    hook.faults.failNext(1, 429, 3);
    expect((await failureOf(acts.actionHttp(input('flaky', params)))).nextRetryDelay).toBe('3s');
    await acts.actionHttp(input('flaky', params));
    expect(hook.deliveries().filter((d) => d.idempotencyKey === 'incident-9/flaky/1')).toHaveLength(1);
  });

  it('success codes are configurable: an answer outside them fails the step', async () => {
    hook.respondWith(202);
    const f = await failureOf(acts.actionHttp(input('strict', { ...params, successStatus: [200] })));
    expect(f).toMatchObject({ nonRetryable: true });
    expect(f.message).toContain('HTTP 202');
    hook.respondWith(204);
    await expect(acts.actionHttp(input('accepts-204', { ...params, successStatus: [204] }))).resolves.toMatchObject({ details: { status: 204 } });
  });
});
