import { describe, expect, it } from 'vitest';
import {
  computeRegime,
  computeStages,
  REGIME_IDS,
  RegimeInputError,
  type EntityCalendar,
  type RegimeFacts,
  type RegimeId,
} from '../../../src/domain/regimes';

/**
 * Table tests of the deadline calculator. Every expectation is computed by hand (the comment says
 * how), never by the code under test.
 */

const BERLIN: EntityCalendar = { country: 'DE', timeZone: 'Europe/Berlin', weekendRelief: false };
const BERLIN_RELIEF: EntityCalendar = { ...BERLIN, weekendRelief: true };
const NEW_YORK: EntityCalendar = { country: 'US', timeZone: 'America/New_York', weekendRelief: false };
const LONDON: EntityCalendar = { country: 'GB', timeZone: 'Europe/London', weekendRelief: false };

interface Case {
  name: string;
  regime: RegimeId;
  facts: Partial<RegimeFacts>;
  entity: EntityCalendar;
  due: Record<string, string | null>;
}

const CASES: Case[] = [
  // --- GDPR / UK GDPR: 72 elapsed hours ---
  {
    name: 'GDPR 72 h across the spring DST change: elapsed hours (11:00 CET → 12:00 CEST local)',
    regime: 'gdpr',
    facts: { awareAt: '2026-03-27T10:00:00Z' },
    entity: BERLIN,
    due: { authority: '2026-03-30T10:00:00.000Z' },
  },
  {
    name: 'GDPR 72 h across the autumn DST change: elapsed hours (23:30 CEST → 22:30 CET local)',
    regime: 'gdpr',
    facts: { awareAt: '2026-10-23T21:30:00Z' },
    entity: BERLIN,
    due: { authority: '2026-10-26T21:30:00.000Z' },
  },
  {
    name: 'GDPR awareness given with an offset',
    regime: 'gdpr',
    facts: { awareAt: '2026-06-01T09:15:00+02:00' },
    entity: BERLIN,
    due: { authority: '2026-06-04T07:15:00.000Z' },
  },
  { name: 'GDPR before awareness is known', regime: 'gdpr', facts: {}, entity: BERLIN, due: { authority: null } },
  {
    name: 'UK GDPR 72 h across the UK spring change (Mar 29 2026)',
    regime: 'uk-gdpr',
    facts: { awareAt: '2026-03-28T12:00:00Z' },
    entity: LONDON,
    due: { authority: '2026-03-31T12:00:00.000Z' },
  },
  // --- DORA ---
  {
    name: 'DORA before classification: every stage unknown',
    regime: 'dora',
    facts: { awareAt: '2026-03-24T08:00:00Z' },
    entity: BERLIN,
    due: { initial: null, intermediate: null, final: null },
  },
  {
    name: 'DORA classified 2 h after awareness: initial 4 h from classification',
    regime: 'dora',
    facts: { awareAt: '2026-03-24T08:00:00Z', classifiedAt: '2026-03-24T10:00:00Z', classification: 'major' },
    entity: BERLIN,
    due: { initial: '2026-03-24T14:00:00.000Z', intermediate: null, final: null },
  },
  {
    name: 'DORA classified 22 h after awareness: capped at 24 h after awareness (2 h left)',
    regime: 'dora',
    facts: { awareAt: '2026-03-24T08:00:00Z', classifiedAt: '2026-03-25T06:00:00Z' },
    entity: BERLIN,
    due: { initial: '2026-03-25T08:00:00.000Z', intermediate: null, final: null },
  },
  {
    name: 'DORA late classification (49 h after awareness): 4 h from classification',
    regime: 'dora',
    facts: { awareAt: '2026-03-24T08:00:00Z', classifiedAt: '2026-03-26T09:00:00Z' },
    entity: BERLIN,
    due: { initial: '2026-03-26T13:00:00.000Z', intermediate: null, final: null },
  },
  {
    name: 'DORA due Saturday 11:00 CET, no relief for this entity: stays on Saturday',
    regime: 'dora',
    facts: { awareAt: '2026-03-27T10:00:00Z', classifiedAt: '2026-03-28T08:00:00Z' },
    entity: BERLIN,
    due: { initial: '2026-03-28T10:00:00.000Z', intermediate: null, final: null },
  },
  {
    name: 'DORA weekend relief: Saturday due → Monday 12:00 local (CEST after the DST change) = 10:00Z',
    regime: 'dora',
    facts: { awareAt: '2026-03-27T10:00:00Z', classifiedAt: '2026-03-28T08:00:00Z' },
    entity: BERLIN_RELIEF,
    due: { initial: '2026-03-30T10:00:00.000Z', intermediate: null, final: null },
  },
  {
    name: 'DORA relief over Easter: due Good Friday → Tuesday 12:00 CEST (Easter Monday is a DE holiday)',
    regime: 'dora',
    facts: { awareAt: '2026-04-02T20:00:00Z', classifiedAt: '2026-04-03T06:00:00Z' },
    entity: BERLIN_RELIEF,
    due: { initial: '2026-04-07T10:00:00.000Z', intermediate: null, final: null },
  },
  {
    name: 'DORA relief leaves a working-day due alone',
    regime: 'dora',
    facts: { awareAt: '2026-03-24T08:00:00Z', classifiedAt: '2026-03-24T10:00:00Z' },
    entity: BERLIN_RELIEF,
    due: { initial: '2026-03-24T14:00:00.000Z', intermediate: null, final: null },
  },
  {
    name: 'DORA intermediate 72 h after the initial filing; final one month after the intermediate filing',
    regime: 'dora',
    facts: {
      awareAt: '2026-03-24T08:00:00Z',
      classifiedAt: '2026-03-24T10:00:00Z',
      filed: { initial: '2026-03-24T13:00:00Z', intermediate: '2026-04-10T08:00:00Z' },
    },
    entity: BERLIN,
    // 10 Apr 10:00 CEST + 1 month = 10 May 10:00 CEST.
    due: { initial: '2026-03-24T14:00:00.000Z', intermediate: '2026-03-27T13:00:00.000Z', final: '2026-05-10T08:00:00.000Z' },
  },
  {
    name: 'DORA classified not major: nothing is due',
    regime: 'dora',
    facts: { awareAt: '2026-03-24T08:00:00Z', classifiedAt: '2026-03-24T10:00:00Z', classification: 'not-major' },
    entity: BERLIN,
    due: { initial: null, intermediate: null, final: null },
  },
  // --- NIS2 ---
  {
    name: 'NIS2 early warning 24 h, notification 72 h, final waits for the notification',
    regime: 'nis2',
    facts: { awareAt: '2026-01-28T09:00:00Z' },
    entity: BERLIN,
    due: { 'early-warning': '2026-01-29T09:00:00.000Z', notification: '2026-01-31T09:00:00.000Z', final: null },
  },
  {
    name: 'NIS2 final one month after a notification filed on Jan 31: clamped to Feb 28, same local time',
    regime: 'nis2',
    facts: { awareAt: '2026-01-28T09:00:00Z', filed: { notification: '2026-01-31T09:00:00Z' } },
    entity: BERLIN,
    due: { 'early-warning': '2026-01-29T09:00:00.000Z', notification: '2026-01-31T09:00:00.000Z', final: '2026-02-28T09:00:00.000Z' },
  },
  {
    name: 'NIS2 final in a leap year: Jan 31 2028 → Feb 29 2028',
    regime: 'nis2',
    facts: { awareAt: '2028-01-28T09:00:00Z', filed: { notification: '2028-01-31T09:00:00Z' } },
    entity: BERLIN,
    due: { 'early-warning': '2028-01-29T09:00:00.000Z', notification: '2028-01-31T09:00:00.000Z', final: '2028-02-29T09:00:00.000Z' },
  },
  {
    name: 'NIS2 final across DST: Mar 10 10:00 CET → Apr 10 10:00 CEST (calendar month, not 31 × 24 h)',
    regime: 'nis2',
    facts: { awareAt: '2026-03-07T09:00:00Z', filed: { notification: '2026-03-10T09:00:00Z' } },
    entity: BERLIN,
    due: { 'early-warning': '2026-03-08T09:00:00.000Z', notification: '2026-03-10T09:00:00.000Z', final: '2026-04-10T08:00:00.000Z' },
  },
  // --- SEC Form 8-K Item 1.05: four business days, US federal holidays ---
  {
    name: 'SEC 8-K across Thanksgiving: Tue Nov 24 → Wed, (Thu holiday), Fri, Mon, Tue Dec 1',
    regime: 'sec-8k',
    facts: { determinedAt: '2026-11-24T15:00:00Z' },
    entity: NEW_YORK,
    due: { 'form-8k': '2026-12-01T15:00:00.000Z' },
  },
  {
    name: 'SEC 8-K: July 4 2026 is a Saturday, observed Friday Jul 3: Wed Jul 1 → Thu, Mon, Tue, Wed Jul 8',
    regime: 'sec-8k',
    facts: { determinedAt: '2026-07-01T14:00:00Z' },
    entity: NEW_YORK,
    due: { 'form-8k': '2026-07-08T14:00:00.000Z' },
  },
  {
    name: 'SEC 8-K: July 4 2027 is a Sunday, observed Monday Jul 5: Thu Jul 1 → Fri, Tue, Wed, Thu Jul 8',
    regime: 'sec-8k',
    facts: { determinedAt: '2027-07-01T14:00:00Z' },
    entity: NEW_YORK,
    due: { 'form-8k': '2027-07-08T14:00:00.000Z' },
  },
  {
    name: 'SEC 8-K determined on a Saturday: Monday is business day 1 → Thursday',
    regime: 'sec-8k',
    facts: { determinedAt: '2026-06-06T14:00:00Z' },
    entity: NEW_YORK,
    due: { 'form-8k': '2026-06-11T14:00:00.000Z' },
  },
  {
    name: 'SEC 8-K across the US autumn DST change: Thu Oct 29 10:00 EDT → Wed Nov 4 10:00 EST',
    regime: 'sec-8k',
    facts: { determinedAt: '2026-10-29T14:00:00Z' },
    entity: NEW_YORK,
    due: { 'form-8k': '2026-11-04T15:00:00.000Z' },
  },
  {
    name: 'SEC 8-K before the materiality determination',
    regime: 'sec-8k',
    facts: { awareAt: '2026-11-20T15:00:00Z' },
    entity: NEW_YORK,
    due: { 'form-8k': null },
  },
  // --- NYDFS: 72 elapsed hours from determination, holidays irrelevant ---
  {
    name: 'NYDFS 72 h from determination, over Thanksgiving',
    regime: 'nydfs',
    facts: { awareAt: '2026-11-23T12:00:00Z', determinedAt: '2026-11-24T15:00:00Z' },
    entity: NEW_YORK,
    due: { superintendent: '2026-11-27T15:00:00.000Z' },
  },
  { name: 'NYDFS before determination', regime: 'nydfs', facts: { awareAt: '2026-11-23T12:00:00Z' }, entity: NEW_YORK, due: { superintendent: null } },
  // --- HIPAA: 60 calendar days from discovery ---
  {
    name: 'HIPAA 60 calendar days: Jan 15 10:00 EST → Mar 16 10:00 EDT',
    regime: 'hipaa',
    facts: { awareAt: '2026-01-10T15:00:00Z', discoveredAt: '2026-01-15T15:00:00Z' },
    entity: NEW_YORK,
    due: { individuals: '2026-03-16T14:00:00.000Z' },
  },
  {
    name: 'HIPAA discovery defaults to awareness',
    regime: 'hipaa',
    facts: { awareAt: '2026-01-15T15:00:00Z' },
    entity: NEW_YORK,
    due: { individuals: '2026-03-16T14:00:00.000Z' },
  },
];

