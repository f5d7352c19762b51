import { BUILTIN_REGIMES } from './builtin';
import { computeStages } from './calculator';
import type { EntityCalendar, RegimeDeadlines, RegimeFacts, RegimeId } from './types';

export type * from './types';
export { BUILTIN_REGIMES } from './builtin';
export { computeStages, reminderInstants } from './calculator';
export { stageDefinitionSchema } from './schema';

/** Every built-in regime id, in display order. */
export const REGIME_IDS: readonly RegimeId[] = ['gdpr', 'uk-gdpr', 'dora', 'nis2', 'sec-8k', 'nydfs', 'hipaa'];

/** Computes every stage of a built-in regime (computeStages over its built-in definition). */
export function computeRegime(regime: RegimeId, facts: RegimeFacts, entity: EntityCalendar): RegimeDeadlines {
  return computeStages(BUILTIN_REGIMES[regime], facts, entity);
}
