import type { DomainEvent, StageDueData, UnlocatedWritesEntry } from '../events';
import { foldEvents } from '../incident';

/**
 * What the regulatory documents (notification drafts, the Art. 33(5) breach register) need to
 * know about one incident, read from its domain events. Counts, categories, topics and instants
 * only: actor ids, approvers and free-text comments of approvals never reach this record.
 *
 * The lifecycle status comes from the incident reducer (`foldEvents`); everything regulatory is
 * read event by event, so an event type this code does not know (a newer release's, or one the
 * reducer refuses) is counted and skipped, never a crash: the register must list every incident.
 */

/** One filing of one stage with an authority or with data subjects. */
export interface FilingFact {
  regime: string;
  stage: string;
  recipient: string;
  reference: string;
  filedAt: string;
  phase: string;
  late: boolean;
  lateReason?: string;
}

/** Where a regime stands for the incident. */
export interface RegimeFact {
  regime: string;
  authority?: string;
  /** Latest stage dues recorded (clock started or recomputed). */
  stages: StageDueData[];
  filings: FilingFact[];
  missed: Array<{ stage: string; deadlineAt: string }>;
  refused: Array<{ stage: string; code: string; at: string }>;
  /** Documented reasoning when recorded as not notifiable (Art. 33(1)/(5)). */
  notNotifiable?: string;
  /** `notified` (a filing made), `not-notifiable` (a decision recorded), else `pending`. */
  outcome: 'notified' | 'not-notifiable' | 'pending';
}

/** A decision someone recorded (never the person: only what was decided, when and why). */
export interface DecisionFact {
  at: string;
  decision: string;
}

/** The incident's regulatory record. */
export interface IncidentFacts {
  incidentId: string;
  title: string;
  severity: string;
  scenario: string;
  mode: string;
  principal: string;
  openedAt: string;
  closedAt: string | null;
  /** Lifecycle status from the reducer; `closed`/`open` from the events when the reducer refuses them. */
  status: string;
  awareness: { at: string | null; determined: boolean };
  classification?: { value: string; at: string };
  determinedAt?: string;
  /** Forensic figures, summed over topics. */
  effects: {
    topics: string[];
    records: string;
    bytes: string;
    dataSubjects: number | null;
    dataSubjectsMethod: string | null;
    relativeStandardError: number | null;
    piiCategories: string[];
    firstTs: number | null;
    lastTs: number | null;
    /**
     * How precise the partition ranges are (issue 12): partitions per label and the sources that
     * support them. Absent when no window states a precision (events before the sources existed).
     */
    precision?: { partitions: Record<'exact' | 'bounded' | 'time-derived', number>; sources: string[] };
    /**
     * Writes of the principal the forensics could not place (access: write), per topic and reason:
     * the windows of those topics are lower bounds. Absent when no window carries any.
     */
    unlocatedWrites?: Array<UnlocatedWritesEntry & { topic: string }>;
  };
  /** Remedial measures taken, one line each. */
  measures: string[];
  decisions: DecisionFact[];
  regimes: RegimeFact[];
  dataSubjects: { required?: { count: number; reasons: string[] }; decision?: { decision: string; reason: string } };
  resolution?: string;
  openItems: string[];
  /** Event types this reader skipped (unknown to it). */
  unknownEvents: number;
}

type Data = Record<string, unknown>;

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function addDecimal(a: string, b: unknown): string {
  const s = typeof b === 'string' && /^\d+$/.test(b) ? b : typeof b === 'number' && Number.isSafeInteger(b) ? String(b) : '0';
  return (BigInt(a) + BigInt(s)).toString();
}

function emptyFacts(first: DomainEvent | undefined): IncidentFacts {
  const d = (first?.type === 'IncidentOpened' ? first.data : {}) as Data;
  return {
    incidentId: first?.incidentId ?? 'unknown',
    title: str(d.title, '(no IncidentOpened event)'),
    severity: str(d.severity, 'unknown'),
    scenario: str(d.scenario),
    mode: str(d.mode, 'live'),
    principal: str(d.principal),
    openedAt: first?.at ?? '',
    closedAt: null,
    status: 'open',
    awareness: { at: null, determined: false },
    effects: { topics: [], records: '0', bytes: '0', dataSubjects: null, dataSubjectsMethod: null, relativeStandardError: null, piiCategories: [], firstTs: null, lastTs: null },
    measures: [],
    decisions: [],
    regimes: [],
    dataSubjects: {},
    openItems: [],
    unknownEvents: 0,
  };
}

function regimeOf(facts: IncidentFacts, regime: string): RegimeFact {
  let r = facts.regimes.find((x) => x.regime === regime);
  if (r === undefined) {
    r = { regime, stages: [], filings: [], missed: [], refused: [], outcome: 'pending' };
    facts.regimes.push(r);
  }
  return r;
}

