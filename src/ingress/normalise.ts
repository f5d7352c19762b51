import type { Alert, AlertSource } from '../domain/alert';
import { alertFingerprint } from './fingerprint';
import { PARSERS } from './parsers';

/**
 * Parses a source's payload and completes it into an `Alert`: receipt time, fingerprint, and no
 * keys whose value is absent (the alert travels through workflow history as JSON).
 */
export function normaliseAlert(source: AlertSource, payload: unknown, receivedAt: Date): Alert {
  const receivedIso = receivedAt.toISOString();
  const parsed = PARSERS[source](payload, receivedIso);
  const alert: Alert = {
    source,
    alertId: parsed.alertId,
    rule: parsed.rule,
    severity: parsed.severity,
    title: parsed.title,
    observedAt: parsed.observedAt,
    receivedAt: receivedIso,
    fingerprint: alertFingerprint({ source, rule: parsed.rule, principal: parsed.principal, asset: parsed.asset }),
  };
  if (parsed.principal !== undefined) alert.principal = parsed.principal;
  if (parsed.asset !== undefined) alert.asset = parsed.asset;
  if (parsed.scenario !== undefined) alert.scenario = parsed.scenario;
  return alert;
}
