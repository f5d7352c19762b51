import { alertProblems, type Alert, type AlertSource } from '../domain/alert';
import { InvalidAlertError } from './errors';
import { alertFingerprint } from './fingerprint';
import { PARSERS } from './parsers';

/** Line breaks and tabs in a title (Sentinel and Splunk titles are free text) become one space. */
const collapseWhitespace = (text: string): string => text.replace(/[\t\n\r\v\f]+/g, ' ').trim();

/**
 * Parses a source's payload and completes it into an `Alert`: receipt time, fingerprint, and no
 * keys whose value is absent (the alert travels through workflow history as JSON). The result is
 * validated field by field (`alertProblems`): a bad alert is an {@link InvalidAlertError} (422
 * naming the field) here, never an incident that fails later.
 */
export function normaliseAlert(source: AlertSource, payload: unknown, receivedAt: Date): Alert {
  const receivedIso = receivedAt.toISOString();
  const parsed = PARSERS[source](payload, receivedIso);
  const alert: Alert = {
    source,
    alertId: parsed.alertId,
    rule: parsed.rule,
    severity: parsed.severity,
    title: collapseWhitespace(parsed.title),
    observedAt: parsed.observedAt,
    receivedAt: receivedIso,
    fingerprint: alertFingerprint({ source, rule: parsed.rule, principal: parsed.principal, asset: parsed.asset }),
  };
  if (parsed.principal !== undefined) alert.principal = parsed.principal;
  if (parsed.asset !== undefined) alert.asset = parsed.asset;
  if (parsed.scenario !== undefined) alert.scenario = parsed.scenario;
  if (parsed.suspectedSince !== undefined) alert.suspectedSince = parsed.suspectedSince;
  // A generic alert's own `fields` (issue 17, item 4: runbook references read them).
  if (parsed.fields !== undefined) alert.fields = { ...parsed.fields };
  const problems = alertProblems(alert);
  const first = problems[0];
  if (first) throw new InvalidAlertError(first.field, problems.map((p) => ({ path: p.field, message: p.message })));
  return alert;
}
