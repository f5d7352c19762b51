import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/domain/duration';
import { InvalidDurationError, LateFilingWithoutReasonError } from '../../../src/domain/errors';
import { checkFiling, dataSubjectDecision, dueReminders, isLate, isOverdue, nextMark, startClock, timeRemaining, toIso } from '../../../src/domain/regulatory-clock';

const H = 3_600_000;

describe('parseDuration', () => {
  it('reads the runbook short form and ISO 8601', () => {
    expect(parseDuration('36h')).toBe(36 * H);
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('2h30m')).toBe(2.5 * H);
    expect(parseDuration('P3D')).toBe(72 * H);
    expect(parseDuration('PT72H')).toBe(72 * H);
    expect(parseDuration('P1DT12H')).toBe(36 * H);
    expect(parseDuration('PT1.5S')).toBe(1_500);
    expect(parseDuration(' 45s ')).toBe(45_000);
    expect(parseDuration(250)).toBe(250);
    expect(formatDuration(parseDuration('90m'))).toBe('1h30m');
  });

  it('refuses calendar units and nonsense', () => {
    expect(() => parseDuration('P1M')).toThrow(/no fixed length/);
    expect(() => parseDuration('P1Y')).toThrow(/no fixed length/);
    for (const bad of ['', 'P', 'PT', '72', '3 days', 'h', '-1h', '1.5h']) expect(() => parseDuration(bad), bad).toThrow(InvalidDurationError);
    expect(() => parseDuration(-1)).toThrow(InvalidDurationError);
  });
});

describe('GDPR Art. 33 clock', () => {
  // Awareness in the night when Europe leaves summer time: UTC arithmetic must not notice.
  const awareness = '2026-10-25T00:30:00.000Z';
  const clock = startClock({ regime: 'gdpr', awarenessAt: awareness, deadline: '72h', reminderMarks: ['70h', '24h', '48h', '60h'] });

  it('puts the deadline 72 hours after awareness and the marks at exact instants, DST-free', () => {
    expect(clock.deadlineAt).toBe('2026-10-28T00:30:00.000Z');
    expect(clock.marks.map((m) => [m.label, m.at])).toEqual([
      ['24h', '2026-10-26T00:30:00.000Z'],
      ['48h', '2026-10-27T00:30:00.000Z'],
      ['60h', '2026-10-27T12:30:00.000Z'],
      ['70h', '2026-10-27T22:30:00.000Z'],
    ]);
    const viaOffset = startClock({ regime: 'gdpr', awarenessAt: '2026-10-25T02:30:00+02:00', deadline: 'P3D', reminderMarks: [] });
    expect(viaOffset.deadlineAt).toBe(clock.deadlineAt);
  });

  it('nextMark: a mark at exactly now is due, not next', () => {
    const at24 = Date.parse('2026-10-26T00:30:00.000Z');
    expect(nextMark(clock, awareness)).toEqual({ kind: 'reminder', label: '24h', at: '2026-10-26T00:30:00.000Z' });
    expect(nextMark(clock, at24 - 1)).toMatchObject({ label: '24h' });
    expect(nextMark(clock, at24)).toMatchObject({ label: '48h' });
    expect(dueReminders(clock, at24 - 1)).toEqual([]);
    expect(dueReminders(clock, at24).map((m) => m.label)).toEqual(['24h']);
    expect(nextMark(clock, '2026-10-27T22:30:00.000Z')).toEqual({ kind: 'deadline', label: 'deadline', at: clock.deadlineAt });
    expect(nextMark(clock, clock.deadlineAt)).toBeUndefined();
  });

  it('dueReminders catches up on everything missed (a worker down for a day) but nothing sent twice', () => {
    expect(dueReminders(clock, '2026-10-27T13:00:00.000Z', ['24h']).map((m) => m.label)).toEqual(['48h', '60h']);
  });

  it('is on time at the deadline itself and late one millisecond after', () => {
    const deadline = Date.parse(clock.deadlineAt);
    expect(isLate(clock, deadline)).toBe(false);
    expect(isLate(clock, deadline + 1)).toBe(true);
    expect(isOverdue(clock, deadline + 1)).toBe(true);
    expect(timeRemaining(clock, awareness)).toBe(72 * H);
    expect(timeRemaining(clock, deadline + 5)).toBe(-5);
  });

  it('a late filing requires a reason', () => {
    expect(checkFiling(clock, { filedAt: '2026-10-27T10:00:00Z' })).toEqual({ filedAt: '2026-10-27T10:00:00.000Z', late: false });
    expect(() => checkFiling(clock, { filedAt: '2026-10-28T00:30:00.001Z' })).toThrow(LateFilingWithoutReasonError);
    expect(() => checkFiling(clock, { filedAt: '2026-10-28T06:00:00Z', lateReason: '   ' })).toThrow(/reason for the delay is required/);
    expect(checkFiling(clock, { filedAt: '2026-10-28T06:00:00Z', lateReason: ' waiting for forensic totals ' })).toEqual({
      filedAt: '2026-10-28T06:00:00.000Z',
      late: true,
      lateReason: 'waiting for forensic totals',
    });
  });

  it('refuses marks outside the deadline, repeated marks and zone-less times', () => {
    expect(() => startClock({ regime: 'gdpr', awarenessAt: awareness, deadline: '72h', reminderMarks: ['72h'] })).toThrow(/not between/);
    expect(() => startClock({ regime: 'gdpr', awarenessAt: awareness, deadline: '72h', reminderMarks: ['24h', 'P1D'] })).toThrow(/repeated/);
    expect(() => startClock({ regime: 'gdpr', awarenessAt: '2026-10-25 00:30', deadline: '72h', reminderMarks: [] })).toThrow(/ISO-8601/);
    expect(() => toIso('2026-10-25T00:30:00')).toThrow(/with Z or an offset/);
  });
});

describe('GDPR Art. 34 decision', () => {
  const rule = { minDataSubjects: 1, piiCategories: ['contact', 'name', 'account-identifier'] };

  it('requires notifying data subjects when high-risk categories of enough people were read', () => {
    const d = dataSubjectDecision(rule, { dataSubjects: 18_204, method: 'exact', piiCategories: ['name', 'contact', 'order-amount'] });
    expect(d).toEqual({ required: true, categories: ['contact', 'name'], reasons: ['18204 data subjects affected (threshold 1)', 'high-risk categories exposed: contact, name'] });
  });

  it('does not when no high-risk category was exposed, when below the threshold, or when unintelligible', () => {
    expect(dataSubjectDecision(rule, { dataSubjects: 500, method: 'exact', piiCategories: ['order-amount'] }).required).toBe(false);
    expect(dataSubjectDecision(rule, { dataSubjects: 0, method: 'exact', piiCategories: ['contact'] }).required).toBe(false);
    const encrypted = dataSubjectDecision(rule, { dataSubjects: 500, method: 'exact', piiCategories: ['contact'], unintelligible: true });
    expect(encrypted.required).toBe(false);
    expect(encrypted.reasons[0]).toMatch(/Art\. 34\(3\)\(a\)/);
  });

  it('errs towards notifying when an estimate is near the threshold', () => {
    const high = { minDataSubjects: 1_000, piiCategories: ['contact'] };
    expect(dataSubjectDecision(high, { dataSubjects: 990, method: 'hll', relativeStandardError: 0.01, piiCategories: ['contact'] }).required).toBe(true);
    expect(dataSubjectDecision(high, { dataSubjects: 990, method: 'exact', piiCategories: ['contact'] }).required).toBe(false);
  });
});
