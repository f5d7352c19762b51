import { describe, expect, it } from 'vitest';
import { evidenceTaskQueue } from '../../../src/config/config';
import { workerQueues } from '../../../worker/main';

describe('evidence task queue (issue 13)', () => {
  it('defaults to <taskQueue>-evidence and takes a configured name', () => {
    expect(evidenceTaskQueue({ temporal: { taskQueue: 'breachline' } as never })).toBe('breachline-evidence');
    expect(evidenceTaskQueue({ temporal: { taskQueue: 'breachline', evidenceTaskQueue: 'evidence-eu' } as never })).toBe('evidence-eu');
  });

  it('BREACHLINE_WORKER_QUEUES selects all or evidence only, and refuses anything else by name', () => {
    expect(workerQueues(undefined)).toBe('all');
    expect(workerQueues('')).toBe('all');
    expect(workerQueues('all')).toBe('all');
    expect(workerQueues('evidence')).toBe('evidence');
    expect(() => workerQueues('evidnce')).toThrow('BREACHLINE_WORKER_QUEUES=evidnce: expected "all" or "evidence"');
  });
});
