/**
 * Bad input to the regulatory calculator (an instant that is not ISO-8601, an unknown time zone,
 * country, regime or stage). `field` names the input at fault, so the CLI can name its option and
 * a Slack handler its argument. Deterministic: retrying the same input cannot succeed.
 */
export class RegimeInputError extends Error {
  readonly code = 'INVALID_REGIME_INPUT';
  readonly retriable = false;

  constructor(
    /** The fact or setting at fault, e.g. `awareAt`, `filed.initial`, `timeZone`. */
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'RegimeInputError';
  }
}
