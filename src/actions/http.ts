import type { GenericActionDefinition } from './contract';
import { SECRET_REF_SCHEMA } from './secret-ref';
import { TEMPLATE_PATTERN, renderTemplate } from './template';

/** Parameters of `http`. */
export interface HttpParams extends Record<string, unknown> {
  /** Receiver URL. */
  url: string;
  /** Vault reference `<kv path>#<key>` of the signing secret shared with the receiver. */
  credential: string;
  /** @default 'POST' */
  method?: 'POST' | 'PUT';
  /** Event name in the body; placeholders allowed. @default 'breachline.step' */
  event?: string;
  /** Static JSON data sent as `data`. */
  payload?: Record<string, unknown>;
  /** Statuses that count as delivered. @default [200, 201, 202, 204] */
  successStatus?: number[];
}

/** Call a webhook with a signed JSON body and the step key as `Idempotency-Key`. */
export const http: GenericActionDefinition<HttpParams> = {
  kind: 'generic',
  name: 'http',
  summary: 'Call a webhook: signed JSON (HMAC-SHA256 over timestamp and body), Idempotency-Key = the step key, retried with backoff',
  phase: { started: 'eradicating', completed: 'eradicating' },
  defaultTimeout: '30s',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['url', 'credential'],
    properties: {
      url: { type: 'string', pattern: '^https?://[^\\s/?#]+[^\\s]*$', description: 'Receiver URL (https in production).' },
      credential: { ...SECRET_REF_SCHEMA, description: 'Vault KV reference `<path>#<key>` of the signing secret shared with the receiver; it signs, it is never sent.' },
      method: { enum: ['POST', 'PUT'], default: 'POST', description: 'HTTP method.' },
      event: { type: 'string', minLength: 1, pattern: TEMPLATE_PATTERN, default: 'breachline.step', description: 'Event name sent in the body; placeholders `{incidentId}`, `{title}`, `{severity}`, `{principal}`, `{runbookId}`.' },
      payload: { type: 'object', description: 'Static JSON data sent as `data`.' },
      successStatus: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'integer', minimum: 200, maximum: 399 }, default: [200, 201, 202, 204], description: 'Statuses that count as delivered; any other 4xx fails the step, 408/429/5xx are retried.' },
    },
  },
  plan: (p, ctx) => [`${p.method ?? 'POST'} ${p.url} with a signed JSON body (event ${renderTemplate(p.event ?? 'breachline.step', ctx)}), Idempotency-Key = the step key; success on ${(p.successStatus ?? [200, 201, 202, 204]).join('/')}`],
  activity: 'actionHttp',
};
