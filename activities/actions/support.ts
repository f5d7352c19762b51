import { asyncLocalStorage } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { SECRET_REF_PATTERN } from '../../src/actions/secret-ref';
import { IntegrationError } from '../../src/integrations/http/errors';
import { VaultError } from '../../src/vault/errors';
import type { SecretsPort } from '../../src/vault/port';

/*
 * What every generic action's activity shares: one mapping of failures onto Temporal's retry
 * (a refusal is final, an outage is retried by the step's retry preset, with the service's
 * Retry-After when it gave one), secret references resolved from Vault at the moment of use, and
 * the previous attempt's checkpoint for actions that must not act twice.
 */

/**
 * A request the action itself refuses (a group that is not Empty, a secret reference that does
 * not resolve): final, with a message that names the field or the state that must change.
 */
export class ActionRefused extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'ActionRefused';
  }
}

/** kafkajs errors carry `retriable`; read it without importing their class hierarchy. */
function kafkaRetriable(err: Error): boolean | undefined {
  const r = (err as { retriable?: unknown }).retriable;
  return typeof r === 'boolean' && err.name.startsWith('KafkaJS') ? r : undefined;
}

/** Turns any failure of action `action` into an ApplicationFailure with a type and a retry decision. */
export function actionFailure(action: string, err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof ActionRefused) return ApplicationFailure.create({ type: err.type, message: `${action}: ${err.message}`, nonRetryable: true });
  if (err instanceof IntegrationError) {
    return ApplicationFailure.create({
      type: err.retryable ? 'ActionServiceUnavailable' : 'ActionServiceRefused',
      message: `${action}: ${err.message}`,
      nonRetryable: !err.retryable,
      ...(err.retryAfterSeconds !== undefined && err.retryable ? { nextRetryDelay: `${err.retryAfterSeconds}s` } : {}),
    });
  }
  if (err instanceof VaultError) {
    return ApplicationFailure.create({ type: `Vault${err.kind.replace(/(^|-)(\w)/g, (_m, _d: string, c: string) => c.toUpperCase())}`, message: `${action}: ${err.message}`, nonRetryable: !err.retriable });
  }
  if (err instanceof Error) {
    const retriable = kafkaRetriable(err);
    if (retriable !== undefined) return ApplicationFailure.create({ type: 'KafkaAdminFailed', message: `${action}: ${err.message}`, nonRetryable: !retriable });
    return ApplicationFailure.create({ type: 'ActionFailed', message: `${action}: ${err.message}`, nonRetryable: false });
  }
  return ApplicationFailure.create({ type: 'ActionFailed', message: `${action}: failed`, nonRetryable: false });
}

/** Runs an action body, rethrowing every failure as {@link actionFailure}. */
export async function asAction<T>(action: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw actionFailure(action, err);
  }
}


/**
 * Reads the secret a reference names, at the moment of use: the value lives only in this
 * activity's memory, never in params, results, history or logs.
 */
export async function resolveSecretRef(secrets: SecretsPort, ref: string, field: string): Promise<string> {
  const hash = ref.lastIndexOf('#');
  if (!new RegExp(SECRET_REF_PATTERN).test(ref)) throw new ActionRefused('InvalidSecretReference', `${field}: expected "<kv path>#<key>"`);
  const path = ref.slice(0, hash);
  const key = ref.slice(hash + 1);
  let data: Readonly<Record<string, unknown>>;
  try {
    data = (await secrets.readSecret(path)).data;
  } catch (err) {
    if (err instanceof VaultError && err.kind === 'not-found') throw new ActionRefused('SecretNotFound', `${field}: no secret at ${path}`);
    throw err;
  }
  const value = data[key];
  if (typeof value !== 'string' || value === '') throw new ActionRefused('SecretNotFound', `${field}: secret ${path} has no string key ${key}`);
  return value;
}

/** The checkpoint the previous attempt of this activity heartbeated, if any. */
export function previousCheckpoint(): unknown {
  return asyncLocalStorage.getStore()?.info.heartbeatDetails;
}
