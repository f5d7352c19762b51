import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/domain/duration';
import { InvalidDurationError } from '../../../src/domain/errors';
import type { RegulatoryClockState } from '../../../src/domain/incident-state';
import { checkStageFiling, dataSubjectDecision, localTime, regimeDefinition, timeLeft, toIso } from '../../../src/domain/regulatory-clock';

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

describe('stage filings (checkStageFiling)', () => {
  const clock = (over: Partial<RegulatoryClockState> = {}): RegulatoryClockState => ({
    regime: 'gdpr',
    authority: 'BfDI',
    workflowId: 'w/clock/gdpr',
    awarenessAt: '2026-10-25T00:30:00.000Z',
    stages: [{ stage: 'authority', due: '2026-10-28T00:30:00.000Z', rule: 'GDPR Art. 33(1)', phased: true, filings: [], missed: false, reminders: [] }],
    deadlineAt: '2026-10-28T00:30:00.000Z',
    missed: false,
    ...over,
  });
  const ask = { regime: 'gdpr', stage: 'authority', reference: 'BFDI-1' };

  it('is on time at the due itself and late one millisecond after, which needs the reasons for the delay', () => {
    expect(checkStageFiling(clock(), ask, '2026-10-28T00:30:00.000Z')).toEqual({ accepted: true, phase: 'initial', late: false });
    expect(checkStageFiling(clock(), ask, '2026-10-28T00:30:00.001Z')).toMatchObject({ accepted: false, code: 'LateFilingWithoutReason' });
    expect(checkStageFiling(clock(), { ...ask, lateReason: '   ' }, '2026-10-28T06:00:00.000Z')).toMatchObject({ accepted: false, code: 'LateFilingWithoutReason' });
    expect(checkStageFiling(clock(), { ...ask, lateReason: ' waiting for forensic totals ' }, '2026-10-28T06:00:00.000Z')).toEqual({
      accepted: true,
      phase: 'initial',
      late: true,
      lateReason: 'waiting for forensic totals',
    });
  });

  it('takes supplementary filings on a phased stage only, and none on a regime not notifiable', () => {
    const filed = clock();
    filed.stages[0]!.filings.push({ authority: 'BfDI', reference: 'BFDI-1', filedAt: '2026-10-26T00:00:00.000Z', late: false, filer: 'U', phase: 'initial' });
    // A supplementary filing after the due is not late: Art. 33(4) allows information in phases.
    expect(checkStageFiling(filed, { ...ask, reference: 'BFDI-1-2' }, '2026-10-30T00:00:00.000Z')).toEqual({ accepted: true, phase: 'supplementary', late: false });
    filed.stages[0]!.phased = false;
    expect(checkStageFiling(filed, ask, '2026-10-26T01:00:00.000Z')).toMatchObject({ accepted: false, code: 'AlreadyFiled' });
    expect(checkStageFiling(clock({ notNotifiable: { reasoning: 'encrypted at rest', decidedBy: 'U', at: 'x' } }), ask, '2026-10-26T00:00:00.000Z')).toMatchObject({
      accepted: false,
      code: 'NotNotifiable',
      message: 'GDPR was recorded as not notifiable: encrypted at rest',
    });
  });

  it('names unknown regimes and stages, and a missing reference', () => {
    expect(checkStageFiling(undefined, ask, '2026-10-26T00:00:00.000Z')).toMatchObject({ code: 'NoSuchClock' });
    expect(checkStageFiling(clock(), { ...ask, stage: 'initial' }, '2026-10-26T00:00:00.000Z')).toEqual({
      accepted: false,
      code: 'NoSuchStage',
      message: 'GDPR has no stage "initial" (stages: authority)',
    });
    expect(checkStageFiling(clock(), { ...ask, reference: ' ' }, '2026-10-26T00:00:00.000Z')).toMatchObject({ code: 'MissingReference' });
  });
});

describe('how a due reads', () => {
  it('shows the entity\'s local time across a daylight-saving change, and the time left', () => {
    expect(localTime('2026-10-25T00:30:00.000Z', 'Europe/Berlin')).toBe('Sun, 25 Oct 2026, 02:30 Europe/Berlin');
    expect(localTime('2026-10-25T01:30:00.000Z', 'Europe/Berlin')).toBe('Sun, 25 Oct 2026, 02:30 Europe/Berlin');
    expect(timeLeft('2026-10-28T00:30:00.000Z', '2026-10-25T00:30:00.000Z')).toBe('3d 0h 0m left');
    expect(timeLeft('2026-10-28T00:30:00.000Z', '2026-10-28T01:35:00.000Z')).toBe('1h 5m overdue');
    expect(() => toIso('2026-10-25T00:30:00')).toThrow(/with Z or an offset/);
  });

  it('resolves a runbook regime to its built-in or its own stages', () => {
    expect(regimeDefinition('gdpr', { authority: 'BfDI' }).stages.map((st) => st.name)).toEqual(['authority']);
    const own = regimeDefinition('swiss-fadp', { authority: 'FDPIC', stages: [{ name: 'authority', anchor: 'awareness', period: { amount: 72, unit: 'hours' }, rule: 'FADP Art. 24' }] });
    expect(own).toMatchObject({ id: 'swiss-fadp', stages: [{ name: 'authority' }] });
    expect(() => regimeDefinition('swiss-fadp', { authority: 'FDPIC' })).toThrow(/not built in/);
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
