/**
 * How a reply to a slash command starts says what it is: refusals (the policies, or the workflow's
 * own validator) start with `:no_entry:`, failures and rejected input with `:warning:`. The CLI's
 * `breachline slack` reads this to exit non-zero; people read the emoji.
 */
export const REFUSED_PREFIX = ':no_entry:';
export const FAILED_PREFIX = ':warning:';

/** Whether a reply reports a refusal or a failure rather than an answer. */
export function isRefusalOrFailure(text: string): boolean {
  const start = text.trimStart();
  return start.startsWith(REFUSED_PREFIX) || start.startsWith(FAILED_PREFIX);
}

/** Marks a failure text as one (unless it already says what it is). */
export function asFailure(text: string): string {
  return isRefusalOrFailure(text) ? text : `${FAILED_PREFIX} ${text}`;
}
