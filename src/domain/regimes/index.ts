import { BUILTIN_REGIMES } from './builtin';
import { computeStages } from './calculator';
import type { EntityCalendar, RegimeDeadlines, RegimeFacts, RegimeId } from './types';

/**
 * Regulatory regimes and their deadline calculator (issue 10): regimes as data, stages anchored on
 * recorded facts, periods in hours (elapsed) or calendar units in the entity's time zone.
 */

export type * from './types';
export { BUILTIN_REGIMES } from './builtin';
export { computeStages, parseInstant, reminderInstants } from './calculator';
export { addPeriod, applyWorkingDayRelief, formatLocal, isBusinessDay } from './calendar';
export { checkEntity, publicHolidaysOf, withHolidays } from './holidays';
export { RegimeInputError } from './errors';
export { periodSchema, regimeDefinitionSchema, stageAnchorSchema, stageDefinitionJsonSchema, stageDefinitionSchema } from './schema';

/** Every built-in regime id, in display order. */
export const REGIME_IDS: readonly RegimeId[] = ['gdpr', 'uk-gdpr', 'dora', 'nis2', 'sec-8k', 'nydfs', 'hipaa'];

/** True for a built-in regime id. */
export function isRegimeId(value: string): value is RegimeId {
  return (REGIME_IDS as readonly string[]).includes(value);
}

/** Computes every stage of a built-in regime (computeStages over its built-in definition). */
export function computeRegime(regime: RegimeId, facts: RegimeFacts, entity: EntityCalendar): RegimeDeadlines {
  return computeStages(BUILTIN_REGIMES[regime], facts, entity);
}
