import type { DomainEvent } from './events';
import { BUILTIN_REGIMES, isRegimeId, RegimeInputError } from './regimes';
import { incidentFacts, type IncidentFacts, type RegimeFact } from './regimes/incident-facts';
import { unlocatedStatement } from './unlocated-writes';

/**
 * Notification drafts in Markdown, one per regime stage, built from the incident's events alone.
 * A draft is a starting point for the person who files: every figure comes from the record
 * (counts, categories, topics, instants), every judgement is left as a marked placeholder, and
 * nothing personal is written (no data subject, no approver, no free-text comment).
 */

const TODO = (what: string): string => `_[to complete: ${what}]_`;

function iso(ms: number | null): string {
  return ms === null ? 'unknown' : new Date(ms).toISOString();
}

function countLine(f: IncidentFacts): string {
  const e = f.effects;
  const subjects =
    e.dataSubjects === null
      ? TODO('approximate number of data subjects (forensics not yet established)')
      : `approximately ${e.dataSubjects}${e.dataSubjectsMethod === 'hll' && e.relativeStandardError !== null ? ` (estimated, relative standard error ${(e.relativeStandardError * 100).toFixed(1)} %)` : ''}`;
  return [`- Data subjects concerned: ${subjects}`, `- Personal data records concerned: approximately ${e.records} (${e.bytes} bytes read)`, ...precisionLine(f), ...unlocatedLines(f)].join('\n');
}

/** Writes the forensics could not place (access: write): the figures of those topics are lower bounds. */
function unlocatedLines(f: IncidentFacts): string[] {
  const byTopic = new Map<string, NonNullable<IncidentFacts['effects']['unlocatedWrites']>>();
  for (const u of f.effects.unlocatedWrites ?? []) byTopic.set(u.topic, [...(byTopic.get(u.topic) ?? []), u]);
  return [...byTopic].map(([topic, entries]) => `- Not in the figures for ${topic}: ${unlocatedStatement(entries) ?? ''}`);
}

/** How precise the record figures are, when the forensic window says (issue 12). */
function precisionLine(f: IncidentFacts): string[] {
  const p = f.effects.precision;
  if (p === undefined) return [];
  const parts: string[] = [];
  if (p.partitions.exact > 0) parts.push(`${p.partitions.exact} partition(s) exact (each fetch recorded)`);
  if (p.partitions.bounded > 0) parts.push(`${p.partitions.bounded} bounded (the records read lie within the stated ranges, which may be wider)`);
  if (p.partitions['time-derived'] > 0) parts.push(`${p.partitions['time-derived']} time-derived (ranges inferred from access times through the timestamp index, assuming reading began no earlier than the suspected start)`);
  const upper = p.partitions.bounded + p.partitions['time-derived'] > 0 ? ' The record count is therefore an upper estimate.' : '';
  return [`- Precision of these figures: ${parts.join('; ')}; sources: ${p.sources.join(', ') || 'none'}.${upper}`];
}

function natureSection(f: IncidentFacts): string {
  const e = f.effects;
  return [
    `- What happened: ${f.title} (${f.scenario || 'scenario not recorded'}); unauthorised read access by the principal ${f.principal || 'not recorded'}.`,
    `- Systems concerned: Kafka topic(s) ${e.topics.length === 0 ? TODO('topics (forensics not yet established)') : e.topics.join(', ')}.`,
    `- When: records read between ${iso(e.firstTs)} and ${iso(e.lastTs)}; incident opened ${f.openedAt}.`,
    `- Awareness: ${f.awareness.at ?? 'unknown'} (${f.awareness.determined ? 'determined by the organisation' : 'provisional: the alert time, not yet determined by a person'}).`,
    `- Categories of personal data: ${e.piiCategories.length === 0 ? TODO('categories') : e.piiCategories.join(', ')}.`,
    countLine(f),
  ].join('\n');
}

function measuresSection(f: IncidentFacts): string {
  const taken = f.measures.length === 0 ? ['- None recorded yet.'] : f.measures.map((m) => `- ${m}`);
  return [...taken, `- Proposed: ${TODO('further measures, including measures to mitigate possible adverse effects')}`].join('\n');
}

