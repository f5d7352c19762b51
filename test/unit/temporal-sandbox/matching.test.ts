import { describe, expect, it } from 'vitest';
import { TaskMatcher } from '../../../src/sandbox/temporal/matching';

describe('TaskMatcher', () => {
  it('hands a task to a waiting poller and evaluates it at hand-over', async () => {
    const m = new TaskMatcher<string>(1_000);
    const poll = m.poll('ns', 'q', 'worker-1', 1_000, () => false);
    m.offer('ns', 'q', (identity) => `task for ${identity}`);
    expect(await poll).toBe('task for worker-1');
  });

  it('skips stale tasks and cancelled pollers, and answers empty after the poll window', async () => {
    const m = new TaskMatcher<string>(1_000);
    m.offer('ns', 'q', () => undefined);
    m.offer('ns', 'q', () => 'fresh');
    let cancelled = false;
    const dropped = m.poll('ns', 'q2', 'a', 1_000, () => cancelled);
    cancelled = true;
    m.offer('ns', 'q2', () => 'kept');
    expect(await dropped).toBeUndefined();
    expect(await m.poll('ns', 'q', 'b', 1_000, () => false)).toBe('fresh');
    expect(await m.poll('ns', 'q2', 'c', 1_000, () => false)).toBe('kept');
    expect(await m.poll('ns', 'empty', 'd', 20, () => false)).toBeUndefined();
  });

  it('knows whether a queue is served: a live poll waits on it, or one arrived within the window', async () => {
    const m = new TaskMatcher<string>(1_000);
    expect(m.isServed('ns', 'sticky', 60_000)).toBe(false); // never polled
    let cancelled = false;
    const poll = m.poll('ns', 'sticky', 'worker', 1_000, () => cancelled);
    expect(m.isServed('ns', 'sticky', 0)).toBe(true);
    cancelled = true; // the worker's connection went away
    expect(m.isServed('ns', 'sticky', 0)).toBe(false);
    expect(m.isServed('ns', 'sticky', 60_000)).toBe(true); // polled a moment ago
    m.close();
    expect(await poll).toBeUndefined();
  });
});
