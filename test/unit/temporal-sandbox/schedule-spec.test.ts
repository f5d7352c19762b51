import { describe, expect, it } from 'vitest';
import type { temporal } from '@temporalio/proto';
import { compileScheduleSpec, msToProtoTime, ScheduleSpecError } from '../../../src/sandbox/temporal/schedule-spec';

type Spec = temporal.api.schedule.v1.IScheduleSpec;
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString().replace('.000', ''));
const dur = (ms: number) => msToProtoTime(ms);
const cron = (...cronString: string[]): Spec => ({ cronString });

function nextTimes(spec: Spec, after: string, n: number): Array<string | undefined> {
  const c = compileScheduleSpec(spec);
  const out: Array<string | undefined> = [];
  let t: number | undefined = at(after);
  for (let i = 0; i < n && t !== undefined; i++) {
    t = c.next(t);
    out.push(iso(t));
  }
  return out;
}

describe('compileScheduleSpec — intervals', () => {
  it.each<[string, Spec, string, string[]]>([
    ['hourly from the epoch', { interval: [{ interval: dur(3_600_000) }] }, '2026-01-01T00:30:00Z', ['2026-01-01T01:00:00Z', '2026-01-01T02:00:00Z']],
    ['strictly after an exact match', { interval: [{ interval: dur(3_600_000) }] }, '2026-01-01T01:00:00Z', ['2026-01-01T02:00:00Z']],
    ['with a 15 minute phase', { interval: [{ interval: dur(3_600_000), phase: dur(900_000) }] }, '2026-01-01T00:30:00Z', ['2026-01-01T01:15:00Z', '2026-01-01T02:15:00Z']],
    ['90 minutes, aligned to the epoch not to now', { interval: [{ interval: dur(5_400_000) }] }, '2026-01-01T00:10:00Z', ['2026-01-01T01:30:00Z', '2026-01-01T03:00:00Z']],
    ['every second, fractional after', { interval: [{ interval: dur(1000) }] }, '2026-01-01T00:00:10.500Z', ['2026-01-01T00:00:11Z']],
    ['two intervals merge', { interval: [{ interval: dur(3_600_000) }, { interval: dur(3_600_000), phase: dur(1_800_000) }] }, '2026-01-01T00:00:00Z', ['2026-01-01T00:30:00Z', '2026-01-01T01:00:00Z', '2026-01-01T01:30:00Z']],
  ])('%s', (_name, spec, after, expected) => {
    expect(nextTimes(spec, after, expected.length)).toEqual(expected);
  });
});