describe('computeRegime (hand-computed table)', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = computeRegime(c.regime, { filed: {}, ...c.facts }, c.entity);
    expect(result.regime).toBe(c.regime);
    expect(Object.fromEntries(result.stages.map((s) => [s.stage, s.due]))).toEqual(c.due);
    expect(result.stages.map((s) => s.stage)).toEqual(Object.keys(c.due));
  });
});

describe('rule texts', () => {
  it('cite the legal reference of every stage of every regime', () => {
    const refs: Record<RegimeId, RegExp> = {
      gdpr: /GDPR Art\. 33\(1\)/,
      'uk-gdpr': /UK GDPR Art\. 33\(1\)/,
      dora: /2025\/301 Art\. 5/,
      nis2: /NIS2 Art\. 23\(4\)/,
      'sec-8k': /Item 1\.05/,
      nydfs: /500\.17\(a\)/,
      hipaa: /164\.404\(b\)/,
    };
    for (const id of REGIME_IDS) {
      const { stages } = computeRegime(id, { awareAt: '2026-03-24T08:00:00Z', filed: {} }, BERLIN);
      for (const s of stages) expect(s.rule, `${id}/${s.stage}`).toMatch(refs[id]);
    }
  });

  it('say why a due is null, capped, late or moved', () => {
    const dora = (facts: Partial<RegimeFacts>, entity = BERLIN): string[] => computeRegime('dora', { filed: {}, ...facts }, entity).stages.map((s) => s.rule);
    expect(dora({ awareAt: '2026-03-24T08:00:00Z' })[0]).toMatch(/waiting for classification as major/);
    expect(dora({ awareAt: '2026-03-24T08:00:00Z', classifiedAt: '2026-03-24T10:00:00Z' })[1]).toMatch(/waiting for the initial filing/);
    expect(dora({ awareAt: '2026-03-24T08:00:00Z', classifiedAt: '2026-03-25T06:00:00Z' })[0]).toMatch(/capped at 24h after awareness/);
    expect(dora({ awareAt: '2026-03-24T08:00:00Z', classifiedAt: '2026-03-26T09:00:00Z' })[0]).toMatch(/came after the 24h limit/);
    expect(dora({ awareAt: '2026-03-27T10:00:00Z', classifiedAt: '2026-03-28T08:00:00Z' }, BERLIN_RELIEF)[0]).toMatch(/next working day/);
    for (const rule of dora({ classifiedAt: '2026-03-24T10:00:00Z', classification: 'not-major' })) expect(rule).toMatch(/not reportable/);
  });
});