function stageList(v: unknown): StageDueData[] {
  if (!Array.isArray(v)) return [];
  return v
    .filter((s): s is Data => typeof s === 'object' && s !== null)
    .map((s) => ({ stage: str(s.stage), due: typeof s.due === 'string' ? s.due : null, rule: str(s.rule) }));
}

function forensics(facts: IncidentFacts, d: Data): void {
  const e = facts.effects;
  const topic = str(d.topic);
  const totals = (d.totals ?? {}) as Data;
  if (topic !== '' && !e.topics.includes(topic)) e.topics.push(topic);
  e.records = addDecimal(e.records, totals.records);
  e.bytes = addDecimal(e.bytes, totals.bytes);
  const subjects = (d.dataSubjects ?? {}) as Data;
  const count = num(subjects.count);
  if (count !== null) {
    // Several topics: the subjects may overlap, so the largest count is the safe lower estimate.
    e.dataSubjects = Math.max(e.dataSubjects ?? 0, count);
    e.dataSubjectsMethod = str(subjects.method, 'unknown');
    e.relativeStandardError = num(subjects.relativeStandardError);
  }
  for (const c of strings(d.piiCategories)) if (!e.piiCategories.includes(c)) e.piiCategories.push(c);
  precisionOf(e, d);
  unlocatedOf(e, topic, d.unlocatedWrites);
  const first = num(totals.firstTs);
  const last = num(totals.lastTs);
  if (first !== null) e.firstTs = e.firstTs === null ? first : Math.min(e.firstTs, first);
  if (last !== null) e.lastTs = e.lastTs === null ? last : Math.max(e.lastTs, last);
}

/** Counts the precision labels of a window's partitions into the effects. */
function precisionOf(e: IncidentFacts['effects'], d: Data): void {
  const partitions = Array.isArray(d.partitions) ? (d.partitions as Data[]) : [];
  for (const p of partitions) {
    const label = p.precision;
    if (label !== 'exact' && label !== 'bounded' && label !== 'time-derived') continue;
    e.precision ??= { partitions: { exact: 0, bounded: 0, 'time-derived': 0 }, sources: [] };
    e.precision.partitions[label]++;
    for (const s of strings(p.sources)) if (!e.precision.sources.includes(s)) e.precision.sources.push(s);
  }
  e.precision?.sources.sort();
}

/** The window's unplaced writes (a later window of the same topic replaces them), read defensively. */
function unlocatedOf(e: IncidentFacts['effects'], topic: string, v: unknown): void {
  if (!Array.isArray(v)) return;
  const kept = (e.unlocatedWrites ?? []).filter((u) => u.topic !== topic);
  for (const raw of v as unknown[]) {
    if (typeof raw !== 'object' || raw === null) continue;
    const u = raw as Data;
    const count = num(u.count);
    if ((u.reason !== 'acks-0' && u.reason !== 'unknown-topic-id') || count === null || count <= 0) continue;
    const partitions = Array.isArray(u.partitions) ? u.partitions.filter((p): p is number => Number.isSafeInteger(p)) : [];
    kept.push({ topic, reason: u.reason, count, topicNamed: u.topicNamed !== false, partitions, firstTs: num(u.firstTs), lastTs: num(u.lastTs) });
  }
  if (kept.length > 0) e.unlocatedWrites = kept;
  else delete e.unlocatedWrites;
}

/** Remedial measures, as one line each; false when the event is not a measure. */
function applyMeasure(facts: IncidentFacts, type: string, d: Data, at: string): boolean {
  const line = ((): string | undefined => {
    switch (type) {
      case 'AccessRevoked':
        return `access of ${str(d.principal)} revoked (${str(d.scope)} scope)${d.verified === true ? ', verified refused' : ''}`;
      case 'CredentialRotated':
        return `credential of ${str(d.account)} rotated`;
      case 'CredentialRevoked':
        return `${str(d.credential)} of ${str(d.account)} revoked`;
      case 'CircuitOpened':
        return `circuit breaker ${str(d.breaker)} opened on topic ${str(d.topic)}`;
      case 'CircuitClosed':
        return `circuit breaker ${str(d.breaker)} closed on topic ${str(d.topic)}`;
      case 'LegalHoldApplied':
        return `legal hold on topic ${str(d.topic)}`;
      case 'EvidencePreserved':
        return `evidence preserved from ${str(d.sourceTopic)}[${String(num(d.partition) ?? '?')}] (${str(d.records, '0')} records)`;
      case 'StepCompensated':
        return `step ${str(d.stepId)} undone (${str(d.undone)})`;
      default:
        return undefined;
    }
  })();
  if (line !== undefined) facts.measures.push(`${at}: ${line}`);
  return line !== undefined;
}

