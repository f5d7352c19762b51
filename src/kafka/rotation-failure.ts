import { VaultError, type VaultErrorKind } from '../vault/errors';
import { KafkaAdminError } from './scram-admin';
import { RotationError } from './rotation-errors';

/**
 * Classifies what went wrong during credential rotation into a stable failure type and whether a
 * retry can help. The activity turns the result into an `ApplicationFailure`; nothing branches on
 * message text, and every message here is one the adapters built without secrets in it.
 */

/** A failure as the activity boundary reports it. */
export interface RotationFailure {
  type: string;
  message: string;
  nonRetryable: boolean;
}

const VAULT_TYPES: Readonly<Record<VaultErrorKind, string>> = {
  'permission-denied': 'VaultPermissionDenied',
  'not-found': 'VaultNotFound',
  'cas-mismatch': 'VaultCasConflict',
  sealed: 'VaultSealed',
  unavailable: 'VaultUnavailable',
  'invalid-request': 'VaultInvalidRequest',
};

/** Kafka error codes meaning our own admin principal was refused: retrying cannot help. */
const ADMIN_REFUSED: Readonly<Record<number, string>> = {
  58: 'KafkaAdminAuthenticationFailed',
  31: 'KafkaAdminNotAuthorized',
};

/** The failure type and retriability of `err`. */
export function toRotationFailure(err: unknown): RotationFailure {
  if (err instanceof RotationError) return { type: err.type, message: err.message, nonRetryable: !err.retriable };
  if (err instanceof VaultError) return { type: VAULT_TYPES[err.kind], message: err.message, nonRetryable: !err.retriable };
  if (err instanceof KafkaAdminError) {
    const refused = ADMIN_REFUSED[err.code];
    if (refused) return { type: refused, message: err.message, nonRetryable: true };
    if (err.retriable) return { type: 'KafkaUnavailable', message: err.message, nonRetryable: false };
    return { type: 'ScramCredentialChangeFailed', message: `${err.type}: ${err.message}`, nonRetryable: true };
  }
  if (err instanceof Error && err.name.startsWith('KafkaJS')) {
    // kafkajs errors that reach here come from verification logins that failed for a reason other
    // than the credential (connection refused, timeout): the cluster may come back.
    return { type: 'KafkaUnavailable', message: `${err.name}: ${err.message}`, nonRetryable: false };
  }
  if (err instanceof RangeError || err instanceof TypeError) {
    // Bad parameters (e.g. iterations outside Kafka's bounds) or a defect: the same input fails again.
    return { type: 'RotationFailed', message: `${err.name}: ${err.message}`, nonRetryable: true };
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : 'unknown failure';
  return { type: 'RotationFailed', message, nonRetryable: false };
}
