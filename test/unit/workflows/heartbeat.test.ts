import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { checkpoint, keepAlive } from '../../../activities/heartbeat';

/*
 * Keep-alive heartbeats share Temporal's one heartbeat channel with checkpoints, and Temporal keeps
 * only the last details: a keep-alive must never overwrite a checkpoint with nothing.
 */

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('keepAlive', () => {
  it('heartbeats while the activity waits, repeating the previous attempt’s checkpoint until there is a new one', async () => {
    const env = new MockActivityEnvironment({ heartbeatDetails: { done: ['a'] } });
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    let release!: () => void;
    const waiting = new Promise<void>((r) => (release = r));
    const activity = keepAlive(async () => {
      while (beats.length < 2) await tick(5);
      checkpoint({ done: ['a', 'b'] });
      const seen = beats.length;
      while (beats.length < seen + 2) await tick(5);
      release();
      return 'ok';
    }, 10);
    await expect(env.run(activity)).resolves.toBe('ok');
    await waiting;
    expect(beats.slice(0, 2)).toEqual([{ done: ['a'] }, { done: ['a'] }]);
    expect(beats.slice(2)).toEqual(beats.slice(2).map(() => ({ done: ['a', 'b'] })));
    const after = beats.length;
    await tick(40);
    // Stopped with the activity.
    expect(beats.length).toBe(after);
  });
});
