/**
 * Patterns the runbook schema and the action definitions share. Kept apart from both so that the
 * action registry and the schema builder can import them without importing each other.
 */

/** Durations as runbooks write them: `36h`, `90m`, `2h30m`, or ISO 8601 without years/months. */
export const DURATION_PATTERN = '^(?:(?:\\d+(?:ms|s|m|h|d|w))+|P(?:\\d+W)?(?:\\d+D)?(?:T(?:\\d+H)?(?:\\d+M)?(?:\\d+(?:\\.\\d{1,3})?S)?)?)$';

/** Kafka principals as the authorizer names them. */
export const PRINCIPAL_PATTERN = '^User:[^\\s]+$';

/** Names of runbook things (step ids, breakers, regimes). */
export const NAME_PATTERN = '^[a-z][a-z0-9-]*$';

/** Generic action names as runbooks write them: `page`, `kafka.reset-offsets`, `vault.rotate-kv`. */
export const ACTION_NAME_PATTERN = '^[a-z][a-z0-9-]*(?:\\.[a-z][a-z0-9-]*)*$';
