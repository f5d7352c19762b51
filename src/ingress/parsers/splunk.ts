import { z } from 'zod';
import { firstString, requireSubject, toIsoTime, toPrincipal, toSeverity, validate, type ParsedAlert } from './fields';

/**
 * Splunk's webhook alert action body: the search id, a link to the results, the saved search's
 * name, owner and app, and the first result row (field values as strings, or arrays of strings
 * for multivalue fields). Severity is not in the body, so the search must put it in a field.
 */
export const splunkPayloadSchema = z.looseObject({
  sid: z.string().min(1),
  search_name: z.string({ error: 'the saved search name is required (ad-hoc searches cannot raise incidents)' }).min(1),
  results_link: z.string().optional(),
  owner: z.string().optional(),
  app: z.string().optional(),
  result: z.record(z.string(), z.unknown()),
});

/** Result-row fields read, in order of preference. */
export const SPLUNK_FIELDS = {
  principal: ['principal', 'kafka_principal', 'user'],
  asset: ['asset', 'kafka_topic', 'topic'],
  scenario: ['breachline_scenario', 'scenario'],
  severity: ['severity', 'urgency'],
  title: ['title', 'description'],
  time: ['_time'],
} as const;

/** Parses a Splunk webhook alert action body. */
export function parseSplunk(payload: unknown, receivedAt: string): ParsedAlert {
  const body = validate(splunkPayloadSchema, payload, 'splunk');
  const row = body.result;
  const severityRaw = firstString(row, SPLUNK_FIELDS.severity);
  const parsed: ParsedAlert = {
    alertId: body.sid,
    rule: body.search_name,
    title: firstString(row, SPLUNK_FIELDS.title) ?? body.search_name,
    severity: toSeverity(severityRaw) ?? 'high',
    principal: toPrincipal(firstString(row, SPLUNK_FIELDS.principal)),
    asset: firstString(row, SPLUNK_FIELDS.asset),
    scenario: firstString(row, SPLUNK_FIELDS.scenario),
    observedAt: toIsoTime(firstString(row, SPLUNK_FIELDS.time)) ?? receivedAt,
  };
  return requireSubject(parsed, 'splunk', ['result.principal', 'result.asset']);
}