describe('bad input', () => {
  const fail = (regime: RegimeId, facts: Partial<RegimeFacts>, entity: EntityCalendar = BERLIN): RegimeInputError => {
    try {
      computeRegime(regime, { filed: {}, ...facts }, entity);
    } catch (err) {
      if (err instanceof RegimeInputError) return err;
      throw err;
    }
    throw new Error('expected a RegimeInputError');
  };

  it('names the fact or setting at fault', () => {
    expect(fail('gdpr', { awareAt: '2026-03-27T10:00:00' }).field).toBe('awareAt'); // no zone: refused
    expect(fail('gdpr', { awareAt: 'yesterday' }).field).toBe('awareAt');
    expect(fail('dora', { classifiedAt: '2026-02-30T10:00:00Z' }).field).toBe('classifiedAt');
    expect(fail('dora', { filed: { intial: '2026-03-27T10:00:00Z' } }).field).toBe('filed.intial');
    expect(fail('dora', { filed: { initial: 'soon' } }).field).toBe('filed.initial');
    expect(fail('gdpr', {}, { ...BERLIN, timeZone: 'Europe/Atlantis' }).field).toBe('timeZone');
    expect(fail('gdpr', {}, { ...BERLIN, country: 'XX' }).field).toBe('country');
  });
});

describe('computeStages over a runbook-defined regime', () => {
  it('computes business days in the entity calendar and chains on filings', () => {
    const result = computeStages(
      {
        id: 'bafin-ad-hoc',
        title: 'example',
        legalReference: 'example',
        stages: [
          { name: 'first', anchor: 'awareness', period: { amount: 2, unit: 'business-days' }, rule: 'two business days' },
          { name: 'second', anchor: 'filed:first', period: { amount: 10, unit: 'calendar-days' }, rule: 'ten days after first' },
        ],
      },
      // Thu Dec 24 2026 09:00 CET; Dec 25 and 26 are DE holidays, 26/27 a weekend → Mon 28 (1), Tue 29 (2).
      { awareAt: '2026-12-24T08:00:00Z', filed: { first: '2026-12-29T08:00:00Z' } },
      BERLIN,
    );
    expect(result.stages.map((s) => s.due)).toEqual(['2026-12-29T08:00:00.000Z', '2027-01-08T08:00:00.000Z']);
  });
});
