import { describe, expect, it } from 'vitest';
import { eventually, generatePassword, PASSWORD_BYTES } from '../../../src/kafka/account-rotation';
import { tokenBelongsTo } from '../../../src/kafka/compromised-account';
import { RotationError } from '../../../src/kafka/rotation-errors';
import { toRotationFailure } from '../../../src/kafka/rotation-failure';
import { KafkaAdminError } from '../../../src/kafka/scram-admin';
import { isAuthenticationRefusal } from '../../../src/kafka/scram-rotation';
import { VaultError } from '../../../src/vault/errors';

describe('generatePassword', () => {
  it('is base64url of at least 32 random bytes and never repeats', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = generatePassword();
      expect(p).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(p, 'base64url')).toHaveLength(PASSWORD_BYTES);
      seen.add(p);
    }
    expect(PASSWORD_BYTES).toBeGreaterThanOrEqual(32);
    expect(seen.size).toBe(200);
  });
});

describe('tokenBelongsTo (which Vault tokens are the compromised service’s)', () => {
  const token = (meta: Record<string, string>, displayName = 'token'): { meta: Record<string, string>; displayName: string } => ({ meta, displayName });

  it('matches meta.service, an AppRole login of the role named after the account, or the display name', () => {
    expect(tokenBelongsTo(token({ service: 'report-exporter' }), 'report-exporter')).toBe(true);
    expect(tokenBelongsTo(token({ role_name: 'report-exporter' }, 'approle'), 'report-exporter')).toBe(true);
    expect(tokenBelongsTo(token({}, 'token-report-exporter-batch'), 'report-exporter')).toBe(true);
    expect(tokenBelongsTo(token({}, 'token-Report-Exporter'), 'report-exporter')).toBe(true);
  });

  it('leaves other services’ tokens alone', () => {
    expect(tokenBelongsTo(token({ service: 'report-scheduler' }, 'token-report-scheduler'), 'report-exporter')).toBe(false);
    expect(tokenBelongsTo(token({ role_name: 'invoice-renderer' }, 'approle'), 'report-exporter')).toBe(false);
    expect(tokenBelongsTo(token({}, 'root'), 'report-exporter')).toBe(false);
    expect(tokenBelongsTo(token({ service: '' }, 'token'), '')).toBe(false);
  });
});

describe('toRotationFailure (the activity boundary’s error types)', () => {
  const vault = (kind: ConstructorParameters<typeof VaultError>[0]['kind']): VaultError => new VaultError({ kind, path: 'secret/data/x', operation: 'readSecret' });

  it('Vault: sealed and unavailable are retried; permission denied is not', () => {
    expect(toRotationFailure(vault('sealed'))).toMatchObject({ type: 'VaultSealed', nonRetryable: false });
    expect(toRotationFailure(vault('unavailable'))).toMatchObject({ type: 'VaultUnavailable', nonRetryable: false });
    expect(toRotationFailure(vault('permission-denied'))).toMatchObject({ type: 'VaultPermissionDenied', nonRetryable: true });
    expect(toRotationFailure(vault('invalid-request'))).toMatchObject({ type: 'VaultInvalidRequest', nonRetryable: true });
  });

  it('broker: our admin refused is final, transport trouble is retried, a rejected credential is final', () => {
    expect(toRotationFailure(new KafkaAdminError('auth', 58))).toMatchObject({ type: 'KafkaAdminAuthenticationFailed', nonRetryable: true });
    expect(toRotationFailure(new KafkaAdminError('authz', 31))).toMatchObject({ type: 'KafkaAdminNotAuthorized', nonRetryable: true });
    expect(toRotationFailure(new KafkaAdminError('net', 13))).toMatchObject({ type: 'KafkaUnavailable', nonRetryable: false });
    expect(toRotationFailure(new KafkaAdminError('bad', 93))).toMatchObject({ type: 'ScramCredentialChangeFailed', nonRetryable: true });
  });

  it('rotation errors keep their type and retriability', () => {
    expect(toRotationFailure(new RotationError('CredentialVerificationFailed', 'x', true))).toEqual({ type: 'CredentialVerificationFailed', message: 'x', nonRetryable: false });
    expect(toRotationFailure(new RotationError('ServiceAccountSecretInvalid', 'y', false))).toMatchObject({ nonRetryable: true });
  });

  it('kafkajs connection errors are retried', () => {
    const err = new Error('Connection error: ECONNREFUSED');
    err.name = 'KafkaJSConnectionError';
    expect(toRotationFailure(err)).toMatchObject({ type: 'KafkaUnavailable', nonRetryable: false });
  });
});

describe('isAuthenticationRefusal', () => {
  it('recognises a SASL refusal, also wrapped, and nothing else', () => {
    const refusal = Object.assign(new Error('refused'), { name: 'KafkaJSSASLAuthenticationError' });
    const wrapped = Object.assign(new Error('gave up'), { name: 'KafkaJSNonRetriableError', originalError: refusal });
    const network = Object.assign(new Error('down'), { name: 'KafkaJSConnectionError' });
    expect(isAuthenticationRefusal(refusal)).toBe(true);
    expect(isAuthenticationRefusal(wrapped)).toBe(true);
    expect(isAuthenticationRefusal(network)).toBe(false);
    expect(isAuthenticationRefusal('text')).toBe(false);
  });
});

describe('eventually', () => {
  it('polls until the probe holds, or gives up after the timeout', async () => {
    let calls = 0;
    expect(await eventually(async () => ++calls >= 3, { timeoutMs: 1000, intervalMs: 1 })).toBe(true);
    expect(calls).toBe(3);
    expect(await eventually(async () => false, { timeoutMs: 20, intervalMs: 5 })).toBe(false);
  });
});
