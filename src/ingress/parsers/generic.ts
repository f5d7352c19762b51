import { z } from 'zod';
import { ROUTING_FIELD_LIMIT } from '../../domain/alert';
import { requireSubject, toPrincipal, validate, type ParsedAlert } from './fields';

/**
 * breachline's own alert format, for any SIEM or script that can post JSON (docs/ingress.md).
 * Strict: an unknown key (a typo such as `principle`) is an error rather than silently ignored.
 */
// String lengths are bounded on the normalised alert (ALERT_FIELD_LIMITS), the same for every source.
/** Most `fields` a generic alert may carry. */
export const GENERIC_FIELDS_LIMIT = 32;
const FIELD_NAME = /^[A-Za-z0-9_@][A-Za-z0-9_.@-]{0,127}$/;
const PRINTABLE = /^[^\p{C}\p{Zl}\p{Zp}]*$/u;

export const genericAlertSchema = z.strictObject({
  /** The sender's id for this alert. */
  id: z.string().min(1),
  /** Detection rule name; with the principal or asset it decides which incident the alert joins. */
  rule: z.string().min(1),
  title: z.string().min(1).optional(),
  severity: z.enum(['critical', 'high', 'medium', 'low']),
  /** Kafka principal, e.g. `User:report-exporter` (a bare name is taken as a User); its grammar and length are checked on the normalised alert. */
  principal: z.string().min(1).optional(),
  /** Topic, host or service the alert is about. */
  asset: z.string().min(1).optional(),
  /** Runbook scenario. @default 'kafka-exfiltration' */
  scenario: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a runbook scenario name such as kafka-exfiltration').optional(),
  /** When the activity was observed: ISO 8601 with a zone. */
  observedAt: z.iso.datetime({ offset: true }),
  /** When the activity is believed to have begun (forensics reads access records from then on): ISO 8601 with a zone. */
  suspectedSince: z.iso.datetime({ offset: true }).optional(),
  // Step references (issue 17, item 4).
  /**
   * Other facts of the alert, by name (`{"vault.accessor": "…", "topic": "orders"}`): kept on the
   * alert for `serves` rules and for runbook references `${{ alert.fields.<name> }}`. Text only,
   * bounded like routing fields, at most {@link GENERIC_FIELDS_LIMIT}: they travel into workflow history.
   */
  fields: z
    .record(z.string().regex(FIELD_NAME, 'expected a field name of letters, digits and . _ @ -'), z.string().min(1).max(ROUTING_FIELD_LIMIT).regex(PRINTABLE, 'contains a control or other non-printable character'))
    .refine((f) => Object.keys(f).length <= GENERIC_FIELDS_LIMIT, `at most ${GENERIC_FIELDS_LIMIT} fields`)
    .optional(),
});

/** The generic format's type. */
export type GenericAlert = z.infer<typeof genericAlertSchema>;

/** Parses a generic alert. */
export function parseGeneric(payload: unknown, _receivedAt: string): ParsedAlert {
  const body = validate(genericAlertSchema, payload, 'generic');
  const parsed: ParsedAlert = {
    alertId: body.id,
    rule: body.rule,
    title: body.title ?? body.rule,
    severity: body.severity,
    principal: toPrincipal(body.principal),
    asset: body.asset,
    scenario: body.scenario,
    observedAt: new Date(body.observedAt).toISOString(),
    ...(body.suspectedSince !== undefined ? { suspectedSince: new Date(body.suspectedSince).toISOString() } : {}),
    ...(body.fields !== undefined && Object.keys(body.fields).length > 0 ? { fields: body.fields } : {}),
  };
  return requireSubject(parsed, 'generic', ['principal', 'asset']);
}
