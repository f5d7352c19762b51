import { SECRET_REF_SCHEMA } from './secret-ref';
import type { GenericActionDefinition } from './contract';
import { TEMPLATE_PATTERN, renderTemplate } from './template';

/** Parameters of `page`. */
export interface PageParams extends Record<string, unknown> {
  /** @default 'pagerduty' */
  provider?: 'pagerduty' | 'opsgenie';
  /** Vault reference `<kv path>#<key>` of the PagerDuty routing key or the Opsgenie API key. */
  credential: string;
  /** Alert text; placeholders `{incidentId}`, `{title}`, `{severity}`, `{principal}`, `{runbookId}`. @default '[{severity}] {title} ({incidentId})' */
  summary?: string;
  /** PagerDuty severity; Opsgenie priority is derived (critical P1, error P2, warning P3, info P5). @default 'critical' */
  severity?: 'critical' | 'error' | 'warning' | 'info';
  /** Extra fields shown with the alert. */
  details?: Record<string, string>;
}

/** The default alert text. */
export const DEFAULT_PAGE_SUMMARY = '[{severity}] {title} ({incidentId})';

/** The dedup key (PagerDuty) / alias (Opsgenie) of a step's alert: incident id + step. */
export function pageDedupKey(incidentId: string, stepId: string): string {
  return `breachline:${incidentId}:${stepId}`;
}

/** Page the on-call through PagerDuty Events API v2 or Opsgenie; compensation resolves / closes the alert. */
export const page: GenericActionDefinition<PageParams> = {
  kind: 'generic',
  name: 'page',
  summary: 'Page the on-call through PagerDuty (Events API v2) or Opsgenie, deduplicated per incident and step',
  phase: { started: 'notifying', completed: 'notifying' },
  defaultTimeout: '1m',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['credential'],
    properties: {
      provider: { enum: ['pagerduty', 'opsgenie'], default: 'pagerduty', description: 'Paging service.' },
      credential: { ...SECRET_REF_SCHEMA, description: 'Vault KV reference `<path>#<key>` of the PagerDuty routing (integration) key or the Opsgenie API key; read at send time, never in history.' },
      summary: { type: 'string', minLength: 1, maxLength: 1024, pattern: TEMPLATE_PATTERN, default: DEFAULT_PAGE_SUMMARY, description: 'Alert text; placeholders `{incidentId}`, `{title}`, `{severity}`, `{principal}`, `{runbookId}`. Opsgenie cuts it to 130 characters.' },
      severity: { enum: ['critical', 'error', 'warning', 'info'], default: 'critical', description: 'PagerDuty severity; Opsgenie priority is derived (critical P1, error P2, warning P3, info P5).' },
      details: { type: 'object', additionalProperties: { type: 'string' }, description: 'Extra fields shown with the alert (custom_details / details). Never put secrets here.' },
    },
  },
  plan: (p, ctx) => [
    `page through ${(p.provider ?? 'pagerduty') === 'pagerduty' ? 'PagerDuty' : 'Opsgenie'} (${p.severity ?? 'critical'}): "${renderTemplate(p.summary ?? DEFAULT_PAGE_SUMMARY, ctx)}"`,
    `one alert per incident and step (dedup key ${pageDedupKey(ctx.incidentId, '<step id>')}); credential read from Vault at ${p.credential.split('#')[0]}`,
  ],
  activity: 'actionPage',
  compensation: 'actionPageResolve',
  // Step outputs (issue 17, item 4).
  outputs: { dedupKey: { type: 'string', description: 'The alert\'s deduplication key (PagerDuty `dedup_key`, Opsgenie alias): one per incident and step.' } },
};
