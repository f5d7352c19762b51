import { formatDuration, parseDuration } from './duration';
import { DomainError, LateFilingWithoutReasonError } from './errors';
import type { EventDataMap, IsoTime } from './events';
import type { RegimeRule } from './runbook';

/**
 * Regulatory deadline arithmetic (GDPR Art. 33 and 34, and any regime with the same shape).
 * Pure functions of their inputs: "now" is always passed in, never read, so a workflow can call
 * them during replay and tests can hit every instant exactly. All times are UTC instants.
 */

/** A point in time: an ISO-8601 string with a zone (`Z` or `±hh:mm`) or epoch milliseconds. */
export type Instant = IsoTime | number;

/** One reminder mark on a clock. */
export interface ClockMark {
  /** As written in the runbook, e.g. `24h`. */
  label: string;
  /** Milliseconds after awareness. */
  offsetMs: number;
  at: IsoTime;
}

/** A started regulatory clock. */
export interface RegulatoryClock {
  regime: string;
  awarenessAt: IsoTime;
  deadlineAt: IsoTime;
  deadlineMs: number;
  marks: ClockMark[];
}

/** What a clock is built from: the runbook's regime rule and the moment of awareness. */
export interface ClockSpec {
  regime: string;
  awarenessAt: Instant;
  /** e.g. `72h` or `P3D`. */
  deadline: string | number;
  /** Durations from awareness, e.g. `['24h', '48h', '60h', '70h']`. */
  reminderMarks: ReadonlyArray<string | number>;
}

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
 * Starts a clock: deadline = awareness + deadline duration; each mark = awareness + its offset.
 * Marks must be distinct and fall strictly between awareness and the deadline, or they could
 * never fire as reminders.
 */
export function startClock(spec: ClockSpec): RegulatoryClock {
  const aware = toEpochMs(spec.awarenessAt);
  const deadlineMs = parseDuration(spec.deadline);
  if (deadlineMs <= 0) throw new DomainError('INVALID_DURATION', `${spec.regime}: the deadline must be positive`);
  const marks = spec.reminderMarks
    .map((m) => {
      const offsetMs = parseDuration(m);
      return { label: typeof m === 'string' ? m.trim() : formatDuration(m), offsetMs, at: toIso(aware + offsetMs) };
    })
    .sort((a, b) => a.offsetMs - b.offsetMs);
  marks.forEach((m, i) => {
    if (m.offsetMs <= 0 || m.offsetMs >= deadlineMs) {
      throw new DomainError('INVALID_DURATION', `${spec.regime}: mark ${m.label} is not between awareness and the ${formatDuration(deadlineMs)} deadline`);
    }
    if (i > 0 && marks[i - 1]?.offsetMs === m.offsetMs) throw new DomainError('INVALID_DURATION', `${spec.regime}: mark ${m.label} is repeated`);
  });
  return { regime: spec.regime, awarenessAt: toIso(aware), deadlineAt: toIso(aware + deadlineMs), deadlineMs, marks };
}

/** The clock a runbook regime calls for, given the moment of awareness its `awarenessFrom` picks. */
export function clockSpecFor(regime: string, rule: RegimeRule, awarenessAt: Instant): ClockSpec {
  return { regime, awarenessAt, deadline: rule.deadline, reminderMarks: rule.reminderMarks };
}

/** The RegulatoryClockStarted payload for a started clock. */
export function clockStartedData(clock: RegulatoryClock): EventDataMap['RegulatoryClockStarted'] {
  return {
    regime: clock.regime,
    awarenessAt: clock.awarenessAt,
    deadlineAt: clock.deadlineAt,
    marks: clock.marks.map((m) => ({ label: m.label, at: m.at })),
  };
}

/** The next thing that will happen on a clock strictly after `now`. */
export type NextMark = { kind: 'reminder'; label: string; at: IsoTime } | { kind: 'deadline'; label: 'deadline'; at: IsoTime };

/**
 * The next reminder or the deadline strictly after `now`; undefined once the deadline has passed.
 * A workflow sleeps until `at`, then sends `dueReminders(now)` and asks again — so a mark that
 * falls exactly on `now` is due, not next.
 */
export function nextMark(clock: RegulatoryClock, now: Instant): NextMark | undefined {
  const t = toEpochMs(now);
  const mark = clock.marks.find((m) => toEpochMs(m.at) > t);
  if (mark !== undefined) return { kind: 'reminder', label: mark.label, at: mark.at };
  return toEpochMs(clock.deadlineAt) > t ? { kind: 'deadline', label: 'deadline', at: clock.deadlineAt } : undefined;
}

/** Reminders whose instant has come (`at <= now`) and that are not in `sent`, oldest first. */
export function dueReminders(clock: RegulatoryClock, now: Instant, sent: ReadonlyArray<string> = []): ClockMark[] {
  const t = toEpochMs(now);
  return clock.marks.filter((m) => toEpochMs(m.at) <= t && !sent.includes(m.label));
}

/** Milliseconds left until the deadline (negative once overdue). */
export function timeRemaining(clock: RegulatoryClock, now: Instant): number {
  return toEpochMs(clock.deadlineAt) - toEpochMs(now);
}

/** Whether the deadline has passed at `now`: filing exactly at the deadline is still in time. */
export function isOverdue(clock: RegulatoryClock, now: Instant): boolean {
  return timeRemaining(clock, now) < 0;
}

/** Whether a filing made at `filedAt` is late ("not later than 72 hours": the deadline itself is in time). */
export function isLate(clock: RegulatoryClock, filedAt: Instant): boolean {
  return isOverdue(clock, filedAt);
}

/**
 * Checks a filing and returns what the NotificationFiled event records. Art. 33(1): a late
 * notification "shall be accompanied by reasons for the delay" — so a late one without a
 * reason is refused rather than recorded.
 */
export function checkFiling(
  clock: RegulatoryClock,
  filing: { filedAt: Instant; lateReason?: string },
): { filedAt: IsoTime; late: boolean; lateReason?: string } {
  const filedAt = toIso(filing.filedAt);
  if (!isLate(clock, filing.filedAt)) return { filedAt, late: false };
  const reason = filing.lateReason?.trim();
  if (!reason) throw new LateFilingWithoutReasonError(clock.regime, clock.deadlineAt, filedAt);
  return { filedAt, late: true, lateReason: reason };
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