/** Clocks, filings and misses; false when the event is none of these. */
function applyClock(facts: IncidentFacts, type: string, d: Data, at: string): boolean {
  switch (type) {
    case 'RegulatoryClockStarted': {
      const r = regimeOf(facts, str(d.regime));
      r.authority = str(d.authority) || r.authority;
      r.stages = stageList(d.stages);
      if (typeof d.awarenessAt === 'string' && !facts.awareness.determined) facts.awareness.at = d.awarenessAt;
      return true;
    }
    case 'DeadlinesRecomputed':
      regimeOf(facts, str(d.regime)).stages = stageList(d.stages);
      return true;
    case 'NotificationFiled': {
      const r = regimeOf(facts, str(d.regime));
      r.filings.push({
        regime: r.regime,
        stage: str(d.stage, str(d.recipient) === 'data-subjects' ? 'data-subjects' : 'authority'),
        recipient: str(d.recipient),
        reference: str(d.reference),
        filedAt: str(d.filedAt, at),
        phase: str(d.phase, 'initial'),
        late: d.late === true,
        ...(typeof d.lateReason === 'string' ? { lateReason: d.lateReason } : {}),
      });
      if (str(d.recipient) !== 'data-subjects') r.outcome = 'notified';
      return true;
    }
    case 'DeadlineMissed':
      regimeOf(facts, str(d.regime)).missed.push({ stage: str(d.stage), deadlineAt: str(d.deadlineAt) });
      return true;
    case 'FilingRefused':
      regimeOf(facts, str(d.regime)).refused.push({ stage: str(d.stage), code: str(d.code), at });
      return true;
    default:
      return false;
  }
}

/** Decisions a person recorded; false when the event is not one. */
function applyDecision(facts: IncidentFacts, type: string, d: Data, at: string): boolean {
  switch (type) {
    case 'AwarenessDetermined':
      facts.awareness = { at: str(d.awareAt, at), determined: true };
      facts.decisions.push({ at, decision: `awareness determined as ${str(d.awareAt)}: ${str(d.reason)}` });
      return true;
    case 'IncidentClassified':
      facts.classification = { value: str(d.classification), at };
      facts.decisions.push({ at, decision: `DORA classification: ${str(d.classification)}` });
      if (d.classification === 'not-major') {
        const r = regimeOf(facts, 'dora');
        if (r.outcome === 'pending') r.outcome = 'not-notifiable';
        r.notNotifiable ??= 'classified not major';
      }
      return true;
    case 'MaterialityDetermined':
      facts.determinedAt = str(d.determinedAt, at);
      facts.decisions.push({ at, decision: `materiality determined as of ${str(d.determinedAt)}` });
      return true;
    case 'RegimeNotNotifiable': {
      const r = regimeOf(facts, str(d.regime));
      r.notNotifiable = str(d.reasoning);
      if (r.outcome === 'pending') r.outcome = 'not-notifiable';
      facts.decisions.push({ at, decision: `${r.regime} not notifiable: ${str(d.reasoning)}` });
      return true;
    }
    case 'DataSubjectDecision':
      facts.dataSubjects.decision = { decision: str(d.decision), reason: str(d.reason) };
      facts.decisions.push({ at, decision: `${str(d.regime)} Art. 34: ${str(d.decision)} (${str(d.reason)})` });
      return true;
    default:
      return false;
  }
}

/** Event types known to carry nothing the regulatory record needs. */
const IGNORED = new Set([
  'AlertCorrelated',
  'ApprovalRequested',
  'ApprovalGranted',
  'ApprovalDenied',
  'StepPlanned',
  'StepStarted',
  'StepCompleted',
  'StepFailed',
  'ReminderSent',
  'ReminderFailed',
  'ActionRefused',
]);

/** Applies one event to the record; false for an event type this reader does not know. */
function apply(facts: IncidentFacts, event: DomainEvent): boolean {
  const type = event.type as string;
  const d = (event.data ?? {}) as Data;
  const at = event.at;
  switch (type) {
    case 'IncidentOpened':
      facts.awareness.at ??= at;
      return true;
    case 'ForensicWindowEstablished':
      forensics(facts, d);
      return true;
    case 'DataSubjectNotificationRequired':
      facts.dataSubjects.required = { count: num(d.dataSubjects) ?? 0, reasons: strings(d.reasons) };
      return true;
    case 'IncidentClosed':
      facts.closedAt = at;
      facts.status = 'closed';
      facts.resolution = str(d.resolution);
      facts.openItems = strings(d.openItems);
      return true;
    default:
      return applyMeasure(facts, type, d, at) || applyClock(facts, type, d, at) || applyDecision(facts, type, d, at) || IGNORED.has(type);
  }
}

/**
 * The regulatory record of one incident from its events, oldest first. Never throws on an
 * unknown or malformed event; an empty list gives a record with `incidentId: 'unknown'`.
 */
export function incidentFacts(events: readonly DomainEvent[]): IncidentFacts {
  const facts = emptyFacts(events[0]);
  for (const event of events) if (!apply(facts, event)) facts.unknownEvents += 1;
  try {
    facts.status = foldEvents(events).status;
  } catch {
    // The reducer refuses what it does not know; the status read from the events stands.
  }
  return facts;
}
