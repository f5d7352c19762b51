import Holidays from 'date-holidays';
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

/** Country → year → the set of its public holidays as local `yyyy-MM-dd` dates. */
const holidayCache = new Map<string, Map<number, ReadonlySet<string>>>();
let knownCountries: ReadonlySet<string> | undefined;

/** Throws a precise error when the entity's country or time zone is unknown. */
export function checkEntity(entity: EntityCalendar): void {
  if (!DateTime.fromMillis(0, { zone: entity.timeZone }).isValid) {
    throw new RegimeInputError('timeZone', `unknown time zone "${entity.timeZone}": expected an IANA zone such as Europe/Berlin`);
  }
  knownCountries ??= new Set(Object.keys(new Holidays().getCountries()));
  if (!knownCountries.has(entity.country.toUpperCase())) {
    throw new RegimeInputError('country', `unknown country "${entity.country}": expected an ISO 3166-1 alpha-2 code such as DE or US`);
  }
}

function publicHolidays(country: string, year: number): ReadonlySet<string> {
  const code = country.toUpperCase();
  let byYear = holidayCache.get(code);
  if (byYear === undefined) {
    byYear = new Map();
    holidayCache.set(code, byYear);
  }
  let days = byYear.get(year);
  if (days === undefined) {
    const list = new Holidays(code).getHolidays(year) || [];
    // `date` is the local date and time the holiday starts, e.g. `2026-07-03 00:00:00`.
    days = new Set(list.filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10)));
    byYear.set(year, days);
  }
  return days;
}

/** True for a local day that is neither a weekend day nor a public holiday of the country. */
export function isBusinessDay(local: DateTime, country: string): boolean {
  if (local.weekday >= 6) return false;
  return !publicHolidays(country, local.year).has(local.toFormat('yyyy-MM-dd'));
}

/** The instant `period` after `fromMs`, by the rules above. */
export function addPeriod(fromMs: number, period: Period, entity: EntityCalendar): number {
  const { amount, unit } = period;
  if (unit === 'hours') return fromMs + amount * HOUR_MS;
  const local = DateTime.fromMillis(fromMs, { zone: entity.timeZone });
  if (unit === 'calendar-days') return local.plus({ days: amount }).toMillis();
  if (unit === 'calendar-months') return local.plus({ months: amount }).toMillis();
  return addBusinessDays(local, amount, entity.country).toMillis();
}

/**
 * n business days after `local`, at the same local time. Counting starts the day after: a
 * determination on a Saturday makes the next Monday business day 1.
 */
function addBusinessDays(local: DateTime, amount: number, country: string): DateTime {
  const wall = { hour: local.hour, minute: local.minute, second: local.second, millisecond: local.millisecond };
  let day = local.startOf('day');
  let counted = 0;
  while (counted < amount) {
    // Step by calendar date (not 24 h) so a DST change cannot skip or repeat a day.
    day = day.plus({ days: 1 });
    if (isBusinessDay(day, country)) counted += 1;
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
  if (isBusinessDay(day, entity.country)) return dueMs;
  do day = day.startOf('day').plus({ days: 1 });
  while (!isBusinessDay(day, entity.country));
  return day.set({ hour: 12, minute: 0, second: 0, millisecond: 0 }).toMillis();
}

/** The instant as local date and time in the entity's zone with its offset, e.g. `2026-03-30 12:00 +02:00`. */
export function formatLocal(ms: number, timeZone: string): string {
  return DateTime.fromMillis(ms, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm ZZ');
}
