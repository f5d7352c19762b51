import { describe, expect, it } from 'vitest';
import { ServerClock } from '../../../src/sandbox/temporal/clock';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('ServerClock', () => {
  it('fires timers in order when a manual clock is advanced', () => {
    const clock = new ServerClock({ mode: 'manual' });
    const fired: string[] = [];
    const t0 = clock.now();
    clock.setTimer(t0 + 200, () => fired.push('b'));
    clock.setTimer(t0 + 100, () => fired.push('a'));
    const cancel = clock.setTimer(t0 + 150, () => fired.push('cancelled'));
    cancel();
    clock.advance(99);
    expect(fired).toEqual([]);
    clock.advance(101);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.now()).toBe(t0 + 200);
    clock.close();
  });

  it('jumps to the next timer only when no lock is held', async () => {
    const clock = new ServerClock({ timeSkipping: true });
    const start = clock.now();
    let fired = false;
    clock.setTimer(start + 72 * 3600_000, () => (fired = true));
    await tick();
    expect(fired).toBe(false); // the initial lock, as the test server starts with one
    const release = clock.lock();
    clock.unlockExternal();
    await tick();
    expect(fired).toBe(false);
    release();
    await tick();
    expect(fired).toBe(true);
    expect(clock.now() - start).toBeGreaterThanOrEqual(72 * 3600_000);
    clock.close();
  });

  it('sleeps until server time reaches the deadline under time skipping', async () => {
    const clock = new ServerClock({ timeSkipping: true });
    clock.unlockExternal();
    const start = clock.now();
    await clock.sleepUntil(start + 3600_000);
    expect(clock.now() - start).toBeGreaterThanOrEqual(3600_000);
    expect(clock.unlockExternal()).toBe(false);
    clock.close();
  });

  it('journals the offset after a jump', () => {
    const offsets: number[] = [];
    const clock = new ServerClock({ mode: 'manual', onOffsetChange: (o) => offsets.push(o) });
    clock.advance(5_000);
    expect(offsets).toEqual([5_000]);
    clock.close();
  });
});

describe('ServerClock timer queue', () => {
  it('fires many timers in deadline order, skipping cancelled ones, whatever order they were set in', () => {
    const clock = new ServerClock({ mode: 'manual' });
    const t0 = clock.now();
    const fired: number[] = [];
    const cancels = new Map<number, () => void>();
    const deadlines = Array.from({ length: 200 }, (_, i) => (i * 7919) % 1000);
    for (const d of deadlines) cancels.set(d, clock.setTimer(t0 + d, () => fired.push(d)));
    for (const d of deadlines.filter((x) => x % 3 === 0)) cancels.get(d)!();
    clock.advance(1000);
    const expected = [...new Set(deadlines)].filter((x) => x % 3 !== 0).sort((a, b) => a - b);
    expect(fired).toEqual(expected);
    clock.close();
  });

  it('still skips to a new timer when an earlier, cancelled one is armed', async () => {
    const clock = new ServerClock({ timeSkipping: true });
    const start = clock.now();
    const release = clock.lock();
    clock.setTimer(start + 10_000, () => undefined)();
    clock.unlockExternal();
    release();
    let fired = false;
    clock.setTimer(start + 3600_000, () => (fired = true));
    await tick();
    await tick();
    expect(fired).toBe(true);
    clock.close();
  });
});
