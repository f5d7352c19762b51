/**
 * Failures of credential rotation that are neither a Vault nor a broker error: a secret that is not
 * a service account, a verification that did not hold, a check-and-set race lost too often. `type`
 * is stable (the activity boundary turns it into an `ApplicationFailure` type); messages name
 * accounts and paths only, never a password or token.
 */
export class RotationError extends Error {
  override readonly name = 'RotationError';

  constructor(
    /** Stable name, e.g. `CredentialVerificationFailed`. */
    readonly type: RotationErrorType,
    message: string,
    /** Whether running the step again can succeed. */
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

/** Every {@link RotationError} type. */
export type RotationErrorType =
  /** The KV secret at the account's path lacks `password` (or holds something else). */
  | 'ServiceAccountSecretInvalid'
  /** After applying, the new password was refused or the old one still accepted. */
  | 'CredentialVerificationFailed'
  /** Other writers kept winning the check-and-set race on the account's secret. */
  | 'VaultCasConflict'
  /** A token, secret id or SCRAM credential of the compromised account survived revocation. */
  | 'RevocationVerificationFailed';
