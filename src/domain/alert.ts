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
  /**
   * When the activity is believed to have begun, when the source says (issue 12): forensics reads
   * access records only from then on. Absent: every record the sources still hold is read.
   */
  suspectedSince?: IsoTime;
  /** sha256 of (source, rule, principal or asset); duplicates share it and land on one incident. */
  fingerprint: string;
  // Routing as data (issue 17).
  /**
   * Alert-document fields that some runbook's `serves` rules name (`kafka.topic`), as text. Only
   * the fields a loaded rule reads are kept, each at most {@link ROUTING_FIELD_LIMIT} characters,
   * so routing gives the same answer wherever the alert is routed again (the durable correlator)
   * without carrying the SIEM's payload.
   */
  fields?: Record<string, string>;
}

/** Longest value of one routing field kept on an alert; a longer one is left out. */
export const ROUTING_FIELD_LIMIT = 256;

/**
 * Longest accepted value of each string field of an {@link Alert}, in characters. The alert is
 * copied into workflow history, Slack messages and audit events; an unbounded field would carry a
 * SIEM's whole search result there. A principal is at most 255 characters: longer names do not fit
 * Kafka's own limits on SCRAM user names and ACL principals in practice.
 */
export const ALERT_FIELD_LIMITS = {
  alertId: 256,
  rule: 512,
  title: 1024,
  principal: 255,
  asset: 512,
  scenario: 64,
} as const satisfies Partial<Record<keyof Alert, number>>;

/**
 * Kafka's principal grammar as the brokers parse it (`KafkaPrincipal.fromString`): a type, a colon,
 * a non-empty name. The type is a word (`User`, `Group`, a custom builder's type); the name is any
 * printable text (SSL principals carry distinguished names with spaces and commas) that neither
 * starts nor ends with a space. Control, format, unassigned and line-separator code points are refused: a newline
 * in a principal forges log lines, and a zero-width character makes two principals look alike.
 */
export const KAFKA_PRINCIPAL = /^[A-Za-z][A-Za-z0-9_-]{0,63}:(?! )[^\p{C}\p{Zl}\p{Zp}]*[^\p{C}\p{Zl}\p{Zp} ]$/u;

/** Any control, format, private-use, surrogate or unassigned code point, or a line/paragraph separator. */
const NOT_PRINTABLE = /[\p{C}\p{Zl}\p{Zp}]/u;

/** One field of a normalised alert that breaks the rules above. */
export interface AlertProblem {
  field: keyof Alert;
  message: string;
}

/**
 * Every problem of a normalised alert's string fields: a length limit exceeded, a non-printable
 * character, a principal outside Kafka's grammar. Empty when the alert may open an incident. The
 * ingress refuses an alert with problems at the door (422) rather than letting containment fail
 * on it later.
 */
export function alertProblems(alert: Alert): AlertProblem[] {
  const problems: AlertProblem[] = [];
  for (const [field, limit] of Object.entries(ALERT_FIELD_LIMITS) as Array<[keyof typeof ALERT_FIELD_LIMITS, number]>) {
    const value = alert[field];
    if (value === undefined) continue;
    if (value.length === 0) problems.push({ field, message: 'must not be empty' });
    else if (value.length > limit) problems.push({ field, message: `longer than ${limit} characters (${value.length})` });
    else if (NOT_PRINTABLE.test(value)) problems.push({ field, message: 'contains a control or other non-printable character' });
  }
  // suspectedSince bounds what forensics reads: it must be a time, and not after the alert itself.
  if (alert.suspectedSince !== undefined) {
    const since = Date.parse(alert.suspectedSince);
    if (Number.isNaN(since)) problems.push({ field: 'suspectedSince', message: 'not an ISO 8601 time' });
    else if (since > Date.parse(alert.receivedAt)) problems.push({ field: 'suspectedSince', message: 'later than the alert was received' });
  }
  const principal = alert.principal;
  if (principal !== undefined && !problems.some((p) => p.field === 'principal') && !KAFKA_PRINCIPAL.test(principal)) {
    problems.push({ field: 'principal', message: 'not a Kafka principal: expected Type:name, e.g. User:report-exporter' });
  }
  return problems;
}
