import Holidays from 'date-holidays';
import { checkEntity as checkZone, registerHolidayProvider } from './calendar';
import type { EntityCalendar } from './types';

/**
 * Public holidays from `date-holidays` (public holidays only, with observed days such as the US
 * federal ones), for node code: the CLI, the runbook loader, tests. Importing this module
 * registers it with the calendar. Workflows never import it; they get the dates inside the entity
 * ({@link withHolidays}), recorded in their input, so replay never depends on this library.
 */

const cache = new Map<string, ReadonlySet<string>>();
let knownCountries: ReadonlySet<string> | undefined;

/** The country's public holidays of one year as local `yyyy-MM-dd` dates. */
export function publicHolidaysOf(country: string, year: number): ReadonlySet<string> {
  const key = `${country.toUpperCase()}/${year}`;
  let days = cache.get(key);
  if (days === undefined) {
    const list = new Holidays(country.toUpperCase()).getHolidays(year) || [];
    // `date` is the local date and time the holiday starts, e.g. `2026-07-03 00:00:00`.
    days = new Set(list.filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10)));
    cache.set(key, days);
  }
  return days;
}

/** Whether `date-holidays` has a calendar for the country. */
function knows(country: string): boolean {
  knownCountries ??= new Set(Object.keys(new Holidays().getCountries()));
  return knownCountries.has(country.toUpperCase());
}

registerHolidayProvider(publicHolidaysOf, knows);

/** Throws a precise error when the entity's country or time zone is unknown. */
export function checkEntity(entity: EntityCalendar): void {
  const { holidays: _carried, ...calendar } = entity;
  checkZone(calendar);
}

/**
 * The entity with its country's public holidays for `fromYear` … `fromYear + years - 1` written
 * into it, for workflow input: deadlines computed in a workflow then depend only on its history.
 */
export function withHolidays(entity: EntityCalendar, fromYear: number, years = 3): EntityCalendar {
  const holidays: Record<string, string[]> = {};
  for (let y = fromYear; y < fromYear + years; y++) holidays[String(y)] = [...publicHolidaysOf(entity.country, y)].sort();
  return { ...entity, holidays };
}
