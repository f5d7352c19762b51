import type { IsoTime } from './events';

/** The SIEMs breachline accepts alerts from. */
export const ALERT_SOURCES = ['splunk', 'elastic', 'sentinel', 'generic'] as const;
/** One of {@link ALERT_SOURCES}. */
export type AlertSource = (typeof ALERT_SOURCES)[number];

/**
 * One SIEM alert, normalised from any source's payload. It carries no raw payload: SIEM alerts
 * can quote personal data, and this object travels into workflow history.
 */
export interface Alert {
  source: AlertSource;
  /** The SIEM's own id for the alert (search id, rule execution id, incident number). */
  alertId: string;
  /** Detection rule name. */
  rule: string;
  severity: 'critical' | 'high' | 'medium' | 'low';
  title: string;
  /** Kafka principal the alert names, e.g. `User:report-exporter`. */
  principal?: string;
  /** Host, service or topic the alert is about. */
  asset?: string;
  /** Scenario / runbook hint (`kafka-exfiltration`), when the source says. */
  scenario?: string;
  /** When the SIEM observed the activity. */
  observedAt: IsoTime;
  /** When breachline accepted the alert. */
  receivedAt: IsoTime;
  /** sha256 of (source, rule, principal or asset); duplicates share it and land on one incident. */
  fingerprint: string;
}
