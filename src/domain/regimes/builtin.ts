import type { RegimeDefinition, RegimeId } from './types';

/**
 * The built-in regimes as data. Each stage cites its legal reference in `rule`; docs/regulatory.md
 * explains each rule and what the user must decide. Where the law counts whole days (HIPAA, SEC)
 * the due is the same local time on the last day: earlier than the end of that day, never later.
 */

const GDPR_AUTHORITY = (title: string): RegimeDefinition['stages'][number] => ({
  name: 'authority',
  anchor: 'awareness',
  period: { amount: 72, unit: 'hours' },
  rule: `${title} Art. 33(1): notify the supervisory authority without undue delay and, where feasible, not later than 72 h after becoming aware; Art. 33(4): information may be provided in phases`,
  phased: true,
});

const gdpr: RegimeDefinition = {
  id: 'gdpr',
  title: 'GDPR personal data breach',
  legalReference: 'Regulation (EU) 2016/679 (GDPR) Art. 33',
  stages: [GDPR_AUTHORITY('GDPR')],
};

const ukGdpr: RegimeDefinition = {
  id: 'uk-gdpr',
  title: 'UK GDPR personal data breach',
  legalReference: 'UK GDPR (retained Regulation (EU) 2016/679) Art. 33',
  stages: [GDPR_AUTHORITY('UK GDPR')],
};

const dora: RegimeDefinition = {
  id: 'dora',
  title: 'DORA major ICT-related incident',
  legalReference: 'Regulation (EU) 2022/2554 (DORA) Art. 19; Commission Delegated Regulation (EU) 2025/301 Art. 5',
  requiresMajorClassification: true,
  stages: [
    {
      name: 'initial',
      anchor: 'classification',
      period: { amount: 4, unit: 'hours' },
      bound: { anchor: 'awareness', period: { amount: 24, unit: 'hours' } },
      rule: 'DORA Art. 19(4)(a), Delegated Regulation (EU) 2025/301 Art. 5(1)(a): initial notification within 4 h of classification as major and no later than 24 h after awareness',
      weekendRelief: true,
    },
    {
      name: 'intermediate',
      anchor: 'filed:initial',
      period: { amount: 72, unit: 'hours' },
      rule: 'DORA Art. 19(4)(b), Delegated Regulation (EU) 2025/301 Art. 5(1)(b): intermediate report within 72 h of submitting the initial notification',
      phased: true,
      weekendRelief: true,
    },
    {
      name: 'final',
      anchor: 'filed:intermediate',
      period: { amount: 1, unit: 'calendar-months' },
      rule: 'DORA Art. 19(4)(c), Delegated Regulation (EU) 2025/301 Art. 5(1)(c): final report within one month of the latest updated intermediate report',
      weekendRelief: true,
    },
  ],
};

const nis2: RegimeDefinition = {
  id: 'nis2',
  title: 'NIS2 significant incident',
  legalReference: 'Directive (EU) 2022/2555 (NIS2) Art. 23(4)',
  stages: [
    {
      name: 'early-warning',
      anchor: 'awareness',
      period: { amount: 24, unit: 'hours' },
      rule: 'NIS2 Art. 23(4)(a): early warning without undue delay and in any event within 24 h of becoming aware',
    },
    {
      name: 'notification',
      anchor: 'awareness',
      period: { amount: 72, unit: 'hours' },
      rule: 'NIS2 Art. 23(4)(b): incident notification without undue delay and in any event within 72 h of becoming aware',
      phased: true,
    },
    {
      name: 'final',
      anchor: 'filed:notification',
      period: { amount: 1, unit: 'calendar-months' },
      rule: 'NIS2 Art. 23(4)(d): final report not later than one month after submitting the incident notification',
    },
  ],
};

const sec8k: RegimeDefinition = {
  id: 'sec-8k',
  title: 'SEC Form 8-K Item 1.05 material cybersecurity incident',
  legalReference: 'SEC Form 8-K Item 1.05 and General Instruction B.1 (17 CFR 249.308)',
  stages: [
    {
      name: 'form-8k',
      anchor: 'determination',
      period: { amount: 4, unit: 'business-days' },
      rule: 'Form 8-K Item 1.05, General Instruction B.1: file within four business days after determining the incident is material (weekends and US federal holidays, observed days included, do not count)',
      phased: true,
    },
  ],
};

const nydfs: RegimeDefinition = {
  id: 'nydfs',
  title: 'NYDFS cybersecurity incident',
  legalReference: '23 NYCRR 500.17(a)(1)',
  stages: [
    {
      name: 'superintendent',
      anchor: 'determination',
      period: { amount: 72, unit: 'hours' },
      rule: '23 NYCRR 500.17(a)(1): notify the superintendent as promptly as possible and in no event later than 72 h after determining that a cybersecurity incident has occurred',
    },
  ],
};

const hipaa: RegimeDefinition = {
  id: 'hipaa',
  title: 'HIPAA breach of unsecured protected health information',
  legalReference: '45 CFR 164.404(b)',
  stages: [
    {
      name: 'individuals',
      anchor: 'discovery',
      period: { amount: 60, unit: 'calendar-days' },
      rule: '45 CFR 164.404(b): notify affected individuals without unreasonable delay and in no case later than 60 calendar days after discovery of the breach',
    },
  ],
};

/** Every built-in regime by id. */
export const BUILTIN_REGIMES: Record<RegimeId, RegimeDefinition> = {
  gdpr,
  'uk-gdpr': ukGdpr,
  dora,
  nis2,
  'sec-8k': sec8k,
  nydfs,
  hipaa,
};
