/**
 * An error Vault answers with `{"errors": [...]}` and an HTTP status. Handlers throw it; the server
 * turns it into the response, so no handler writes error bodies itself.
 */
export class VaultApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: readonly string[],
    /** Extra top-level fields some Vault errors carry (a KV read of a deleted version keeps `data`). */
    readonly body?: Readonly<Record<string, unknown>>,
  ) {
    super(errors[0] ?? `status ${status}`);
  }
}

/** Vault wraps logical-backend errors in go-multierror text; clients see exactly this string. */
export function multiError(message: string): string {
  return `1 error occurred:\n\t* ${message}\n\n`;
}

/** 400 with Vault's single-message body. */
export function badRequest(message: string): VaultApiError {
  return new VaultApiError(400, [message]);
}

/** 403 for an ACL denial, worded as Vault words it. */
export function permissionDenied(): VaultApiError {
  return new VaultApiError(403, [multiError('permission denied')]);
}

/** 403 for a missing, expired or revoked token. */
export function invalidToken(): VaultApiError {
  return new VaultApiError(403, ['permission denied', 'invalid token']);
}

/** 404 with an empty error list: how Vault answers a read of a path that holds nothing. */
export function notFound(): VaultApiError {
  return new VaultApiError(404, []);
}

/** 404 for a path no mount or backend route serves. */
export function noRoute(path: string): VaultApiError {
  return new VaultApiError(404, [`no handler for route "${path}". route entry not found.`]);
}

/** 405 for a method a route does not support. */
export function unsupportedOperation(): VaultApiError {
  return new VaultApiError(405, [multiError('unsupported operation')]);
}

/** 503 answered for everything but health, seal status and unseal while sealed. */
export function sealed(): VaultApiError {
  return new VaultApiError(503, ['Vault is sealed']);
}