function filingsSection(r: RegimeFact | undefined, stage: string): string {
  const stageDue = r?.stages.find((s) => s.stage === stage);
  const lines = [`- Due: ${stageDue?.due ?? 'not yet computable (anchor unknown) or no clock recorded'}${stageDue ? ` (${stageDue.rule})` : ''}`];
  const previous = r?.filings.filter((x) => x.stage === stage) ?? [];
  for (const p of previous) lines.push(`- Already filed (${p.phase}): reference ${p.reference} at ${p.filedAt}${p.late ? ' (late)' : ''}`);
  if (previous.length > 0) lines.push('- This draft is a supplementary filing: give only what is new since the last one.');
  return lines.join('\n');
}

/** Per-regime sections: heading → body. */
type Sections = Array<[string, string]>;

function gdprSections(f: IncidentFacts, regime: string): Sections {
  const late = f.regimes.find((r) => r.regime === regime)?.missed.length ?? 0;
  const sections: Sections = [
    ['Art. 33(3)(a): nature of the personal data breach', natureSection(f)],
    ['Art. 33(3)(b): data protection officer or other contact point', `- ${TODO('name and contact details of the DPO or contact point')}`],
    [
      'Art. 33(3)(c): likely consequences',
      [
        `- ${TODO('likely consequences for the data subjects (e.g. fraud, identity theft, loss of confidentiality)')}`,
        ...(f.dataSubjects.required ? [`- Risk assessment recorded: high risk for ${f.dataSubjects.required.count} data subjects (${f.dataSubjects.required.reasons.join('; ')}); see Art. 34.`] : []),
      ].join('\n'),
    ],
    ['Art. 33(3)(d): measures taken or proposed', measuresSection(f)],
    ['Art. 33(4): information not yet available', `- ${TODO('what is still being investigated and when it will be provided in a further phase')}`],
  ];
  if (late > 0) sections.push(['Art. 33(1): reasons for the delay', `- ${TODO('reasons why the notification was not made within 72 hours')}`]);
  return sections;
}

function doraSections(f: IncidentFacts, stage: string): Sections {
  const base: Sections = [
    ['Incident description and detection', natureSection(f)],
    ['Classification (Delegated Regulation (EU) 2024/1772)', `- Classified ${f.classification?.value ?? 'not yet'}${f.classification ? ` at ${f.classification.at}` : ''}.\n- Criteria met: ${TODO('clients, data losses, critical services, duration, geographical spread, economic impact')}`],
    ['Impact', `${countLine(f)}\n- Services affected: ${TODO('services and functions affected')}`],
    ['Actions taken', measuresSection(f)],
    ['Contact', `- ${TODO('24/7 contact point of the financial entity')}`],
  ];
  if (stage === 'intermediate' || stage === 'final') base.push(['Root cause (preliminary for the intermediate report)', `- ${TODO('root cause and how the incident was detected')}`]);
  if (stage === 'final') base.push(['Lessons learned and permanent resolution', `- ${TODO('root cause analysis, remediation completed, lessons learned')}`]);
  return base;
}

function nis2Sections(f: IncidentFacts, stage: string): Sections {
  if (stage === 'early-warning') {
    return [
      ['Art. 23(4)(a): early warning', natureSection(f)],
      ['Suspected unlawful or malicious act', `- ${TODO('whether the incident is suspected to be caused by unlawful or malicious acts')}`],
      ['Cross-border impact', `- ${TODO('whether it could have a cross-border impact')}`],
    ];
  }
  const sections: Sections = [
    ['Art. 23(4)(b): initial assessment', natureSection(f)],
    ['Severity and impact', `${countLine(f)}\n- ${TODO('severity and operational impact')}`],
    ['Indicators of compromise', `- Principal: ${f.principal || 'not recorded'}\n- ${TODO('other indicators of compromise')}`],
    ['Mitigation measures', measuresSection(f)],
  ];
  if (stage === 'final') sections.push(['Art. 23(4)(d): root cause and cross-border impact', `- ${TODO('type of threat or root cause, applied and ongoing mitigation, cross-border impact')}`]);
  return sections;
}

