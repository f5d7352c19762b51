/**
 * Schedule specs as pure time computation: which nominal instants a `ScheduleSpec` selects.
 *
 * Follows the real server's rules: one-second resolution; a time matches if any calendar or
 * interval selects it and no exclude calendar does; calendar fields are ANDed (unlike Unix cron,
 * day-of-month and day-of-week must both match); intervals are aligned to the Unix epoch plus
 * `phase`; cron strings are Temporal's dialect (5 fields, 6 with a trailing year, 7 with a leading
 * second, `@hourly`-style names, `@every 1h[/15m]`, a `CRON_TZ=`/`TZ=` prefix), compiled into
 * structured calendars — which is also what DescribeSchedule hands back, so the TS client can
 * decode it. Jitter is accepted and ignored.
 */
import type Long from 'long';
import type { temporal } from '@temporalio/proto';
import { wallToInstants, zoneOffsetMs } from './schedule-time-zone';

type IScheduleSpec = temporal.api.schedule.v1.IScheduleSpec;
type IStructuredCalendarSpec = temporal.api.schedule.v1.IStructuredCalendarSpec;
type IRange = temporal.api.schedule.v1.IRange;
type IIntervalSpec = temporal.api.schedule.v1.IIntervalSpec;
type ICalendarSpec = temporal.api.schedule.v1.ICalendarSpec;

/** A protobuf Timestamp or Duration as protobufjs hands it over. */
export interface ProtoTime {
  seconds?: number | Long | null;
  nanos?: number | null;
}

/** Epoch milliseconds of a protobuf Timestamp (or a Duration's length); absent is undefined. */
export function protoTimeToMs(t: ProtoTime | null | undefined): number | undefined {
  if (!t) return undefined;
  return Number(t.seconds ?? 0) * 1000 + Math.floor(Number(t.nanos ?? 0) / 1e6);
}

/**
 * A number where the generated typings declare `Long`. protobufjs's `fromObject` and `encode`
 * accept plain numbers for 64-bit fields, and every value here is far below 2^53.
 */
export function asLong(n: number): Long {
  return n as unknown as Long;
}

/** Epoch milliseconds (or a duration) as a protobuf Timestamp. */
export function msToProtoTime(ms: number): { seconds: Long; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds: asLong(seconds), nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

/** A spec the server rejects; the message becomes `Invalid schedule spec: …`. */
export class ScheduleSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleSpecError';
  }
}

/** A spec compiled for repeated evaluation. */
export interface CompiledScheduleSpec {
  /** The spec in the form the server stores and describes: cron strings and calendars turned into structured calendars. */
  readonly canonical: IScheduleSpec;
  /** The next nominal action time strictly after `afterMs`, or undefined when there is none. */
  next(afterMs: number): number | undefined;
  /** Nominal times `t` with `fromMs < t <= toMs`, at most `limit` (default 1000) of them. */
  matchingTimes(fromMs: number, toMs: number, limit?: number): number[];
}

const MIN_YEAR = 2000;
const MAX_YEAR = 2100;
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

// ---------------------------------------------------------------------------------------------
// Cron strings and calendar strings → structured calendars

type NameMode = 'int' | 'month' | 'dow';

function parseFieldValue(text: string, min: number, max: number, mode: NameMode, what: string): number {
  const lower = text.toLowerCase();
  if (mode === 'month' && lower.length >= 3) {
    const i = MONTHS.findIndex((m) => m.startsWith(lower));
    if (i >= 0) return i + 1;
  }
  if (mode === 'dow' && lower.length >= 2) {
    const i = DAYS.findIndex((d) => d.startsWith(lower));
    if (i >= 0) return i;
  }
  if (!/^\d+$/.test(text)) throw new ScheduleSpecError(`malformed ${what} value '${text}'`);
  const n = Number(text);
  if (n < min || n > max) throw new ScheduleSpecError(`${what} value ${n} is out of range [${min}-${max}]`);
  return n;
}

