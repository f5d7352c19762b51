import { describe, expect, it } from 'vitest';
import { createAnnotateActivities } from '../../../activities/annotate';
import type { DomainEvent } from '../../../src/domain/events';
import { parseRunbook, type LoadedRunbook } from '../../../src/domain/runbook-loader';
import { silentLogger } from '../../../src/log/logger';
import { approveSignal, breakerSignal, eventsQuery, falsePositiveSignal } from '../../../workflows/api';
import { runIncident, waitForState } from './helpers';
import { usePlaybookFixture } from './playbook-fixture';

/**
 * The action registry's paths through the workflow (issue 17): a generic action with no workflow
 * code (annotate: run, record, compensate, plan), and the three parameters that had no effect
 * before (notify.template, report.includeTimeline, close.requireBreakersClosed).
 */

const fx = usePlaybookFixture();

const runbook = (steps: string, breakers = ''): LoadedRunbook =>
  parseRunbook(['id: registry-test', 'version: 1', 'title: Registry test', 'scenario: generic', 'severity: high', breakers, 'steps:', steps].join('\n'), 'registry-test.yaml');

/** The real annotate activities (no chat configured): what the workflow records comes from them. */
const annotate = createAnnotateActivities({ channel: '#incidents', logger: silentLogger });
const types = (events: DomainEvent[]): string[] => events.map((e) => e.type);

/** Waits (real time; virtual time does not move for it) until `done` holds. */
async function until(done: () => boolean, timeoutMs = 30_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !done(); ) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a generic action (annotate) in the workflow', () => {
  const loaded = runbook(`
  - id: contain
    action: contain
  - id: note
    action: annotate
    compensate: true
    with: { note: 'customer data team paged by phone', label: paged }
  - id: notify
    action: notify
    with: { template: '[{severity}] {title}: {incidentId} is {status}; principal {principal}' }
  - id: report
    action: report
    with: { includeTimeline: false }`);

  it('runs its activity between StepStarted and StepCompleted and records ActionPerformed; notify renders its template; the report leaves out the timeline', async () => {
    const reports: unknown[] = [];
    let events: DomainEvent[] = [];
    let incident = '';
    const record = await runIncident(
      { ...fx, runbook: loaded },
      async ({ handle, incidentId, record: calls }) => {
        incident = incidentId;
        const state = await waitForState(handle, (s) => s.status === 'closed');
        await until(() => calls.messages.some((m) => m.startsWith('[critical]')));
        expect(state.performed).toEqual([expect.objectContaining({ stepId: 'note', action: 'annotate', summary: 'note "paged" recorded: customer data team paged by phone' })]);
        events = await handle.query(eventsQuery);
      },
      {
        overrides: {
          ...annotate,
          postReport: (input: { throughSeq: number }) => {
            reports.push(input);
            return Promise.resolve({ posted: true, sha256: 'x', bytes: input.throughSeq });
          },
        },
      },
    );
    const note = events.filter((e) => 'stepId' in e.data && e.data.stepId === 'note');
    expect(types(note)).toEqual(['StepStarted', 'ActionPerformed', 'StepCompleted']);
    const performed = note[1];
    expect(performed?.type === 'ActionPerformed' && performed.data.details).toEqual({ label: 'paged', note: 'customer data team paged by phone', posted: false });
    // The template, its placeholders filled from the incident.
    expect(record.messages).toContain(`[critical] report-exporter reads orders at 40x its baseline: ${incident} is notifying; principal User:report-exporter`);
    expect(reports).toEqual([expect.objectContaining({ includeTimeline: false })]);
  });

  it('is undone by its compensation activity when the incident is unwound', async () => {
    const gated = runbook(`
  - id: note
    action: annotate
    compensate: true
    with: { note: 'legal informed' }
  - id: contain
    action: contain
    approval: incident-commander`);
    const calls: string[] = [];
    let events: DomainEvent[] = [];
    await runIncident(
      { ...fx, runbook: gated },
      async ({ handle }) => {
        await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'contain'));
        await handle.signal(falsePositiveSignal, { declaredBy: 'U-IC', reason: 'a test' });
        const state = await waitForState(handle, (s) => s.status === 'closed');
        expect(state.steps.find((s) => s.id === 'note')?.status).toBe('compensated');
        events = await handle.query(eventsQuery);
      },
      {
        overrides: {
          annotateIncident: (i: Parameters<typeof annotate.annotateIncident>[0]) => {
            calls.push('annotateIncident');
            return annotate.annotateIncident(i);
          },
          retractAnnotation: (i: Parameters<typeof annotate.retractAnnotation>[0]) => {
            calls.push(`retractAnnotation:${String(i.compensation.label)}`);
            return annotate.retractAnnotation(i);
          },
        },
      },
    );
    expect(calls).toEqual(['annotateIncident', 'retractAnnotation:note']);
    const undo = events.filter((e) => 'stepId' in e.data && e.data.stepId === 'note').map((e) => (e.type === 'ActionPerformed' ? e.data.summary : e.type));
    expect(undo).toEqual(['StepStarted', 'note "note" recorded: legal informed', 'StepCompleted', 'note "note" retracted', 'StepCompensated']);
  });

  it('plans from its definition in a dry run, without calling its activity', async () => {
    let events: DomainEvent[] = [];
    const calls: string[] = [];
    await runIncident(
      { ...fx, runbook: loaded },
      async ({ handle }) => {
        await waitForState(handle, (s) => s.status === 'closed');
        events = await handle.query(eventsQuery);
      },
      {
        mode: 'dry-run',
        overrides: {
          annotateIncident: () => {
            calls.push('annotateIncident');
            return Promise.reject(new Error('must not run in a dry run'));
          },
        },
      },
    );
    expect(calls).toEqual([]);
    const planned = events.find((e) => e.type === 'StepPlanned' && e.data.stepId === 'note');
    expect(planned?.type === 'StepPlanned' && planned.data.changes.map((c) => `${c.kind} ${c.description}`)).toEqual([
      'annotate record note "paged" on the audit trail: customer data team paged by phone',
    ]);
  });
});

