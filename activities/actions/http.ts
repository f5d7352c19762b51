import type { GenericActionInput, GenericActionResult } from '../../src/actions/contract';
import type { HttpParams } from '../../src/actions/http';
import { renderTemplate } from '../../src/actions/template';
import { requestJson } from '../../src/integrations/http/json-client';
import { SIGNATURE_HEADER, signWebhook } from '../../src/integrations/webhook/signature';
import type { SecretsPort } from '../../src/vault/port';
import { asAction, resolveSecretRef } from './support';

/*
 * `http`: one signed webhook delivery per step. The body is the same on every attempt (no
 * timestamp inside it), so the receiver can drop retries by `Idempotency-Key`; only the signature
 * header carries the time. Retries come from the step's retry policy (exponential backoff), and
 * Retry-After is honoured through the failure's next-retry delay.
 */

/** What `http` needs. */
export interface HttpActionDeps {
  secrets: SecretsPort;
  /** @default the system clock */
  now?: () => Date;
}

/** The body sent for a step (stable across attempts). */
export function webhookBody(input: GenericActionInput<HttpParams>): string {
  const c = input.context;
  return JSON.stringify({
    id: input.stepKey,
    event: renderTemplate(input.params.event ?? 'breachline.step', c),
    incident: { id: input.incidentId, title: c.title, severity: c.severity, runbook: c.runbookId, ...(c.principal !== undefined ? { principal: c.principal } : {}) },
    step: input.stepId,
    data: input.params.payload ?? {},
  });
}

/** The `http` activity. */
export function createHttpActivities(deps: HttpActionDeps) {
  const now = deps.now ?? (() => new Date());
  return {
    async actionHttp(input: GenericActionInput<HttpParams>): Promise<GenericActionResult> {
      return asAction('http', async () => {
        const p = input.params;
        const secret = await resolveSecretRef(deps.secrets, p.credential, 'credential');
        const body = webhookBody(input);
        const success = new Set(p.successStatus ?? [200, 201, 202, 204]);
        const res = await requestJson({
          service: 'webhook',
          operation: `${p.method ?? 'POST'} ${new URL(p.url).host}`,
          method: p.method ?? 'POST',
          url: p.url,
          rawBody: body,
          headers: {
            'content-type': 'application/json',
            'idempotency-key': input.stepKey,
            [SIGNATURE_HEADER]: signWebhook(secret, body, Math.floor(now().getTime() / 1000)),
          },
          ok: (s) => success.has(s),
          describe: (b) => (typeof b === 'string' ? b.slice(0, 200) : JSON.stringify(b)?.slice(0, 200)),
        });
        const replayed = res.headers.get('idempotent-replayed') === 'true';
        return {
          summary: `${p.method ?? 'POST'} ${p.url}: HTTP ${res.status}${replayed ? ' (receiver had it already)' : ''}`,
          details: { url: p.url, status: res.status, idempotencyKey: input.stepKey, ...(replayed ? { replayed: true } : {}) },
        };
      });
    },
  };
}
