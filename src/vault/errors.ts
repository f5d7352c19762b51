/** What went wrong, in terms a caller can act on. */
export type VaultErrorKind = 'permission-denied' | 'not-found' | 'cas-mismatch' | 'sealed' | 'unavailable' | 'invalid-request';

/** Fields of a {@link VaultError}. */
export interface VaultErrorInit {
  kind: VaultErrorKind;
  /** Vault API path (no secret values), e.g. `secret/data/payments/db`. */
  path: string;
  /** The port operation that failed, e.g. `writeSecret`. */
  operation: string;
  status?: number;
  /** Short fixed description of the cause; never text echoed from the request or response. */
  reason?: string;
}

const RETRIABLE: Readonly<Record<VaultErrorKind, boolean>> = {
  'permission-denied': false,
  'not-found': false,
  'cas-mismatch': false,
  sealed: true,
  unavailable: true,
  'invalid-request': false,
};

/**
 * A failed Vault call. `retriable` says whether trying again can help: a sealed or unreachable
 * Vault may come back, a denied, missing or conflicting request will fail the same way. The message
 * names the operation, path and kind only, so logging the error cannot leak a secret.
 */
export class VaultError extends Error {
  readonly kind: VaultErrorKind;
  readonly retriable: boolean;
  declare readonly status?: number;
  readonly path: string;
  readonly operation: string;

  constructor(init: VaultErrorInit) {
    const status = init.status === undefined ? '' : ` (HTTP ${init.status})`;
    super(`vault ${init.operation} ${init.path}: ${init.kind}${init.reason ? `: ${init.reason}` : ''}${status}`);
    this.name = 'VaultError';
    this.kind = init.kind;
    this.retriable = RETRIABLE[init.kind];
    if (init.status !== undefined) this.status = init.status;
    this.path = init.path;
    this.operation = init.operation;
  }
}

/** True when `err` is a {@link VaultError} of the given kind. */
export function isVaultError(err: unknown, kind?: VaultErrorKind): err is VaultError {
  return err instanceof VaultError && (kind === undefined || err.kind === kind);
}
