import { asRecord, requestJson } from '../http/json-client';

/*
 * PagerDuty Events API v2 (`POST /v2/enqueue`). The routing key is the integration's credential:
 * it travels in the body, as PagerDuty wants, and is never logged or returned. PagerDuty folds a
 * trigger whose dedup_key names an open alert into that alert, which makes a retried page safe.
 */

/** PagerDuty's public endpoint. */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com';

/** One event. */
export interface PagerDutyEvent {
  eventAction: 'trigger' | 'acknowledge' | 'resolve';
  dedupKey: string;
  /** Required for a trigger. */
  payload?: {
    summary: string;
    source: string;
    severity: 'critical' | 'error' | 'warning' | 'info';
    component?: string;
    group?: string;
    customDetails?: Readonly<Record<string, unknown>>;
  };
}

function describe(body: unknown): string | undefined {
  const b = asRecord(body);
  const errors = Array.isArray(b.errors) ? b.errors.filter((e): e is string => typeof e === 'string') : [];
  const message = typeof b.message === 'string' ? b.message : undefined;
  if (errors.length > 0) return `${message ?? 'invalid event'}: ${errors.join('; ')}`;
  return message;
}

/** Sends one event; resolves with the dedup key PagerDuty recorded. */
export async function sendPagerDutyEvent(baseUrl: string, routingKey: string, event: PagerDutyEvent, timeoutMs?: number): Promise<{ dedupKey: string }> {
  const p = event.payload;
  const body = {
    routing_key: routingKey,
    event_action: event.eventAction,
    dedup_key: event.dedupKey,
    ...(p
      ? {
          payload: {
            summary: p.summary,
            source: p.source,
            severity: p.severity,
            ...(p.component !== undefined ? { component: p.component } : {}),
            ...(p.group !== undefined ? { group: p.group } : {}),
            ...(p.customDetails !== undefined ? { custom_details: p.customDetails } : {}),
          },
        }
      : {}),
  };
  const res = await requestJson({ service: 'pagerduty', operation: `enqueue ${event.eventAction}`, method: 'POST', url: `${baseUrl.replace(/\/+$/, '')}/v2/enqueue`, body, describe, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  const key = asRecord(res.body).dedup_key;
  return { dedupKey: typeof key === 'string' ? key : event.dedupKey };
}
