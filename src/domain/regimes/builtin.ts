import type { RegimeDefinition, RegimeId } from './types';

/** The built-in regimes as data (rough first version). */
export const BUILTIN_REGIMES: Record<RegimeId, RegimeDefinition> = {
  gdpr: { id: 'gdpr', title: 'GDPR', legalReference: 'Regulation (EU) 2016/679 Art. 33', stages: [{ name: 'authority', anchor: 'awareness', period: { amount: 72, unit: 'hours' }, rule: 'GDPR Art. 33(1): 72 h after awareness', phased: true }] },
  'uk-gdpr': { id: 'uk-gdpr', title: 'UK GDPR', legalReference: 'UK GDPR Art. 33', stages: [{ name: 'authority', anchor: 'awareness', period: { amount: 72, unit: 'hours' }, rule: 'UK GDPR Art. 33(1): 72 h after awareness', phased: true }] },
  dora: { id: 'dora', title: 'DORA', legalReference: 'Regulation (EU) 2022/2554 Art. 19', requiresMajorClassification: true, stages: [
    { name: 'initial', anchor: 'classification', period: { amount: 4, unit: 'hours' }, bound: { anchor: 'awareness', period: { amount: 24, unit: 'hours' } }, rule: 'DORA initial' },
    { name: 'intermediate', anchor: 'filed:initial', period: { amount: 72, unit: 'hours' }, rule: 'DORA intermediate' },
    { name: 'final', anchor: 'filed:intermediate', period: { amount: 1, unit: 'calendar-months' }, rule: 'DORA final' },
  ] },
  nis2: { id: 'nis2', title: 'NIS2', legalReference: 'Directive (EU) 2022/2555 Art. 23(4)', stages: [
    { name: 'early-warning', anchor: 'awareness', period: { amount: 24, unit: 'hours' }, rule: 'NIS2 early warning' },
    { name: 'notification', anchor: 'awareness', period: { amount: 72, unit: 'hours' }, rule: 'NIS2 notification' },
    { name: 'final', anchor: 'filed:notification', period: { amount: 1, unit: 'calendar-months' }, rule: 'NIS2 final' },
  ] },
  'sec-8k': { id: 'sec-8k', title: 'SEC Form 8-K Item 1.05', legalReference: 'Form 8-K Item 1.05', stages: [{ name: 'form-8k', anchor: 'determination', period: { amount: 4, unit: 'business-days' }, rule: 'SEC 8-K' }] },
  nydfs: { id: 'nydfs', title: 'NYDFS', legalReference: '23 NYCRR 500.17(a)', stages: [{ name: 'superintendent', anchor: 'determination', period: { amount: 72, unit: 'hours' }, rule: 'NYDFS' }] },
  hipaa: { id: 'hipaa', title: 'HIPAA', legalReference: '45 CFR 164.404', stages: [{ name: 'individuals', anchor: 'discovery', period: { amount: 60, unit: 'calendar-days' }, rule: 'HIPAA' }] },
};
