import { z } from 'zod';
import { requireSubject, toPrincipal, validate, type ParsedAlert } from './fields';

/**
 * breachline's own alert format, for any SIEM or script that can post JSON (docs/ingress.md).
 * Strict: an unknown key (a typo such as `principle`) is an error rather than silently ignored.
 */
// String lengths are bounded on the normalised alert (ALERT_FIELD_LIMITS), the same for every source.
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
  /**
   * Any other fields of the detection, by name (e.g. a Vault token's `accessor`): what `serves`
   * rules may match and runbooks read as `${{ alert.fields.<name> }}`. Text, numbers or booleans.
   */
  fields: z.record(z.string().regex(/^[A-Za-z0-9_@][A-Za-z0-9_.@-]*$/), z.union([z.string(), z.number(), z.boolean()])).optional(),
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
  };
  return requireSubject(parsed, 'generic', ['principal', 'asset']);
}
