import type { DomainEvent } from './events';
import { incidentFacts, type IncidentFacts } from './regimes/incident-facts';
import { unlocatedBrief } from './unlocated-writes';

/**
 * The breach register of GDPR Art. 33(5): every personal data breach, notifiable or not, open or
 * closed, with its facts, effects and remedial action, the decisions taken and the filings made.
 * Rebuilt from the audit topic's events alone, one row per incident. An event type this code does
 * not know is skipped (and counted), never a crash.
 */

/** One incident in the register. */
export interface RegisterRow {
  incidentId: string;
  title: string;
  severity: string;
  status: string;
  openedAt: string;
  closedAt: string | null;
  awareAt: string | null;
  awarenessDetermined: boolean;
  /** `yes`: filed with an authority under some regime; `no`: every regime decided not notifiable; else `undecided`. */
  notifiable: 'yes' | 'no' | 'undecided';
  /** Regime → notified | not-notifiable | pending. */
  regimes: Record<string, string>;
  facts: string;
  effects: string;
  remedialAction: string[];
  decisions: string[];
  filings: string[];
  missedDeadlines: string[];
  resolution: string | null;
  unknownEvents: number;
}

function notifiable(f: IncidentFacts): RegisterRow['notifiable'] {
  if (f.regimes.some((r) => r.outcome === 'notified')) return 'yes';
  if (f.regimes.length > 0 && f.regimes.every((r) => r.outcome === 'not-notifiable')) return 'no';
  return 'undecided';
}

/** Writes the forensics could not place (access: write), per topic; nothing when none. */
function unplaced(f: IncidentFacts): string {
  const topics = [...new Set((f.effects.unlocatedWrites ?? []).map((u) => u.topic))];
  const briefs = topics.map((t) => unlocatedBrief(t, f.effects.unlocatedWrites?.filter((u) => u.topic === t)));
  return briefs.length === 0 ? '' : `; ${briefs.join('; ')}: those figures are lower bounds`;
}

function rowOf(f: IncidentFacts): RegisterRow {
  const e = f.effects;
  const window = e.firstTs === null ? '' : ` between ${new Date(e.firstTs).toISOString()} and ${new Date(e.lastTs ?? e.firstTs).toISOString()}`;
  const subjects = e.dataSubjects === null ? 'data subjects not yet counted' : `${e.dataSubjects} data subjects (${e.dataSubjectsMethod ?? 'unknown'})`;
  return {
    incidentId: f.incidentId,
    title: f.title,
    severity: f.severity,
    status: f.status,
    openedAt: f.openedAt,
    closedAt: f.closedAt,
    awareAt: f.awareness.at,
    awarenessDetermined: f.awareness.determined,
    notifiable: notifiable(f),
    regimes: Object.fromEntries(f.regimes.map((r) => [r.regime, r.outcome])),
    facts: `${f.scenario || 'incident'}: unauthorised access by ${f.principal || 'an unrecorded principal'}${e.topics.length > 0 ? ` to topic(s) ${e.topics.join(', ')}` : ''}${window}`,
    effects: `${e.records} records, ${e.bytes} bytes, ${subjects}${e.piiCategories.length > 0 ? `; categories: ${e.piiCategories.join(', ')}` : ''}${unplaced(f)}`,
    remedialAction: f.measures,
    decisions: f.decisions.map((d) => `${d.at}: ${d.decision}`),
    filings: f.regimes.flatMap((r) =>
      r.filings.map((x) => `${x.filedAt}: ${r.regime}/${x.stage} (${x.phase}) to ${x.recipient}, reference ${x.reference}${x.late ? `, late: ${x.lateReason ?? 'no reason recorded'}` : ''}`),
    ),
    missedDeadlines: f.regimes.flatMap((r) => r.missed.map((m) => `${r.regime}/${m.stage} due ${m.deadlineAt}`)),
    resolution: f.resolution ?? null,
    unknownEvents: f.unknownEvents,
  };
}

/**
 * One row per incident, in the order given (each inner list is one incident's events, oldest
 * first). Empty inner lists are skipped.
 */
export function breachRegister(eventsByIncident: DomainEvent[][]): RegisterRow[] {
  return eventsByIncident.filter((events) => events.length > 0).map((events) => rowOf(incidentFacts(events)));
}

/** The columns of the CSV and Markdown forms, in order. */
export const REGISTER_COLUMNS = [
  'incidentId',
  'title',
  'severity',
  'status',
  'openedAt',
  'closedAt',
  'awareAt',
  'awarenessDetermined',
  'notifiable',
  'regimes',
  'facts',
  'effects',
  'remedialAction',
  'decisions',
  'filings',
  'missedDeadlines',
  'resolution',
] as const satisfies ReadonlyArray<keyof RegisterRow>;

function cell(row: RegisterRow, column: (typeof REGISTER_COLUMNS)[number]): string {
  const v = row[column];
  if (v === null) return '';
  if (Array.isArray(v)) return v.join('; ');
  if (typeof v === 'object') return Object.entries(v).map(([k, s]) => `${k}: ${s}`).join('; ');
  return String(v);
}

/**
 * A CSV field (RFC 4180), also defused for spreadsheets: a value starting with `=`, `+`, `-`, `@`
 * or a tab would be run as a formula when the DPO opens the file, and titles come from alerts an
 * attacker can influence, so such a value is prefixed with `'`.
 */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The register as CSV: a header line, then one line per incident (CRLF line ends, RFC 4180). */
export function registerToCsv(rows: readonly RegisterRow[]): string {
  const lines = [REGISTER_COLUMNS.join(','), ...rows.map((r) => REGISTER_COLUMNS.map((c) => csvField(cell(r, c))).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

function mdCell(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>') || ' ';
}

/** The register as a Markdown table. */
export function registerToMarkdown(rows: readonly RegisterRow[]): string {
  const lines = [
    '# Breach register (GDPR Art. 33(5))',
    '',
    `${rows.length} incident(s), rebuilt from the audit topic.`,
    '',
    `| ${REGISTER_COLUMNS.join(' | ')} |`,
    `|${REGISTER_COLUMNS.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${REGISTER_COLUMNS.map((c) => mdCell(cell(r, c))).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}

/** The register as JSON: `{ "incidents": RegisterRow[] }`. */
export function registerToJson(rows: readonly RegisterRow[]): string {
  return `${JSON.stringify({ incidents: rows }, null, 2)}\n`;
}