/** Parses one cron-style field (`*`, `x`, `x-z`, `x-z/y`, `x/y`, lists of those) into ranges. */
function parseRanges(field: string | null | undefined, dflt: string, min: number, max: number, mode: NameMode, what: string): IRange[] {
  const s = (field ?? '').trim() || dflt;
  return s.split(',').map((part) => {
    let body = part;
    let step = 1;
    let hasStep = false;
    if (part.includes('/')) {
      const pieces = part.split('/');
      if (pieces.length !== 2 || !/^\d+$/.test(pieces[1] ?? '') || Number(pieces[1]) < 1) {
        throw new ScheduleSpecError(`malformed ${what} step in '${part}'`);
      }
      body = pieces[0] as string;
      step = Number(pieces[1]);
      hasStep = true;
    }
    let start = min;
    let end = max;
    if (body !== '*') {
      if (body.includes('-')) {
        const pieces = body.split('-');
        if (pieces.length !== 2) throw new ScheduleSpecError(`malformed ${what} range '${body}'`);
        start = parseFieldValue(pieces[0] as string, min, max, mode, what);
        end = parseFieldValue(pieces[1] as string, start, max, mode, what);
      } else {
        start = parseFieldValue(body, min, max, mode, what);
        // "x/y" runs from x to the top of the field; a bare "x" is just x.
        end = hasStep ? max : start;
      }
    }
    return { start, end, step };
  });
}

function calendarToStructured(cal: ICalendarSpec): IStructuredCalendarSpec {
  return {
    second: parseRanges(cal.second, '0', 0, 59, 'int', 'second'),
    minute: parseRanges(cal.minute, '0', 0, 59, 'int', 'minute'),
    hour: parseRanges(cal.hour, '0', 0, 23, 'int', 'hour'),
    dayOfMonth: parseRanges(cal.dayOfMonth, '*', 1, 31, 'int', 'day of month'),
    month: parseRanges(cal.month, '*', 1, 12, 'month', 'month'),
    year: parseRanges(cal.year, '*', MIN_YEAR, MAX_YEAR, 'int', 'year'),
    dayOfWeek: parseRanges(cal.dayOfWeek, '*', 0, 7, 'dow', 'day of week'),
    comment: cal.comment ?? '',
  };
}

const PREDEFINED_CRON: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Go-style durations as `@every` takes them: `90s`, `1h30m`, `2d`. */
function parseDurationMs(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (DURATION_UNITS[m[2] as string] as number);
    matched += m[0].length;
  }
  if (text === '' || matched !== text.length) throw new ScheduleSpecError(`malformed duration '${text}'`);
  return total;
}

interface ParsedCron {
  calendar?: IStructuredCalendarSpec;
  interval?: IIntervalSpec;
  timezone: string;
}

/** Parses one cron string of Temporal's dialect. */
export function parseCronString(cron: string): ParsedCron {
  let c = cron.trim();
  let timezone = '';
  if (c.startsWith('TZ=') || c.startsWith('CRON_TZ=')) {
    const space = c.indexOf(' ');
    if (space < 0) throw new ScheduleSpecError(`malformed cron string '${cron}'`);
    timezone = c.slice(c.indexOf('=') + 1, space);
    c = c.slice(space + 1).trim();
  }
  if (c.startsWith('@every')) {
    const arg = c.slice('@every'.length).trim();
    const [every, phase] = arg.split('/');
    return {
      interval: { interval: msToProtoTime(parseDurationMs(every ?? '')), phase: phase ? msToProtoTime(parseDurationMs(phase)) : null },
      timezone,
    };
  }
  c = PREDEFINED_CRON[c] ?? c;
  const f = c.split(/\s+/);
  let cal: ICalendarSpec;
  if (f.length === 5) cal = { minute: f[0], hour: f[1], dayOfMonth: f[2], month: f[3], dayOfWeek: f[4] };
  else if (f.length === 6) cal = { minute: f[0], hour: f[1], dayOfMonth: f[2], month: f[3], dayOfWeek: f[4], year: f[5] };
  else if (f.length === 7) cal = { second: f[0], minute: f[1], hour: f[2], dayOfMonth: f[3], month: f[4], dayOfWeek: f[5], year: f[6] };
  else throw new ScheduleSpecError(`malformed cron string '${cron}': expected 5, 6 or 7 fields`);
  return { calendar: calendarToStructured(cal), timezone };
}

// ---------------------------------------------------------------------------------------------
// Canonical form

