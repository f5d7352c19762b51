/**
 * Public types of the regulatory deadline calculator. The workflows (clocks), the runbook loader
 * and the CLI all code against these; fields may be added, never changed.
 */

/** Entity the clocks are computed for (from the runbook or config). */
export interface EntityCalendar {
  country: string;
  timeZone: string;
  weekendRelief: boolean;
  /**
   * Year → the country's public holidays as local `yyyy-MM-dd` dates. Workflow input always carries
   * them (`withHolidays`), so a deadline never depends on the holiday library at replay; node code
   * may leave them out and the registered library is asked.
   */
  holidays?: Readonly<Record<string, readonly string[]>>;
}

/** What is known about an incident that anchors the stages. All ISO-8601 UTC instants. */
export interface RegimeFacts {
  awareAt?: string;            // awareness (provisional from the SIEM time, or determined by a person)
  classifiedAt?: string;       // DORA classification as major
  classification?: 'major' | 'not-major';
  determinedAt?: string;       // SEC materiality / NYDFS determination
  discoveredAt?: string;       // HIPAA discovery (defaults to awareAt)
  filed: Record<string, string>; // stage name -> instant of its (latest) filing
}

/** One stage's deadline: `due` is an ISO-8601 UTC instant, or null while its anchor is unknown. */
export interface StageDue { stage: string; due: string | null; rule: string }

/** Every stage of one regime, in the regime's order. */
export interface RegimeDeadlines { regime: string; stages: StageDue[] }

/** The built-in regimes. */
export type RegimeId = 'gdpr' | 'uk-gdpr' | 'dora' | 'nis2' | 'sec-8k' | 'nydfs' | 'hipaa';

/** The fact a stage's period runs from; `filed:<stage>` is the submission of an earlier stage. */
export type StageAnchor = 'awareness' | 'classification' | 'determination' | 'discovery' | `filed:${string}`;

/** Units of a stage's period: hours are elapsed time, the others calendar arithmetic in the entity's zone. */
export type PeriodUnit = 'hours' | 'calendar-days' | 'business-days' | 'calendar-months';

/** A length of time counted from an anchor. */
export interface Period { amount: number; unit: PeriodUnit }

/** An outer limit on a stage: the due instant is never later than `period` after `anchor`. */
export interface StageBound { anchor: StageAnchor; period: Period }

/** One stage of a regime, as data (built in, or defined by a runbook). */
export interface StageDefinition {
  name: string;
  anchor: StageAnchor;
  period: Period;
  /** e.g. DORA initial: "no later than 24 h after awareness". */
  bound?: StageBound;
  /** Human text citing the legal reference; shown next to the due instant. */
  rule: string;
  /** Supplementary filings allowed after the first one (e.g. GDPR Art. 33(4)). */
  phased?: boolean;
  /** DORA: a due instant on a weekend or public holiday moves to the next working day 12:00 local when the entity opts in. */
  weekendRelief?: boolean;
}

/** A regime as data. */
export interface RegimeDefinition {
  id: string;
  title: string;
  legalReference: string;
  stages: StageDefinition[];
  /** The regime applies only after a classification of `major` (DORA). */
  requiresMajorClassification?: boolean;
}