describe('compileScheduleSpec — cron strings (Temporal dialect)', () => {
  it.each<[string, string, string, string[]]>([
    ['weekdays at 09:00 (Sat → Mon)', '0 9 * * 1-5', '2026-01-03T10:00:00Z', ['2026-01-05T09:00:00Z', '2026-01-06T09:00:00Z']],
    ['day names', '0 9 * * mon-fri', '2026-01-03T10:00:00Z', ['2026-01-05T09:00:00Z']],
    ['every 15 minutes', '*/15 * * * *', '2026-01-01T00:00:00Z', ['2026-01-01T00:15:00Z', '2026-01-01T00:30:00Z', '2026-01-01T00:45:00Z', '2026-01-01T01:00:00Z']],
    ['x/y runs to the end of the field', '50/5 * * * *', '2026-01-01T00:00:00Z', ['2026-01-01T00:50:00Z', '2026-01-01T00:55:00Z', '2026-01-01T01:50:00Z']],
    ['lists and stepped ranges', '1-5/2,8 0 * * *', '2026-01-01T00:00:00Z', ['2026-01-01T00:01:00Z', '2026-01-01T00:03:00Z', '2026-01-01T00:05:00Z', '2026-01-01T00:08:00Z', '2026-01-02T00:01:00Z']],
    ['day of month AND day of week (Friday the 13th)', '0 0 13 * 5', '2026-01-01T00:00:00Z', ['2026-02-13T00:00:00Z', '2026-03-13T00:00:00Z', '2026-11-13T00:00:00Z']],
    ['Sunday as 7', '0 0 * * 7', '2026-01-01T00:00:00Z', ['2026-01-04T00:00:00Z']],
    ['month names', '0 0 1 jan,jul *', '2026-01-01T00:00:00Z', ['2026-07-01T00:00:00Z', '2027-01-01T00:00:00Z']],
    ['leap day', '0 0 29 2 *', '2026-01-01T00:00:00Z', ['2028-02-29T00:00:00Z', '2032-02-29T00:00:00Z']],
    ['6 fields: trailing year', '0 12 1 1 * 2030', '2026-01-01T00:00:00Z', ['2030-01-01T12:00:00Z']],
    ['7 fields: leading second', '30 0 12 * * * *', '2026-01-01T00:00:00Z', ['2026-01-01T12:00:30Z', '2026-01-02T12:00:30Z']],
    ['@hourly', '@hourly', '2026-01-01T00:00:01Z', ['2026-01-01T01:00:00Z']],
    ['@daily', '@daily', '2026-01-01T00:00:00Z', ['2026-01-02T00:00:00Z']],
    ['@weekly (Sunday)', '@weekly', '2026-01-01T00:00:00Z', ['2026-01-04T00:00:00Z']],
    ['@monthly', '@monthly', '2026-01-15T00:00:00Z', ['2026-02-01T00:00:00Z']],
    ['@yearly', '@yearly', '2026-01-15T00:00:00Z', ['2027-01-01T00:00:00Z']],
    ['@every with phase', '@every 30m/5m', '2026-01-01T00:00:00Z', ['2026-01-01T00:05:00Z', '2026-01-01T00:35:00Z']],
    ['CRON_TZ New York, winter', 'CRON_TZ=America/New_York 0 9 * * *', '2026-01-01T00:00:00Z', ['2026-01-01T14:00:00Z', '2026-01-02T14:00:00Z']],
    ['TZ= New York, summer', 'TZ=America/New_York 0 9 * * *', '2026-07-01T00:00:00Z', ['2026-07-01T13:00:00Z']],
  ])('%s: %s', (_name, expr, after, expected) => {
    expect(nextTimes(cron(expr), after, expected.length)).toEqual(expected);
  });

  it('merges several cron strings', () => {
    expect(nextTimes(cron('0 9 * * *', '0 17 * * *'), '2026-01-01T10:00:00Z', 3)).toEqual([
      '2026-01-01T17:00:00Z',
      '2026-01-02T09:00:00Z',
      '2026-01-02T17:00:00Z',
    ]);
  });

  it('compiles cron strings into structured calendars the TS client can decode', () => {
    const { canonical } = compileScheduleSpec({ cronString: ['CRON_TZ=Europe/Berlin */15 9-17 * * mon-fri'] });
    expect(canonical.cronString ?? []).toEqual([]);
    expect(canonical.timezoneName).toBe('Europe/Berlin');
    expect(canonical.structuredCalendar).toEqual([
      {
        second: [{ start: 0, end: 0, step: 1 }],
        minute: [{ start: 0, end: 59, step: 15 }],
        hour: [{ start: 9, end: 17, step: 1 }],
        dayOfMonth: [{ start: 1, end: 31, step: 1 }],
        month: [{ start: 1, end: 12, step: 1 }],
        year: [{ start: 2000, end: 2100, step: 1 }],
        dayOfWeek: [{ start: 1, end: 5, step: 1 }],
        comment: '',
      },
    ]);
  });
});

describe('compileScheduleSpec — structured calendars', () => {
  // What @temporalio/client sends for `calendars: [{ hour: 2, minute: 30 }]`.
  const dailyAt0230: temporal.api.schedule.v1.IStructuredCalendarSpec = {
    second: [{ start: 0, end: 0, step: 0 }],
    minute: [{ start: 30, end: 30, step: 1 }],
    hour: [{ start: 2, end: 2, step: 1 }],
    dayOfMonth: [{ start: 1, end: 31, step: 1 }],
    month: [{ start: 1, end: 12, step: 1 }],
    year: [],
    dayOfWeek: [{ start: 0, end: 6, step: 1 }],
  };

  it('fires daily in UTC; an empty year means every year', () => {
    expect(nextTimes({ structuredCalendar: [dailyAt0230] }, '2026-01-01T03:00:00Z', 2)).toEqual(['2026-01-02T02:30:00Z', '2026-01-03T02:30:00Z']);
  });

  it('omitted second/minute/hour mean 0, omitted date fields mean every', () => {
    expect(nextTimes({ structuredCalendar: [{ hour: [{ start: 6 }] }] }, '2026-01-01T07:00:00Z', 1)).toEqual(['2026-01-02T06:00:00Z']);
  });

  it('skips a time that does not exist on the spring-forward day', () => {
    // Europe/Berlin jumps from 02:00 to 03:00 local on 2026-03-29.
    expect(nextTimes({ structuredCalendar: [dailyAt0230], timezoneName: 'Europe/Berlin' }, '2026-03-28T12:00:00Z', 2)).toEqual([
      '2026-03-30T00:30:00Z',
      '2026-03-31T00:30:00Z',
    ]);
  });

  it('fires both copies of a repeated time on the fall-back day', () => {
    // 02:30 local happens at 00:30Z (CEST) and again at 01:30Z (CET) on 2026-10-25.
    expect(nextTimes({ structuredCalendar: [dailyAt0230], timezoneName: 'Europe/Berlin' }, '2026-10-24T12:00:00Z', 3)).toEqual([
      '2026-10-25T00:30:00Z',
      '2026-10-25T01:30:00Z',
      '2026-10-26T01:30:00Z',
    ]);
  });

  it('orders by instant, not wall clock, inside a repeated hour', () => {
    const spec: Spec = { calendar: [{ hour: '2', minute: '45,55' }], timezoneName: 'Europe/Berlin' };
    expect(nextTimes(spec, '2026-10-25T00:50:00Z', 4)).toEqual([
      '2026-10-25T00:55:00Z',
      '2026-10-25T01:45:00Z',
      '2026-10-25T01:55:00Z',
      '2026-10-26T01:45:00Z',
    ]);
  });

  it('calendar strings (CalendarSpec) are accepted too', () => {
    expect(nextTimes({ calendar: [{ hour: '9', dayOfWeek: 'Sat,Sun' }] }, '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-03T09:00:00Z', '2026-01-04T09:00:00Z']);
  });

  it('exclude calendars drop matching times', () => {
    const spec: Spec = {
      cronString: ['0 * * * *'],
      excludeStructuredCalendar: [{ hour: [{ start: 1, end: 2 }], minute: [{ start: 0, end: 59 }], second: [{ start: 0, end: 59 }] }],
    };
    expect(nextTimes(spec, '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-01T03:00:00Z', '2026-01-01T04:00:00Z']);
  });
});