function cleanRanges(ranges: IRange[] | null | undefined, what: string, min: number, max: number): IRange[] {
  return (ranges ?? []).map((r) => {
    const start = r.start ?? 0;
    const end = r.end != null && r.end >= start ? r.end : start;
    const step = r.step != null && r.step > 0 ? r.step : 1;
    if (start < min || start > max || end > max) throw new ScheduleSpecError(`${what} range ${start}-${end} is not within [${min}-${max}]`);
    if (r.step != null && r.step < 0) throw new ScheduleSpecError(`${what} has a negative step`);
    return { start, end, step };
  });
}

function cleanCalendar(cal: IStructuredCalendarSpec): IStructuredCalendarSpec {
  return {
    second: cleanRanges(cal.second, 'second', 0, 59),
    minute: cleanRanges(cal.minute, 'minute', 0, 59),
    hour: cleanRanges(cal.hour, 'hour', 0, 23),
    dayOfMonth: cleanRanges(cal.dayOfMonth, 'day of month', 1, 31),
    month: cleanRanges(cal.month, 'month', 1, 12),
    year: cleanRanges(cal.year, 'year', MIN_YEAR, MAX_YEAR),
    dayOfWeek: cleanRanges(cal.dayOfWeek, 'day of week', 0, 7),
    comment: cal.comment ?? '',
  };
}

function checkTimezone(name: string): void {
  if (name === '' || name === 'UTC') return;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
  } catch {
    throw new ScheduleSpecError(`unknown time zone '${name}'`);
  }
}

/** Returns the canonical form of a spec (see {@link CompiledScheduleSpec.canonical}); throws {@link ScheduleSpecError}. */
export function canonicalizeScheduleSpec(spec: IScheduleSpec): IScheduleSpec {
  const structured = (spec.structuredCalendar ?? []).map(cleanCalendar);
  for (const cal of spec.calendar ?? []) structured.push(cleanCalendar(calendarToStructured(cal)));
  const excludes = (spec.excludeStructuredCalendar ?? []).map(cleanCalendar);
  for (const cal of spec.excludeCalendar ?? []) excludes.push(cleanCalendar(calendarToStructured(cal)));
  const intervals: IIntervalSpec[] = [...(spec.interval ?? [])];

  let timezone = spec.timezoneName ?? '';
  let cronTimezone: string | undefined;
  for (const cron of spec.cronString ?? []) {
    const parsed = parseCronString(cron);
    if (cronTimezone !== undefined && parsed.timezone !== cronTimezone) {
      throw new ScheduleSpecError('cron strings name conflicting time zones');
    }
    cronTimezone = parsed.timezone;
    if (parsed.calendar) structured.push(cleanCalendar(parsed.calendar));
    if (parsed.interval) intervals.push(parsed.interval);
  }
  if (cronTimezone) {
    if (timezone !== '' && timezone !== cronTimezone) throw new ScheduleSpecError('cron string time zone conflicts with timezone_name');
    timezone = cronTimezone;
  }
  checkTimezone(timezone);

  for (const iv of intervals) {
    const every = protoTimeToMs(iv.interval) ?? 0;
    const phase = protoTimeToMs(iv.phase) ?? 0;
    if (every < 1000) throw new ScheduleSpecError('interval is too small (minimum 1s)');
    if (phase < 0) throw new ScheduleSpecError('interval phase is negative');
    if (phase >= every) throw new ScheduleSpecError('interval phase must be less than the interval');
  }
  const start = protoTimeToMs(spec.startTime);
  const end = protoTimeToMs(spec.endTime);
  return {
    structuredCalendar: structured,
    interval: intervals.map((iv) => ({ interval: iv.interval ?? null, phase: iv.phase ?? null })),
    excludeStructuredCalendar: excludes,
    startTime: start !== undefined ? msToProtoTime(start) : null,
    endTime: end !== undefined ? msToProtoTime(end) : null,
    jitter: spec.jitter ?? null,
    timezoneName: timezone,
  };
}

// ---------------------------------------------------------------------------------------------
// Compiled calendars

/** Allowed values of one calendar field. */
interface FieldMatcher {
  has(v: number): boolean;
  /** Smallest allowed value >= v, or undefined when none is left in the field. */
  atOrAfter(v: number): number | undefined;
}

