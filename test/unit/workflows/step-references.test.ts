import { describe, expect, it } from 'vitest';
import { createAnnotateActivities } from '../../../activities/annotate';
import type { GenericActionInput, GenericActionResult } from '../../../src/domain/action-registry';
import type { DomainEvent } from '../../../src/domain/events';
import { parseRunbook, type LoadedRunbook } from '../../../src/domain/runbook-loader';
import { silentLogger } from '../../../src/log/logger';
import { alertSignal, approveSignal, eventsQuery } from '../../../workflows/api';
import { testAlert } from './stub-activities';
import { runIncident, waitForState } from './helpers';
import { usePlaybookFixture } from './playbook-fixture';

/**
 * Step outputs and references in the workflow (issue 17, item 4): a generic step's output feeds a
 * later generic step's and a built-in step's params, resolved right before each runs; a reference
 * without a value fails its step with the reason, and the incident needs attention.
 */

const fx = usePlaybookFixture();

const runbook = (steps: string): LoadedRunbook =>
  parseRunbook(['id: refs-test', 'version: 1', 'title: References', 'scenario: refs', 'severity: high', 'steps:', steps].join('\n'), 'refs-test.yaml');

/** Waits (real time; virtual time does not move for it) until `done` holds. */
async function until(done: () => boolean, timeoutMs = 30_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !done(); ) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const annotate = createAnnotateActivities({ channel: '#incidents', logger: silentLogger });

/** A Jira stand-in at the activity boundary: the ticket's key is the output later steps read. */
const ticketActivity = (calls: string[]) => ({
  actionTicket: (input: GenericActionInput): Promise<GenericActionResult> => {
    calls.push(`actionTicket:${input.stepId}`);
    return Promise.resolve({ summary: 'opened Jira ticket SEC-42', details: { key: 'SEC-42', created: true }, outputs: { key: 'SEC-42', notDeclared: 'dropped' } });
  },
});

