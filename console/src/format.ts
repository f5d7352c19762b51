/** Formatting shared by the pages: instants in UTC and local time, durations, sizes. */

const utcFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

const localFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
});

/** `2026-12-05 20:03:18 UTC`. */
export function utc(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = Object.fromEntries(utcFormat.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} UTC`;
}

/** The same instant in the browser's time zone, with the zone's name. */
export function local(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : localFormat.format(d);
}

/** The browser's time zone (e.g. `Europe/Paris`). */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** `2d 03:04:05` for a positive span of milliseconds. */
export function span(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hms = [Math.floor((total % 86_400) / 3600), Math.floor((total % 3600) / 60), total % 60].map((n) => String(n).padStart(2, '0')).join(':');
  return days > 0 ? `${days}d ${hms}` : hms;
}

/** A countdown to `dueAt` from `now`: time left, or how late. */
export function countdown(dueAt: string, now: number): { text: string; overdue: boolean } {
  const left = new Date(dueAt).getTime() - now;
  if (Number.isNaN(left)) return { text: 'no due time', overdue: false };
  return left >= 0 ? { text: `${span(left)} left`, overdue: false } : { text: `overdue by ${span(-left)}`, overdue: true };
}

/** Bytes in binary units. */
export function bytes(n: number | string): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = approx(n);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** A count with thousands separators; Kafka counts arrive as decimal strings (they can pass 2^53). */
export function count(n: number | string): string {
  if (typeof n === 'number') return n.toLocaleString('en-GB');
  try {
    return BigInt(n).toLocaleString('en-GB');
  } catch {
    return n;
  }
}

/** A decimal-string count as a number, for ratios and sums shown rounded. */
export function approx(n: number | string | undefined): number {
  const value = Number(n ?? 0);
  return Number.isFinite(value) ? value : 0;
}
