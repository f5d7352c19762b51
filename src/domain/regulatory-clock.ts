import { DomainError } from './errors';
import type { IsoTime } from './events';
import type { IncidentState, RegulatoryClockState } from './incident-state';
import { BUILTIN_REGIMES } from './regimes/builtin';
import type { EntityCalendar, RegimeDefinition, RegimeFacts } from './regimes/types';
import type { RegimeRule, Runbook } from './runbook';

/**
 * What the workflows need around the deadline calculator (`regimes/`): which definition a
 * runbook regime uses, the facts its dues are computed from, whether a filing is accepted, and
 * how a due reads to a person. Pure functions of their inputs: "now" is always passed in, never
 * read, so a workflow can call them during replay. All instants are UTC.
 */

/** A point in time: an ISO-8601 string with a zone (`Z` or `±hh:mm`) or epoch milliseconds. */
export type Instant = IsoTime | number;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Reads an instant into epoch ms; a string without an explicit zone is refused (no local time). */
export function toEpochMs(instant: Instant): number {
  if (typeof instant === 'number') {
    if (!Number.isFinite(instant)) throw new DomainError('INVALID_DURATION', `invalid instant ${instant}`);
    return instant;
  }
  const ms = ISO_INSTANT.test(instant) ? Date.parse(instant) : Number.NaN;
  if (Number.isNaN(ms)) throw new DomainError('INVALID_DURATION', `invalid instant "${instant}": expected ISO-8601 with Z or an offset`);
  return ms;
}

/** Writes an instant as ISO-8601 UTC. */
export function toIso(instant: Instant): IsoTime {
  return new Date(toEpochMs(instant)).toISOString();
}

/**
 * The definition a runbook regime uses: its own `stages` when it gives them (validated at load),
 * else the built-in regime of the same id.
 */
export function regimeDefinition(name: string, rule: RegimeRule): RegimeDefinition {
  const builtIn = Object.prototype.hasOwnProperty.call(BUILTIN_REGIMES, name) ? BUILTIN_REGIMES[name as keyof typeof BUILTIN_REGIMES] : undefined;
  if (rule.stages !== undefined) {
    return { id: name, title: builtIn?.title ?? name.toUpperCase(), legalReference: rule.article ?? builtIn?.legalReference ?? name, stages: rule.stages };
  }
  if (builtIn === undefined) throw new DomainError('RUNBOOK_INVALID', `regime "${name}" is not built in and has no stages`);
  return builtIn;
}

/**
 * The calendar of a runbook's entity. The loader requires `entity` whenever regimes are named;
 * a runbook built in code without one gets UTC and no weekend relief, never a guessed country.
 */
export function entityOf(runbook: Runbook, regime?: string): EntityCalendar {
  const own = regime === undefined ? undefined : runbook.regimes[regime]?.entity;
  return own ?? runbook.entity ?? { country: 'US', timeZone: 'UTC', weekendRelief: false };
}

/**
 * The facts one regime's dues are computed from, as the incident's events decided them;
 * `provisionalAwareAt` (the alert's time) stands in until awareness is recorded.
 */
export function regimeFacts(state: IncidentState, regime: string, provisionalAwareAt?: IsoTime): RegimeFacts {
  const f = { ...state.regulatoryFacts, awareAt: state.regulatoryFacts.awareAt ?? provisionalAwareAt };
  const clock = state.clocks[regime];
  const filed: Record<string, string> = {};
  for (const st of clock?.stages ?? []) {
    const first = st.filings[0];
    if (first !== undefined) filed[st.stage] = first.filedAt;
  }
  return {
    ...(f.awareAt !== undefined ? { awareAt: f.awareAt, discoveredAt: f.awareAt } : {}),
    ...(f.classification !== undefined ? { classification: f.classification } : {}),
    ...(f.classifiedAt !== undefined ? { classifiedAt: f.classifiedAt } : {}),
    ...(f.determinedAt !== undefined ? { determinedAt: f.determinedAt } : {}),
    filed,
  };
}

/** A stage filing as asked for (from `/ir notify`), before the incident accepts it. */
export interface StageFilingAsk {
  regime: string;
  stage: string;
  reference: string;
  lateReason?: string;
}

/** The verdict on a filing: what to record, or why it is refused (stable `code`, precise message). */
export type FilingVerdict =
  | { accepted: true; phase: 'initial' | 'supplementary'; late: boolean; lateReason?: string }
  | { accepted: false; code: 'NoSuchClock' | 'NoSuchStage' | 'NotNotifiable' | 'AlreadyFiled' | 'LateFilingWithoutReason' | 'MissingReference'; message: string };

/**
 * Whether a stage filing made at `now` is accepted. The initial filing of a stage is bound by its
 * due ("not later than": the due itself is in time); a late one needs the reasons for the delay
 * (GDPR Art. 33(1)). A stage is filed once, unless it is phased (Art. 33(4): supplementary
 * filings as information becomes available).
 */
