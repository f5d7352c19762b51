import { z } from 'zod';
import { firstString, requireSubject, toIsoTime, toPrincipal, toSeverity, validate, type ParsedAlert } from './fields';

/**
 * The body breachline asks Kibana's Webhook connector to send (docs/ingress.md gives the mustache
 * template). Kibana renders missing variables as empty strings, so every optional string may be
 * `""` and is then treated as absent. `context.alerts` (security detection rules) holds the alert
 * documents, whose keys mix nested ECS objects and flattened `kibana.alert.*` names.
 */
export const elasticPayloadSchema = z.looseObject({
  date: z.string().optional(),
  kibanaBaseUrl: z.string().optional(),
  rule: z.looseObject({
    id: z.string().min(1),
    name: z.string().min(1),
    url: z.string().optional(),
    spaceId: z.string().optional(),
    tags: z.union([z.array(z.string()), z.string()]).optional(),
  }),
  alert: z
    .looseObject({
      id: z.string().optional(),
      uuid: z.string().optional(),
      actionGroup: z.string().optional(),
      actionGroupName: z.string().optional(),
    })
    .optional(),
  context: z
    .looseObject({
      alerts: z.array(z.record(z.string(), z.unknown())).optional(),
      results_link: z.string().optional(),
    })
    .optional(),
  /** Explicit values set in the template; they win over what the alert documents say. */
  breachline: z
    .strictObject({
      principal: z.string().optional(),
      asset: z.string().optional(),
      scenario: z.string().optional(),
      severity: z.string().optional(),
    })
    .optional(),
});

/** Alert-document fields read, in order of preference. */
export const ELASTIC_FIELDS = {
  alertId: ['kibana.alert.uuid', '_id'],
  principal: ['kafka.principal', 'user.name'],
  asset: ['kafka.topic', 'labels.kafka_topic', 'service.name'],
  severity: ['kibana.alert.severity', 'kibana.alert.rule.severity', 'kibana.alert.risk_score'],
  title: ['kibana.alert.reason'],
  time: ['kibana.alert.original_time', '@timestamp'],
} as const;

/** Parses a Kibana Webhook connector body rendered from breachline's template. */
export function parseElastic(payload: unknown, receivedAt: string): ParsedAlert {
  const body = validate(elasticPayloadSchema, payload, 'elastic');
  const first = body.context?.alerts?.[0] ?? {};
  const explicit = body.breachline ?? {};
  const nonEmpty = (s: string | undefined): string | undefined => (s === undefined || s.trim() === '' ? undefined : s.trim());
  const alertId =
    nonEmpty(body.alert?.uuid) ?? nonEmpty(body.alert?.id) ?? firstString(first, ELASTIC_FIELDS.alertId) ?? `${body.rule.id}@${nonEmpty(body.date) ?? receivedAt}`;
  const severity = toSeverity(nonEmpty(explicit.severity)) ?? toSeverity(firstString(first, ELASTIC_FIELDS.severity)) ?? 'high';
  const parsed: ParsedAlert = {
    alertId,
    rule: body.rule.name,
    title: body.rule.name,
    severity,
    principal: toPrincipal(nonEmpty(explicit.principal) ?? firstString(first, ELASTIC_FIELDS.principal)),
    asset: nonEmpty(explicit.asset) ?? firstString(first, ELASTIC_FIELDS.asset),
    scenario: nonEmpty(explicit.scenario),
    observedAt: toIsoTime(firstString(first, ELASTIC_FIELDS.time)) ?? toIsoTime(nonEmpty(body.date)) ?? receivedAt,
  };
  return requireSubject(parsed, 'elastic', ['breachline.principal', 'context.alerts.0.user.name', 'breachline.asset', 'context.alerts.0.kafka.topic']);
}
