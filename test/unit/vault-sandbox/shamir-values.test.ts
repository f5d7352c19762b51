import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { combineShares, splitSecret } from '../../../src/sandbox/vault/shamir';
import { parseDuration } from '../../../src/sandbox/vault/values';

describe('Shamir over GF(256)', () => {
  const secret = randomBytes(32);
  const shares = splitSecret(secret, 5, 3);

  it('any 3 of 5 shares recombine the secret, in any order', () => {
    for (const pick of [[0, 1, 2], [4, 2, 0], [1, 3, 4], [0, 1, 2, 3, 4]]) {
      expect(combineShares(pick.map((i) => shares[i] as Buffer)).equals(secret)).toBe(true);
    }
  });

  it('2 shares or a corrupted share give something else', () => {
    expect(combineShares([shares[0] as Buffer, shares[1] as Buffer]).equals(secret)).toBe(false);
    const bad = Buffer.from(shares[2] as Buffer);
    bad[0] = (bad[0] ?? 0) ^ 1;
    expect(combineShares([shares[0] as Buffer, shares[1] as Buffer, bad]).equals(secret)).toBe(false);
  });

  it('1-of-1 works and nonsense parameters are refused', () => {
    const [only] = splitSecret(secret, 1, 1);
    expect(combineShares([only as Buffer]).equals(secret)).toBe(true);
    expect(() => splitSecret(secret, 2, 3)).toThrow(RangeError);
  });
});

describe('durations as Vault reads them', () => {
  it('accepts seconds, numeric strings and Go durations', () => {
    expect(parseDuration(90, 'ttl')).toBe(90);
    expect(parseDuration('90', 'ttl')).toBe(90);
    expect(parseDuration('1h30m', 'ttl')).toBe(5400);
    expect(parseDuration('768h', 'ttl')).toBe(2764800);
    expect(parseDuration('1500ms', 'ttl')).toBe(1);
  });

  it('rejects anything else with a 400 naming the field', () => {
    expect(() => parseDuration('soon', 'ttl')).toThrow(/field "ttl"/);
    expect(() => parseDuration({}, 'increment')).toThrow(/increment/);
  });
});