function sec8kSections(f: IncidentFacts): Sections {
  return [
    ['Item 1.05(a): nature, scope and timing', `${natureSection(f)}\n- Materiality determined: ${f.determinedAt ?? TODO('date of the materiality determination')}`],
    ['Item 1.05(a): material impact or reasonably likely material impact', `- ${TODO('impact on financial condition and results of operations')}`],
    ['Information not yet determined (Instruction 2: amend within four business days once known)', `- ${TODO('what is not yet determined')}`],
  ];
}

function nydfsSections(f: IncidentFacts): Sections {
  return [
    ['23 NYCRR 500.17(a): cybersecurity incident', `${natureSection(f)}\n- Determination: ${f.determinedAt ?? TODO('when it was determined that a cybersecurity incident occurred')}`],
    ['Remediation', measuresSection(f)],
    ['Contact', `- ${TODO('contact for the superintendent')}`],
  ];
}

function hipaaSections(f: IncidentFacts): Sections {
  return [
    ['164.404(c)(1)(A): what happened, date of the breach and of its discovery', natureSection(f)],
    ['164.404(c)(1)(B): types of unsecured protected health information involved', `- ${f.effects.piiCategories.length === 0 ? TODO('types of PHI') : f.effects.piiCategories.join(', ')}`],
    ['164.404(c)(1)(C): steps individuals should take to protect themselves', `- ${TODO('steps for individuals')}`],
    ['164.404(c)(1)(D): what we are doing to investigate, mitigate and protect', measuresSection(f)],
    ['164.404(c)(1)(E): contact procedures', `- ${TODO('toll-free number, e-mail address, web site or postal address')}`],
  ];
}

function sectionsFor(f: IncidentFacts, regime: string, stage: string): Sections {
  switch (regime) {
    case 'gdpr':
    case 'uk-gdpr':
      return gdprSections(f, regime);
    case 'dora':
      return doraSections(f, stage);
    case 'nis2':
      return nis2Sections(f, stage);
    case 'sec-8k':
      return sec8kSections(f);
    case 'nydfs':
      return nydfsSections(f);
    case 'hipaa':
      return hipaaSections(f);
    default:
      return [['Incident', natureSection(f)], ['Measures', measuresSection(f)]];
  }
}

/**
 * The Markdown draft of one regime stage's notification, from the incident's events (oldest
 * first). Built-in regimes get their legal contents (GDPR Art. 33(3) and so on); a runbook-defined
 * regime gets generic sections.
 * @throws RegimeInputError when a built-in regime has no such stage.
 */
export function draftNotification(events: DomainEvent[], regime: string, stage: string): string {
  if (isRegimeId(regime) && !BUILTIN_REGIMES[regime].stages.some((s) => s.name === stage)) {
    throw new RegimeInputError('stage', `${regime} has no stage "${stage}"; its stages are ${BUILTIN_REGIMES[regime].stages.map((s) => s.name).join(', ')}`);
  }
  const f = incidentFacts(events);
  const title = isRegimeId(regime) ? BUILTIN_REGIMES[regime].title : regime;
  const reference = isRegimeId(regime) ? BUILTIN_REGIMES[regime].legalReference : 'runbook-defined regime';
  const r = f.regimes.find((x) => x.regime === regime);
  const out = [
    `# DRAFT: ${title}, stage "${stage}"`,
    '',
    `Incident ${f.incidentId}: ${f.title} (severity ${f.severity}, status ${f.status}). ${reference}.`,
    `Built from the incident record (${events.length} events); counts only, no personal data. Review every line and complete the marked placeholders before filing.`,
    '',
    '## Deadline and earlier filings',
    filingsSection(r, stage),
  ];
  if (r?.outcome === 'not-notifiable') out.push('', '> Recorded as not notifiable under this regime: the reasoning is in the breach register.');
  for (const [heading, body] of sectionsFor(f, regime, stage)) out.push('', `## ${heading}`, body);
  return `${out.join('\n')}\n`;
}
