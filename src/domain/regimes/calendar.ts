import { DateTime } from 'luxon';
import { RegimeInputError } from './errors';
import type { EntityCalendar, Period } from './types';

/**
 * Period arithmetic for the regulatory clocks.
 *
 * - `hours` are elapsed time: a UTC instant plus n × 3 600 000 ms, so a daylight-saving change in
 *   the entity's zone never shifts a deadline ("72 hours" means 72 hours of real time).
 * - `calendar-days`, `business-days` and `calendar-months` are calendar arithmetic in the entity's
 *   time zone: the same local wall-clock time n days / business days / months later. Months clamp
 *   to the month's end (31 January + 1 month = 28 or 29 February, same local time). A local time
 *   that does not exist on the target day (spring-forward gap) moves forward by the gap.
 * - Business days skip Saturdays, Sundays and the country's public holidays (`date-holidays`,
 *   type `public` only, substitute/observed days included, e.g. US federal observed days).
 *
 * Pure: no clock is read, so the clock workflows may call this during replay.
 */

const HOUR_MS = 3_600_000;

/** Public holidays of a country in a year, as local `yyyy-MM-dd` dates. */
export type HolidayProvider = (country: string, year: number) => ReadonlySet<string>;

/**
 * Where holidays come from when the entity does not carry them. Workflow code never registers
 * one: a workflow receives its entity with the holiday dates already in it (see
 * `withHolidays` in `holidays.ts`), so replay never depends on the holiday library's version and
 * the workflow bundle does not carry every country's calendar. Node code (CLI, loader, tests) gets
 * `date-holidays` registered by importing `./holidays` (the regimes index does).
 */
let provider: HolidayProvider | undefined;
let knownCountry: ((country: string) => boolean) | undefined;

/** Registers the holiday source for entities without dates, and which countries it knows (done once by `./holidays`). */
export function registerHolidayProvider(next: HolidayProvider, knows: (country: string) => boolean): void {
  provider = next;
  knownCountry = knows;
}

/** Throws a precise error when the entity's time zone, or (without carried dates) its country, is unknown. */
export function checkEntity(entity: EntityCalendar): void {
  if (!DateTime.fromMillis(0, { zone: entity.timeZone }).isValid) {
    throw new RegimeInputError('timeZone', `unknown time zone "${entity.timeZone}": expected an IANA zone such as Europe/Berlin`);
  }
  if (entity.holidays === undefined && knownCountry !== undefined && !knownCountry(entity.country)) {
    throw new RegimeInputError('country', `unknown country "${entity.country}": expected an ISO 3166-1 alpha-2 code such as DE or US`);
  }
}

function publicHolidays(entity: EntityCalendar, year: number): ReadonlySet<string> {
  const carried = entity.holidays;
  if (carried !== undefined) {
    const days = carried[String(year)];
    if (days === undefined) throw new RegimeInputError('holidays', `the entity's calendar has no public holidays of ${entity.country} for ${year}`);
    return new Set(days);
  }
  if (provider === undefined) throw new RegimeInputError('holidays', `no public-holiday calendar for ${entity.country}: give the entity its holiday dates`);
  return provider(entity.country, year);
}

/** True for a local day that is neither a weekend day nor a public holiday of the entity's country. */
export function isBusinessDay(local: DateTime, entity: EntityCalendar): boolean {
  if (local.weekday >= 6) return false;
  return !publicHolidays(entity, local.year).has(local.toFormat('yyyy-MM-dd'));
}

/** The instant `period` after `fromMs`, by the rules above. */
export function addPeriod(fromMs: number, period: Period, entity: EntityCalendar): number {
  const { amount, unit } = period;
  if (unit === 'hours') return fromMs + amount * HOUR_MS;
  const local = DateTime.fromMillis(fromMs, { zone: entity.timeZone });
  if (unit === 'calendar-days') return local.plus({ days: amount }).toMillis();
  if (unit === 'calendar-months') return local.plus({ months: amount }).toMillis();
  return addBusinessDays(local, amount, entity).toMillis();
}

/**
 * n business days after `local`, at the same local time. Counting starts the day after: a
 * determination on a Saturday makes the next Monday business day 1.
 */
function addBusinessDays(local: DateTime, amount: number, entity: EntityCalendar): DateTime {
  const wall = { hour: local.hour, minute: local.minute, second: local.second, millisecond: local.millisecond };
  let day = local.startOf('day');
  let counted = 0;
  while (counted < amount) {
    // Step by calendar date (not 24 h) so a DST change cannot skip or repeat a day.
    day = day.plus({ days: 1 });
    if (isBusinessDay(day, entity)) counted += 1;
  }
  return day.set(wall);
}

/**
 * DORA weekend/bank-holiday relief (Delegated Regulation (EU) 2025/301 Art. 5): a due instant on
 * a weekend day or a public holiday of the entity's country moves to 12:00 local time of the next
 * working day. A due on a working day is left as it is.
 */
export function applyWorkingDayRelief(dueMs: number, entity: EntityCalendar): number {
  let day = DateTime.fromMillis(dueMs, { zone: entity.timeZone });
  if (isBusinessDay(day, entity)) return dueMs;
  do day = day.startOf('day').plus({ days: 1 });
  while (!isBusinessDay(day, entity));
  return day.set({ hour: 12, minute: 0, second: 0, millisecond: 0 }).toMillis();
}

/** The instant as local date and time in the entity's zone with its offset, e.g. `2026-03-30 12:00 +02:00`. */
export function formatLocal(ms: number, timeZone: string): string {
  return DateTime.fromMillis(ms, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm ZZ');
}
