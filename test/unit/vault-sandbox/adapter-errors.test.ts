import { describe, expect, it } from 'vitest';
import { classify } from '../../../src/vault/classify';
import { VaultError } from '../../../src/vault/errors';

describe('secrets adapter error classification', () => {
  it.each([
    [503, ['Vault is sealed'], 'sealed', true],
    [503, ['upstream down'], 'unavailable', true],
    [500, ['1 error occurred:\n\t* failed to find accessor entry for secret_id_accessor: "x"\n\n'], 'not-found', false],
    [500, ['internal error'], 'unavailable', true],
    [429, [], 'unavailable', true],
    [403, ['1 error occurred:\n\t* permission denied\n\n'], 'permission-denied', false],
    [404, [], 'not-found', false],
    [400, ['check-and-set parameter did not match the current version'], 'cas-mismatch', false],
    [400, ['check-and-set parameter required for this call'], 'invalid-request', false],
    [400, ['invalid accessor'], 'not-found', false],
    [400, ['role "report-exporter" does not exist'], 'not-found', false],
    [400, ['no data provided'], 'invalid-request', false],
  ] as const)('%i %j → %s', (status, errors, kind, retriable) => {
    const c = classify(status, errors);
    expect(c.kind).toBe(kind);
    expect(new VaultError({ ...c, status, path: 'p', operation: 'op' }).retriable).toBe(retriable);
  });

  it('messages carry operation, path and kind only', () => {
    const err = new VaultError({ kind: 'cas-mismatch', path: 'secret/data/a', operation: 'writeSecret', status: 400, reason: 'check-and-set version is stale' });
    expect(err.message).toBe('vault writeSecret secret/data/a: cas-mismatch: check-and-set version is stale (HTTP 400)');
  });
});
