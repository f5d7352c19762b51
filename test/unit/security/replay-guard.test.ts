import { describe, expect, it } from 'vitest';
import { ReplayGuard } from '../../../src/security/replay-guard';

describe('ReplayGuard', () => {
  it('admits a signature once while it is remembered, and again after', () => {
    const guard = new ReplayGuard({ rememberMs: 1000 });
    expect(guard.admit('v0=a', 0)).toBe(true);
    expect(guard.admit('v0=a', 999)).toBe(false);
    expect(guard.admit('v0=b', 999)).toBe(true);
    expect(guard.admit('v0=a', 1000)).toBe(true);
  });

  it('lets a released signature through again (the retry of a request answered 503)', () => {
    const guard = new ReplayGuard({ rememberMs: 1000 });
    expect(guard.admit('a', 0)).toBe(true);
    guard.release('a');
    expect(guard.admit('a', 1)).toBe(true);
    expect(guard.admit('a', 2)).toBe(false);
  });

  it('stays within its bound, forgetting the oldest first', () => {
    const guard = new ReplayGuard({ rememberMs: 60_000, maxEntries: 3 });
    for (const s of ['1', '2', '3', '4']) expect(guard.admit(s, 0)).toBe(true);
    expect(guard.size).toBe(3);
    expect(guard.admit('4', 1)).toBe(false);
    expect(guard.admit('1', 1)).toBe(true);
  });

  it('drops expired entries', () => {
    const guard = new ReplayGuard({ rememberMs: 10 });
    guard.admit('x', 0);
    guard.admit('y', 5);
    guard.admit('z', 12);
    expect(guard.size).toBe(2);
  });
});