describe('close.requireBreakersClosed', () => {
  const breakers = ['breakers:', '  orders-to-lake:', '    topic: orders', '    principals: ["User:lake-sink"]'].join('\n');
  const steps = (require: boolean): string => `
  - id: break
    action: break-circuits
    approval: incident-commander
    with: { breakers: [orders-to-lake] }
  - id: close
    action: close
    approval: incident-commander
    with: { requireFilings: false, requireBreakersClosed: ${require} }`;

  it('refuses to close while a breaker is open, and closes once operators closed it', async () => {
    await runIncident({ ...fx, runbook: runbook(steps(true), breakers) }, async ({ handle, record }) => {
      await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'break'));
      await handle.signal(approveSignal, { stepId: 'break', approver: 'U-IC', role: 'incident-commander' });
      await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'close'));
      await handle.signal(approveSignal, { stepId: 'close', approver: 'U-IC', role: 'incident-commander' });
      const waiting = await waitForState(handle, (s) => s.steps.find((st) => st.id === 'close')?.status === 'running');
      expect(waiting.breakers['orders-to-lake']?.state).toBe('open');
      // The refusal is said in the channel (the step has decided to wait); nothing was closed for the operators.
      await until(() => record.messages.some((m) => m.startsWith('Closing refused while breakers are open (orders-to-lake)')));
      const events = await handle.query(eventsQuery);
      expect(events.some((e) => e.type === 'CircuitClosed' || e.type === 'IncidentClosed')).toBe(false);
      await handle.signal(breakerSignal, { breaker: 'orders-to-lake', state: 'closed', requestedBy: 'U-IC', role: 'incident-commander' });
      const closed = await waitForState(handle, (s) => s.status === 'closed');
      expect(closed.breakers['orders-to-lake']?.state).toBe('closed');
      // Closed by the operator's signal (under its own breaker approval), not by the close step.
      expect(closed.decisions.some((d) => d.breaker === 'orders-to-lake' && d.granted)).toBe(true);
      expect(record.messages).toContain('Breaker "orders-to-lake" closed at the request of U-IC.');
    });
  });

  it('without it, the close step closes the open breakers itself', async () => {
    await runIncident({ ...fx, runbook: runbook(steps(false), breakers) }, async ({ handle }) => {
      await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'break'));
      await handle.signal(approveSignal, { stepId: 'break', approver: 'U-IC', role: 'incident-commander' });
      await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'close'));
      await handle.signal(approveSignal, { stepId: 'close', approver: 'U-IC', role: 'incident-commander' });
      const closed = await waitForState(handle, (s) => s.status === 'closed');
      expect(closed.breakers['orders-to-lake']?.state).toBe('closed');
      expect(closed.decisions.some((d) => d.breaker === 'orders-to-lake')).toBe(false);
    });
  });
});
