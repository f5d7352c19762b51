import { ROUTING_FIELD_LIMIT, type Alert, type AlertSource } from '../domain/alert';
import { normaliseAlert } from './normalise';
import { readField } from './parsers/fields';

/**
 * The alert-document fields routing rules may name (issue 17): read from the part of each
 * source's payload that describes the detected activity, so a rule reads `kafka.topic` whatever
 * SIEM sent it. The whole payload is the fallback, for fields outside that part.
 */
const ALERT_DOCUMENT: Readonly<Record<AlertSource, (payload: Record<string, unknown>) => unknown>> = {
  // The saved search's first result row.
  splunk: (p) => p.result,
  // The first detection alert of a Kibana security rule.
  elastic: (p) => (p.context as { alerts?: unknown[] } | undefined)?.alerts?.[0],
  // The incident's properties (a Logic App trigger body wraps the incident in `object`).
  sentinel: (p) => ((('object' in p && !('properties' in p) ? p.object : p) as { properties?: unknown } | null)?.properties),
  // The body, its `fields` (issue 17, item 4) readable by their own names.
  generic: (p) => (typeof p.fields === 'object' && p.fields !== null && !Array.isArray(p.fields) ? { ...p, ...(p.fields as Record<string, unknown>) } : p),
};

/** Control, format and separator characters: a field holding one is not kept. */
const NOT_PRINTABLE = /[\p{C}\p{Zl}\p{Zp}]/u;

/**
 * Reads the named fields from a source's payload as text. A field that is absent, not a string,
 * number or boolean (a list gives its first element), longer than {@link ROUTING_FIELD_LIMIT} or
 * not printable is left out: a rule on it then fails as "absent", never on a cut value.
 */
export function extractRoutingFields(source: AlertSource, payload: unknown, names: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  if (names.length === 0 || payload === null || typeof payload !== 'object' || Array.isArray(payload)) return fields;
  const record = payload as Record<string, unknown>;
  const doc = ALERT_DOCUMENT[source](record);
  for (const name of names) {
    const text = asText(readField(doc, name)) ?? asText(readField(record, name));
    if (text !== undefined && text.length <= ROUTING_FIELD_LIMIT && !NOT_PRINTABLE.test(text)) fields[name] = text;
  }
  return fields;
}

function asText(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
  if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') return String(v);
  return undefined;
}

/**
 * Normalises a payload into an alert and keeps the fields routing rules name (see
 * {@link extractRoutingFields}). Ingress and `breachline runbook test` both call it, so the
 * command's answer is the ingress's.
 */
export function normaliseForRouting(source: AlertSource, payload: unknown, receivedAt: Date, routedFields: readonly string[]): Alert {
  const alert = normaliseAlert(source, payload, receivedAt);
  const fields = extractRoutingFields(source, payload, routedFields);
  // A generic alert's own fields stay as sent; routing adds the ones its rules name.
  if (Object.keys(fields).length > 0) alert.fields = { ...alert.fields, ...fields };
  return alert;
}
