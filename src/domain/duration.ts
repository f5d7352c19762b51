import { InvalidDurationError } from './errors';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

const SHORT = /^(?:\d+(?:ms|s|m|h|d|w))+$/;
const SHORT_PART = /(\d+)(ms|s|m|h|d|w)/g;
// ISO 8601 durations without years or months: their length depends on the calendar, and a legal
// deadline must be a fixed number of hours (GDPR Art. 33: "not later than 72 hours").
const ISO = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,3})?)S)?)?$/;

/**
 * Parses a duration into milliseconds. Accepts the short form used in runbooks (`36h`, `90m`,
 * `2h30m`, `45s`, `500ms`, `3d`, `1w`) and ISO 8601 (`P3D`, `PT72H`, `P1DT12H`, `PT1.5S`).
 * A day is always 24 h: all deadline arithmetic is in UTC, where there is no daylight saving.
 * Accepts a non-negative integer number of milliseconds as is.
 */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input) || input < 0) throw new InvalidDurationError(String(input), 'expected a non-negative integer of milliseconds');
    return input;
  }
  const text = input.trim();
  if (SHORT.test(text)) {
    let total = 0;
    for (const [, n, unit] of text.matchAll(SHORT_PART)) total += Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
    return checked(input, total);
  }
  const iso = ISO.exec(text);
  if (iso !== null && text !== 'P' && !text.endsWith('T')) {
    const [, w, d, h, m, s] = iso;
    const total =
      Number(w ?? 0) * UNIT_MS.w + Number(d ?? 0) * UNIT_MS.d + Number(h ?? 0) * UNIT_MS.h + Number(m ?? 0) * UNIT_MS.m + Math.round(Number(s ?? 0) * 1000);
    return checked(input, total);
  }
  if (/^P.*(Y|\dM.*T|\dM$)/.test(text) && !text.startsWith('PT')) {
    throw new InvalidDurationError(input, 'years and months have no fixed length; use days or hours');
  }
  throw new InvalidDurationError(input, 'expected e.g. 36h, 90m, 2h30m, P3D or PT72H');
}

function checked(input: string, total: number): number {
  if (!Number.isSafeInteger(total)) throw new InvalidDurationError(input, 'too large');
  return total;
}

/** Writes milliseconds in the short form, largest units first: 5_400_000 → `1h30m`, 0 → `0s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of ['h', 'm', 's', 'ms'] as const) {
    const n = Math.floor(rest / UNIT_MS[unit]);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * UNIT_MS[unit];
  }
  return out;
}
