import { describe, expect, it } from 'vitest';
import { ReplayGuard } from '../../../src/security/replay-guard';

/** A signature digest named by a short tag, for readability. */
const sig = (tag: string): Buffer => Buffer.from(tag, 'utf8');

describe('ReplayGuard', () => {
  it('admits a signature once while it is remembered, and again after', () => {
    const guard = new ReplayGuard({ rememberMs: 1000 });
    expect(guard.admit(sig('v0=a'), 0)).toBe(true);
    expect(guard.admit(sig('v0=a'), 999)).toBe(false);
    expect(guard.admit(sig('v0=b'), 999)).toBe(true);
    expect(guard.admit(sig('v0=a'), 1000)).toBe(true);
  });

  it('lets a released signature through again (the retry of a request answered 503)', () => {
    const guard = new ReplayGuard({ rememberMs: 1000 });
    expect(guard.admit(sig('a'), 0)).toBe(true);
    guard.release(sig('a'));
    expect(guard.admit(sig('a'), 1)).toBe(true);
    expect(guard.admit(sig('a'), 2)).toBe(false);
  });

  it('stays within its bound, forgetting the oldest first', () => {
    const guard = new ReplayGuard({ rememberMs: 60_000, maxEntries: 3 });
    for (const s of ['1', '2', '3', '4']) expect(guard.admit(sig(s), 0)).toBe(true);
    expect(guard.size).toBe(3);
    expect(guard.admit(sig('4'), 1)).toBe(false);
    expect(guard.admit(sig('1'), 1)).toBe(true);
  });

  it('drops expired entries', () => {
    const guard = new ReplayGuard({ rememberMs: 10 });
    guard.admit(sig('x'), 0);
    guard.admit(sig('y'), 5);
    guard.admit(sig('z'), 12);
    expect(guard.size).toBe(2);
  });

  it('holds the digest, not its spelling: the same bytes from another view or copy are a replay', () => {
    const guard = new ReplayGuard({ rememberMs: 1000 });
    const digest = Buffer.from('9f'.repeat(32), 'hex');
    expect(guard.admit(digest, 0)).toBe(true);
    expect(guard.admit(Buffer.from('9F'.repeat(32), 'hex'), 1)).toBe(false);
    const inLargerBuffer = Buffer.concat([Buffer.from([1, 2, 3]), digest]).subarray(3);
    expect(guard.admit(new Uint8Array(inLargerBuffer.buffer, inLargerBuffer.byteOffset, 32), 2)).toBe(false);
    guard.release(Uint8Array.from(digest));
    expect(guard.admit(digest, 3)).toBe(true);
  });
});