describe('a step output referenced by later steps', () => {
  const loaded = runbook(`
  - id: ticket
    action: ticket
    with: { credential: 'secret/jira#api', project: SEC }
  - id: note
    action: annotate
    with: { note: '\${{ steps.ticket.outputs.key }}', label: ticket }
  - id: report
    action: report
    with: { channel: '\${{ steps.ticket.outputs.key }}' }`);

  it('reaches the later activity resolved, is recorded on StepCompleted and kept on the step', async () => {
    const calls: string[] = [];
    const notes: unknown[] = [];
    const reports: unknown[] = [];
    let events: DomainEvent[] = [];
    await runIncident(
      { env: fx.env, bundle: fx.bundle, runbook: loaded },
      async ({ handle }) => {
        const state = await waitForState(handle, (s) => s.steps.every((st) => st.status === 'completed'));
        expect(state.steps.find((s) => s.id === 'ticket')?.outputs).toEqual({ key: 'SEC-42' });
        events = await handle.query(eventsQuery);
      },
      {
        overrides: {
          ...ticketActivity(calls),
          annotateIncident: (input: Parameters<typeof annotate.annotateIncident>[0]) => {
            notes.push(input.params);
            return annotate.annotateIncident(input);
          },
          postReport: (input: { channel: string; throughSeq: number }) => {
            reports.push(input.channel);
            return Promise.resolve({ posted: true, sha256: 'x', bytes: input.throughSeq });
          },
        },
      },
    );
    expect(calls).toEqual(['actionTicket:ticket']);
    expect(notes).toEqual([{ note: 'SEC-42', label: 'ticket' }]);
    const completed = events.filter((e) => e.type === 'StepCompleted').map((e) => (e.type === 'StepCompleted' ? [e.data.stepId, e.data.outputs] : []));
    // Only declared outputs are recorded; steps without outputs record none (as before).
    expect(completed).toEqual([
      ['ticket', { key: 'SEC-42' }],
      ['note', undefined],
      ['report', undefined],
    ]);
    // A built-in step (report) got its param resolved too.
    expect(reports).toEqual(['SEC-42']);
  });

  it('fails the step with the reason when the alert lacks the field, and the incident needs attention', async () => {
    const gated = runbook(`
  - id: note
    action: annotate
    with: { note: '\${{ alert.fields.vault.accessor }}' }`);
    let events: DomainEvent[] = [];
    await runIncident(
      { env: fx.env, bundle: fx.bundle, runbook: gated },
      async ({ handle, record }) => {
        const state = await waitForState(handle, (s) => s.attention.some((a) => a.stepId === 'note'));
        expect(state.steps.find((st) => st.id === 'note')?.status).toBe('failed');
        events = await handle.query(eventsQuery);
        // The channel is told why, as for any failed step (posted without waiting: poll for it).
        await until(() => record.messages.some((m) => m.includes('Step "note" failed (UnresolvedReference: with.note: ${{ alert.fields.vault.accessor }}')));
      },
      {
        overrides: {
          annotateIncident: () => Promise.reject(new Error('must not run with an unresolved reference')),
        },
      },
    );
    const failed = events.find((e) => e.type === 'StepFailed');
    expect(failed?.type === 'StepFailed' && failed.data.error).toEqual({
      type: 'UnresolvedReference',
      message: 'with.note: ${{ alert.fields.vault.accessor }}: the alert that opened the incident has no field "vault.accessor"',
      retriable: false,
    });
  });

  it('is resolved from the alert when the field is there', async () => {
    const notes: unknown[] = [];
    await runIncident(
      { env: fx.env, bundle: fx.bundle, runbook: runbook(`
  - id: note
    action: annotate
    with: { note: '\${{ alert.fields.vault.accessor }}' }`) },
      async ({ handle }) => {
        await waitForState(handle, (s) => s.steps.every((st) => st.status === 'completed'));
      },
      {
        alert: { fields: { 'vault.accessor': 'hmac-accessor-1' } },
        overrides: {
          annotateIncident: (input: Parameters<typeof annotate.annotateIncident>[0]) => {
            notes.push(input.params.note);
            return annotate.annotateIncident(input);
          },
        },
      },
    );
    expect(notes).toEqual(['hmac-accessor-1']);
  });

  it('plans a reference not yet known as its text in a dry run', async () => {
    let events: DomainEvent[] = [];
    await runIncident(
      { env: fx.env, bundle: fx.bundle, runbook: loaded },
      async ({ handle }) => {
        await waitForState(handle, (s) => s.steps.every((st) => st.status === 'planned'));
        events = await handle.query(eventsQuery);
      },
      { mode: 'dry-run' },
    );
    const planned = events.find((e) => e.type === 'StepPlanned' && e.data.stepId === 'note');
    expect(planned?.type === 'StepPlanned' && planned.data.changes.map((c) => c.description)).toEqual(['record note "ticket" on the audit trail: ${{ steps.ticket.outputs.key }}']);
  });
});

describe('a step output across continue-as-new', () => {
  it('is read by a step the next run performs: outputs come from the folded events', async () => {
    const loaded = runbook(`
  - id: ticket
    action: ticket
    with: { credential: 'secret/jira#api', project: SEC }
  - id: note
    action: annotate
    approval: incident-commander
    with: { note: '\${{ steps.ticket.outputs.key }}' }`);
    const notes: unknown[] = [];
    await runIncident(
      { env: fx.env, bundle: fx.bundle, runbook: loaded },
      async ({ handle, awareMs }) => {
        await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'note'));
        const first = (await fx.env.client.workflow.getHandle(handle.workflowId).describe()).runId;
        // Duplicates grow the history while the step waits: the incident continues as new.
        for (let i = 0; i < 12; i++) {
          await handle.signal(alertSignal, testAlert(new Date(awareMs).toISOString(), `dup-${i}`));
          await waitForState(handle, (s) => s.alertsCorrelated >= i + 2);
        }
        const current = await fx.env.client.workflow.getHandle(handle.workflowId).describe();
        expect(current.runId).not.toBe(first);
        await handle.signal(approveSignal, { stepId: 'note', approver: 'U-IC', role: 'incident-commander' });
        await waitForState(handle, (s) => s.steps.every((st) => st.status === 'completed'));
      },
      {
        options: { continueAsNewAfterEvents: 20 },
        overrides: {
          ...ticketActivity([]),
          annotateIncident: (input: Parameters<typeof annotate.annotateIncident>[0]) => {
            notes.push(input.params.note);
            return annotate.annotateIncident(input);
          },
        },
      },
    );
    expect(notes).toEqual(['SEC-42']);
  });
});
