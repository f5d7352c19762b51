import { describe, expect, it } from 'vitest';
import type { StepInput, StepOutput } from '../../../src/domain/step-contract';
import { approveSignal } from '../../../workflows/api';
import { runIncident, waitForState } from './helpers';
import { usePlaybookFixture } from './playbook-fixture';
import { stubActivities } from './stub-activities';

/*
 * forensics-suspected-since-v1 (issue 12): the opening alert's suspected start reaches the
 * forensics activity, so its access sources are read from then on; an alert without one sends
 * nothing (the sources read everything they hold, as before).
 */

const fx = usePlaybookFixture();

type InvestigateCall = StepInput<'forensics'> & { suspectedSince?: string; dataSubjectScan?: string };

/** Runs an incident to the end of its forensics step; returns what `investigate` was asked. */
async function investigateInputs(suspectedSince: string | undefined): Promise<InvestigateCall[]> {
  const stub = stubActivities().activities as { investigate: (input: InvestigateCall) => Promise<StepOutput> };
  const seen: InvestigateCall[] = [];
  await runIncident(
    fx,
    async ({ handle }) => {
      await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
      await handle.signal(approveSignal, { stepId: 'break-circuits', approver: 'U-IC', role: 'incident-commander' });
      await waitForState(handle, (s) => s.steps.find((x) => x.action === 'forensics')?.status === 'completed');
    },
    {
      ...(suspectedSince !== undefined ? { alert: { suspectedSince } } : {}),
      overrides: {
        investigate: async (input: InvestigateCall) => {
          seen.push(input);
          return stub.investigate(input);
        },
      },
    },
  );
  return seen;
}

describe('forensics gets the alert\'s suspected start', () => {
  it('passes suspectedSince from the alert to investigate (fan-out path)', async () => {
    const since = '2026-11-20T22:00:00.000Z';
    const calls = await investigateInputs(since);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.suspectedSince).toBe(since);
    expect(calls[0]?.dataSubjectScan).toBe('fan-out');
  });

  it('sends no suspectedSince when the alert has none', async () => {
    const calls = await investigateInputs(undefined);
    expect(calls).toHaveLength(1);
    expect(calls[0]).not.toHaveProperty('suspectedSince');
  });
});
