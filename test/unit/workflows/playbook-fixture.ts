import { afterAll, beforeAll } from 'vitest';
import { playbookBundle, referenceRunbook, timeSkippingEnv, type PlaybookFixture } from './helpers';

/*
 * Kept apart from `helpers.ts` because it imports vitest, and `helpers.ts` is also loaded by the
 * history capture script, which runs outside vitest (vitest refuses to load there).
 */

/**
 * Registers the file's `beforeAll` (time-skipping environment, playbook bundle, reference runbook)
 * and `afterAll` (environment teardown) and returns the fixture they fill: its fields are set by
 * the time the file's tests run, so read them inside tests and helpers, never at module level.
 */
export function usePlaybookFixture(): PlaybookFixture {
  const fx: Partial<PlaybookFixture> = {};
  beforeAll(async () => {
    fx.env = await timeSkippingEnv();
    fx.bundle = await playbookBundle();
    fx.runbook = await referenceRunbook();
  });
  afterAll(async () => {
    await fx.env?.teardown();
  });
  return fx as PlaybookFixture;
}