function fieldMatcher(ranges: IRange[] | null | undefined, emptyMeans: 'all' | 'zero', max: number, dow = false): FieldMatcher {
  if (!ranges || ranges.length === 0) {
    if (emptyMeans === 'all') return { has: () => true, atOrAfter: (v) => (v <= max ? v : undefined) };
    return { has: (v) => v === 0, atOrAfter: (v) => (v <= 0 ? 0 : undefined) };
  }
  const values = new Set<number>();
  for (const r of ranges) {
    const start = r.start ?? 0;
    const end = Math.max(r.end ?? start, start);
    const step = (r.step ?? 0) > 0 ? (r.step as number) : 1;
    for (let v = start; v <= end; v += step) values.add(dow && v === 7 ? 0 : v);
  }
  const sorted = [...values].sort((x, y) => x - y);
  return { has: (v) => values.has(v), atOrAfter: (v) => sorted.find((x) => x >= v) };
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (MONTH_DAYS[month - 1] as number);
}

/** 0 = Sunday; 1970-01-01 was a Thursday. */
function weekday(year: number, month: number, day: number): number {
  return (Math.floor(Date.UTC(year, month - 1, day) / 86_400_000) + 4) % 7;
}

class CompiledCalendar {
  private readonly year: FieldMatcher;
  private readonly month: FieldMatcher;
  private readonly dom: FieldMatcher;
  private readonly dow: FieldMatcher;
  private readonly hour: FieldMatcher;
  private readonly minute: FieldMatcher;
  private readonly second: FieldMatcher;

  constructor(
    cal: IStructuredCalendarSpec,
    private readonly tz: string,
  ) {
    this.year = fieldMatcher(cal.year, 'all', MAX_YEAR);
    this.month = fieldMatcher(cal.month, 'all', 12);
    this.dom = fieldMatcher(cal.dayOfMonth, 'all', 31);
    this.dow = fieldMatcher(cal.dayOfWeek, 'all', 6, true);
    this.hour = fieldMatcher(cal.hour, 'zero', 23);
    this.minute = fieldMatcher(cal.minute, 'zero', 59);
    this.second = fieldMatcher(cal.second, 'zero', 59);
  }

  matches(instantSec: number): boolean {
    const wall = new Date(instantSec * 1000 + zoneOffsetMs(this.tz, instantSec * 1000));
    return (
      this.year.has(wall.getUTCFullYear()) &&
      this.month.has(wall.getUTCMonth() + 1) &&
      this.dom.has(wall.getUTCDate()) &&
      this.dow.has(wall.getUTCDay()) &&
      this.hour.has(wall.getUTCHours()) &&
      this.minute.has(wall.getUTCMinutes()) &&
      this.second.has(wall.getUTCSeconds())
    );
  }

  /** First matching instant (epoch seconds) strictly after `afterSec`. */
  next(afterSec: number): number | undefined {
    const afterMs = afterSec * 1000;
    const offset = zoneOffsetMs(this.tz, afterMs);
    // Near a DST change wall-clock order and instant order disagree (a fall-back repeats an hour).
    // There, start an hour of wall time early and keep looking two wall hours past the first
    // candidate, taking the earliest instant after `afterSec`; elsewhere the first candidate wins.
    const nearChange =
      zoneOffsetMs(this.tz, afterMs - 3_600_000) !== offset || zoneOffsetMs(this.tz, afterMs + 7_200_000) !== offset;
    const startWall = (afterSec + 1 - (nearChange ? 3600 : 0)) * 1000 + offset;
    let best: number | undefined;
    let horizon = Infinity;
    for (const wall of this.matchingWallTimes(startWall)) {
      if (wall > horizon) break;
      for (const instant of wallToInstants(this.tz, wall)) {
        if (instant > afterMs && (best === undefined || instant < best)) best = instant;
      }
      if (best !== undefined) {
        if (!nearChange) break;
        if (horizon === Infinity) horizon = wall + 7_200_000;
      }
    }
    return best === undefined ? undefined : best / 1000;
  }

