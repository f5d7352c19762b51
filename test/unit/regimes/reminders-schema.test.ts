import { describe, expect, it } from 'vitest';
import { BUILTIN_REGIMES, REGIME_IDS, regimeDefinitionSchema, reminderInstants, stageDefinitionJsonSchema, stageDefinitionSchema } from '../../../src/domain/regimes';

describe('reminderInstants', () => {
  it('marks 50 %, 75 %, 90 % of a 72 h stage and 1 h before its due', () => {
    // 72 h from Mar 27 10:00Z: 36 h, 54 h, 64.8 h (= 64 h 48 min), 71 h.
    expect(reminderInstants('2026-03-27T10:00:00Z', '2026-03-30T10:00:00.000Z')).toEqual([
      { label: '50%', at: '2026-03-28T22:00:00.000Z' },
      { label: '75%', at: '2026-03-29T16:00:00.000Z' },
      { label: '90%', at: '2026-03-30T02:48:00.000Z' },
      { label: '1h-before', at: '2026-03-30T09:00:00.000Z' },
    ]);
  });

  it('keeps one mark per instant and sorts them, on stages of a few hours', () => {
    // 2 h, 3 h, 3 h 36 min; 1 h before = 3 h, the same instant as 75 %: kept once, as 75 %.
    expect(reminderInstants('2026-03-24T10:00:00Z', '2026-03-24T14:00:00Z')).toEqual([
      { label: '50%', at: '2026-03-24T12:00:00.000Z' },
      { label: '75%', at: '2026-03-24T13:00:00.000Z' },
      { label: '90%', at: '2026-03-24T13:36:00.000Z' },
    ]);
    // 2 h stage: 1 h before (11:00) equals 50 %; 90 % = 11:48.
    expect(reminderInstants('2026-03-24T10:00:00Z', '2026-03-24T12:00:00Z').map((r) => r.label)).toEqual(['50%', '75%', '90%']);
    // 3 h stage: 50 % 11:30, 1h-before 12:00, 75 % 12:15, 90 % 12:42.
    expect(reminderInstants('2026-03-24T10:00:00Z', '2026-03-24T13:00:00Z').map((r) => r.label)).toEqual(['50%', '1h-before', '75%', '90%']);
  });

  it('drops 1h-before when the stage is shorter than an hour', () => {
    expect(reminderInstants('2026-03-24T10:00:00Z', '2026-03-24T10:30:00Z')).toEqual([
      { label: '50%', at: '2026-03-24T10:15:00.000Z' },
      { label: '75%', at: '2026-03-24T10:22:30.000Z' },
      { label: '90%', at: '2026-03-24T10:27:00.000Z' },
    ]);
  });

  it('returns nothing for a due at or before its anchor (a late classification already past)', () => {
    expect(reminderInstants('2026-03-24T10:00:00Z', '2026-03-24T10:00:00Z')).toEqual([]);
    expect(reminderInstants('2026-03-24T10:00:00Z', '2026-03-24T09:00:00Z')).toEqual([]);
  });
});

describe('regime schema (runbook-defined regimes)', () => {
  it('accepts every built-in regime as written', () => {
    for (const id of REGIME_IDS) expect(regimeDefinitionSchema.safeParse(BUILTIN_REGIMES[id]).success, id).toBe(true);
  });

  it('refuses unknown units, a filed: anchor on a later stage, duplicates and unknown keys', () => {
    const stage = { name: 'a', anchor: 'awareness', period: { amount: 3, unit: 'hours' }, rule: 'r' };
    expect(stageDefinitionSchema.safeParse(stage).success).toBe(true);
    expect(stageDefinitionSchema.safeParse({ ...stage, period: { amount: 3, unit: 'weeks' } }).success).toBe(false);
    expect(stageDefinitionSchema.safeParse({ ...stage, period: { amount: 1.5, unit: 'hours' } }).success).toBe(false);
    expect(stageDefinitionSchema.safeParse({ ...stage, anchor: 'filed:' }).success).toBe(false);
    expect(stageDefinitionSchema.safeParse({ ...stage, deadline: '72h' }).success).toBe(false);
    const regime = (stages: unknown[]): boolean => regimeDefinitionSchema.safeParse({ id: 'x', title: 't', legalReference: 'l', stages }).success;
    expect(regime([stage, { ...stage, name: 'b', anchor: 'filed:a' }])).toBe(true);
    expect(regime([{ ...stage, anchor: 'filed:b' }, { ...stage, name: 'b' }])).toBe(false);
    expect(regime([stage, { ...stage, name: 'b', bound: { anchor: 'filed:b', period: { amount: 1, unit: 'hours' } } }])).toBe(false);
    expect(regime([stage, stage])).toBe(false);
  });

  it('has a JSON Schema for the runbook schema to embed', () => {
    expect(stageDefinitionJsonSchema).toMatchObject({ type: 'object', required: expect.arrayContaining(['name', 'anchor', 'period', 'rule']) });
  });
});