export function checkStageFiling(clock: RegulatoryClockState | undefined, ask: StageFilingAsk, now: IsoTime): FilingVerdict {
  const regime = ask.regime.toUpperCase();
  if (clock === undefined) return { accepted: false, code: 'NoSuchClock', message: `no ${ask.regime} clock runs on this incident` };
  const stage = clock.stages.find((st) => st.stage === ask.stage);
  if (stage === undefined) {
    return { accepted: false, code: 'NoSuchStage', message: `${regime} has no stage "${ask.stage}" (stages: ${clock.stages.map((st) => st.stage).join(', ')})` };
  }
  if (!ask.reference.trim()) return { accepted: false, code: 'MissingReference', message: "the authority's reference of the filing is required" };
  if (clock.notNotifiable !== undefined) return { accepted: false, code: 'NotNotifiable', message: `${regime} was recorded as not notifiable: ${clock.notNotifiable.reasoning}` };
  if (stage.filings.length > 0) {
    if (!stage.phased) return { accepted: false, code: 'AlreadyFiled', message: `${regime} ${stage.stage} is already filed (ref ${stage.filings[0]?.reference ?? '?'}); it takes no supplementary filing` };
    return { accepted: true, phase: 'supplementary', late: false };
  }
  const late = stage.due !== null && Date.parse(now) > Date.parse(stage.due);
  if (!late) return { accepted: true, phase: 'initial', late: false };
  const reason = ask.lateReason?.trim();
  if (!reason) {
    return {
      accepted: false,
      code: 'LateFilingWithoutReason',
      message: `${regime} ${stage.stage} was due ${stage.due} and is filed at ${now}: a late filing must give the reasons for the delay (add \`late: <reason>\`)`,
    };
  }
  return { accepted: true, phase: 'initial', late: true, lateReason: reason };
}

/** An instant in the entity's local time, e.g. `Mon 23 Nov 2026, 10:00 Europe/Berlin`. */
export function localTime(iso: IsoTime, timeZone: string): string {
  const text = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: '2-digit', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
  return `${text} ${timeZone}`;
}

/** Time left until `due` from `now`, e.g. `2d 3h 5m left` or `1h 2m overdue`. */
export function timeLeft(due: IsoTime, now: IsoTime): string {
  const ms = Date.parse(due) - Date.parse(now);
  const abs = Math.abs(ms);
  const d = Math.floor(abs / 86_400_000);
  const h = Math.floor((abs % 86_400_000) / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const text = [d > 0 ? `${d}d` : '', d > 0 || h > 0 ? `${h}h` : '', `${m}m`].filter(Boolean).join(' ');
  return ms >= 0 ? `${text} left` : `${text} overdue`;
}

/** The runbook's Art. 34 rule: when must the data subjects themselves be told. */
export interface DataSubjectRule {
  minDataSubjects: number;
  /** PII categories whose exposure makes the risk high, e.g. `contact`, `financial`. */
  piiCategories: ReadonlyArray<string>;
}

/** The forensic figures the decision is taken on. */
export interface ExposureFigures {
  dataSubjects: number;
  /** `hll` counts are estimates; the decision then uses the upper end of their error bound. */
  method: 'exact' | 'hll';
  relativeStandardError?: number;
  /** PII categories present in the records read. */
  piiCategories: ReadonlyArray<string>;
  /** Art. 34(3)(a): the data was unintelligible to the attacker (encrypted, tokenised). */
  unintelligible?: boolean;
}

/** The Art. 34 decision and why. */
export interface DataSubjectDecision {
  required: boolean;
  reasons: string[];
  categories: string[];
}

/**
 * Decides whether data subjects must be notified: the exposed categories include one the rule
 * names as high-risk AND at least `minDataSubjects` were affected — unless the data was
 * unintelligible to the attacker. An estimated count near the threshold errs on the side of
 * notifying (its upper 3-sigma bound is compared).
 */
export function dataSubjectDecision(rule: DataSubjectRule, figures: ExposureFigures): DataSubjectDecision {
  const categories = figures.piiCategories.filter((c) => rule.piiCategories.includes(c)).sort();
  const upper =
    figures.method === 'hll' ? Math.ceil(figures.dataSubjects * (1 + 3 * (figures.relativeStandardError ?? 0))) : figures.dataSubjects;
  const reasons: string[] = [];
  if (figures.unintelligible) {
    reasons.push('the data was unintelligible to the attacker (Art. 34(3)(a))');
    return { required: false, reasons, categories };
  }
  const enoughSubjects = upper >= rule.minDataSubjects;
  reasons.push(
    enoughSubjects
      ? `${figures.method === 'hll' ? 'about ' : ''}${figures.dataSubjects} data subjects affected (threshold ${rule.minDataSubjects})`
      : `${figures.dataSubjects} data subjects affected, below the threshold of ${rule.minDataSubjects}`,
  );
  reasons.push(
    categories.length > 0 ? `high-risk categories exposed: ${categories.join(', ')}` : 'no high-risk category exposed',
  );
  return { required: enoughSubjects && categories.length > 0, reasons, categories };
}