  /** Wall-clock times (encoded as if UTC) matching every field, in order, from `startWall` on. */
  private *matchingWallTimes(startWall: number): Generator<number> {
    const w = new Date(startWall);
    let y = w.getUTCFullYear();
    let mo = w.getUTCMonth() + 1;
    let d = w.getUTCDate();
    let h = w.getUTCHours();
    let m = w.getUTCMinutes();
    let s = w.getUTCSeconds();
    // Each field jumps straight to its next allowed value; a field running out carries into the
    // next larger one and resets the smaller ones.
    for (;;) {
      if (s >= 60) [m, s] = [m + 1, 0];
      if (m >= 60) [h, m] = [h + 1, 0];
      if (h >= 24) [d, h] = [d + 1, 0];
      if (d > daysInMonth(y, mo)) [mo, d] = [mo + 1, 1];
      if (mo > 12) [y, mo] = [y + 1, 1];
      const ny = this.year.atOrAfter(y);
      if (ny === undefined || ny > MAX_YEAR) return;
      if (ny !== y) {
        [y, mo, d, h, m, s] = [ny, 1, 1, 0, 0, 0];
        continue;
      }
      const nmo = this.month.atOrAfter(mo);
      if (nmo !== mo) {
        [y, mo, d, h, m, s] = nmo === undefined ? [y + 1, 1, 1, 0, 0, 0] : [y, nmo, 1, 0, 0, 0];
        continue;
      }
      const nd = this.dom.atOrAfter(d);
      if (nd !== d || !this.dow.has(weekday(y, mo, d))) {
        [mo, d, h, m, s] = nd === undefined || nd > daysInMonth(y, mo) ? [mo + 1, 1, 0, 0, 0] : nd !== d ? [mo, nd, 0, 0, 0] : [mo, d + 1, 0, 0, 0];
        continue;
      }
      const nh = this.hour.atOrAfter(h);
      if (nh !== h) {
        [d, h, m, s] = nh === undefined ? [d + 1, 0, 0, 0] : [d, nh, 0, 0];
        continue;
      }
      const nm = this.minute.atOrAfter(m);
      if (nm !== m) {
        [h, m, s] = nm === undefined ? [h + 1, 0, 0] : [h, nm, 0];
        continue;
      }
      const ns = this.second.atOrAfter(s);
      if (ns === undefined) {
        [m, s] = [m + 1, 0];
        continue;
      }
      s = ns;
      yield Date.UTC(y, mo - 1, d, h, m, s);
      s++;
    }
  }
}

/** Compiles a spec; throws {@link ScheduleSpecError} when the server would reject it. */
export function compileScheduleSpec(spec: IScheduleSpec): CompiledScheduleSpec {
  const canonical = canonicalizeScheduleSpec(spec);
  const tz = canonical.timezoneName ?? '';
  const calendars = (canonical.structuredCalendar ?? []).map((c) => new CompiledCalendar(c, tz));
  const excludes = (canonical.excludeStructuredCalendar ?? []).map((c) => new CompiledCalendar(c, tz));
  const intervals = (canonical.interval ?? []).map((iv) => ({
    every: Math.max(1, Math.floor((protoTimeToMs(iv.interval) ?? 0) / 1000)),
    phase: Math.max(0, Math.floor((protoTimeToMs(iv.phase) ?? 0) / 1000)),
  }));
  const startMs = protoTimeToMs(canonical.startTime);
  const endMs = protoTimeToMs(canonical.endTime);

  const rawNext = (afterSec: number): number | undefined => {
    let best: number | undefined;
    for (const cal of calendars) {
      const t = cal.next(afterSec);
      if (t !== undefined && (best === undefined || t < best)) best = t;
    }
    for (const { every, phase } of intervals) {
      // Truncating division, as the server does, keeps the grid anchored at epoch + phase.
      const t = (Math.trunc((afterSec - phase) / every) + 1) * every + phase;
      if (best === undefined || t < best) best = t;
    }
    return best;
  };

  const next = (afterMs: number): number | undefined => {
    if (!Number.isFinite(afterMs)) return undefined;
    let after = Math.floor(afterMs / 1000);
    // Before the start, jump to just before it so the start's own second can still match.
    if (startMs !== undefined && afterMs < startMs) after = Math.max(after, Math.ceil(startMs / 1000) - 1);
    for (;;) {
      const t = rawNext(after);
      if (t === undefined || (endMs !== undefined && t * 1000 > endMs)) return undefined;
      if (!excludes.some((x) => x.matches(t))) return t * 1000;
      after = t;
    }
  };

  return {
    canonical,
    next,
    matchingTimes(fromMs, toMs, limit = 1000) {
      const out: number[] = [];
      for (let t = next(fromMs); t !== undefined && t <= toMs && out.length < limit; t = next(t)) out.push(t);
      return out;
    },
  };
}