describe('compileScheduleSpec — start, end, matchingTimes', () => {
  const spec: Spec = {
    interval: [{ interval: dur(3_600_000) }],
    startTime: msToProtoTime(at('2026-01-01T05:00:00Z')),
    endTime: msToProtoTime(at('2026-01-01T07:00:00Z')),
  };

  it('the start second itself can match; nothing after the end', () => {
    const c = compileScheduleSpec(spec);
    expect(iso(c.next(at('2020-01-01T00:00:00Z')))).toBe('2026-01-01T05:00:00Z');
    expect(c.next(at('2026-01-01T07:00:00Z'))).toBeUndefined();
  });

  it('matchingTimes is (from, to] and stops at the end time', () => {
    const c = compileScheduleSpec(spec);
    expect(c.matchingTimes(at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z')).map(iso)).toEqual([
      '2026-01-01T05:00:00Z',
      '2026-01-01T06:00:00Z',
      '2026-01-01T07:00:00Z',
    ]);
    expect(c.matchingTimes(at('2026-01-01T05:00:00Z'), at('2026-01-01T06:00:00Z')).map(iso)).toEqual(['2026-01-01T06:00:00Z']);
  });

  it('an empty spec never fires', () => {
    expect(compileScheduleSpec({}).next(0)).toBeUndefined();
  });

  it('runs out after the last calendar year instead of looping, and tolerates a bad instant', () => {
    const c = compileScheduleSpec(cron('0 0 1 1 * 2099'));
    expect(iso(c.next(at('2026-01-01T00:00:00Z')))).toBe('2099-01-01T00:00:00Z');
    expect(c.next(at('2099-01-01T00:00:00Z'))).toBeUndefined();
    expect(c.next(Number.NaN)).toBeUndefined();
  });
});

describe('compileScheduleSpec — rejects what the server rejects', () => {
  it.each<[string, Spec, RegExp]>([
    ['minute out of range', cron('61 * * * *'), /minute value 61 is out of range/],
    ['too few fields', cron('* * *'), /expected 5, 6 or 7 fields/],
    ['garbage value', cron('x * * * *'), /malformed minute value 'x'/],
    ['zero step', cron('*/0 * * * *'), /malformed minute step/],
    ['bad @every', cron('@every soon'), /malformed duration/],
    ['interval under a second', { interval: [{ interval: dur(500) }] }, /interval is too small/],
    ['phase not below interval', { interval: [{ interval: dur(60_000), phase: dur(60_000) }] }, /phase must be less/],
    ['unknown time zone', { cronString: ['0 0 * * *'], timezoneName: 'Mars/Olympus' }, /unknown time zone/],
    ['conflicting cron time zones', cron('CRON_TZ=UTC 0 0 * * *', 'CRON_TZ=Europe/Berlin 0 0 * * *'), /conflicting time zones/],
    ['structured range out of bounds', { structuredCalendar: [{ hour: [{ start: 25 }] }] }, /hour range 25-25 is not within \[0-23\]/],
  ])('%s', (_name, spec, message) => {
    expect(() => compileScheduleSpec(spec)).toThrow(ScheduleSpecError);
    expect(() => compileScheduleSpec(spec)).toThrow(message);
  });
});
