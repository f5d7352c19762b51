import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { IncidentState } from '../../../src/domain/incident';
import type { IncidentWorkflowInput } from '../../../src/domain/step-contract';
import { approveUpdate, closeUpdate, denyUpdate, eventsQuery, severityUpdate, stateQuery } from '../../../workflows/api';
import { refusal, runIncident, waitForState } from './helpers';
import { usePlaybookFixture } from './playbook-fixture';

/*
 * Operator actions as Updates (issue 16): the person gets the incident's own acceptance, stated
 * once it is recorded, or its precise refusal — never a signal sent into the void.
 */

type Incident = (input: IncidentWorkflowInput) => Promise<IncidentState>;

const fx = usePlaybookFixture();

const withIncident = (body: (handle: WorkflowHandle<Incident>) => Promise<void>) => runIncident(fx, ({ handle }) => body(handle));


const IC = 'incident-commander' as const;

describe('approve and deny are Updates the incident answers', () => {
  it('refuses the wrong role and an unknown step precisely, and answers an approval once it is recorded', async () => {
    await withIncident(async (handle) => {
      await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
      expect(await refusal(handle.executeUpdate(approveUpdate, { args: [{ stepId: 'break-circuits', approver: 'U-DPO', role: 'dpo' }] }))).toBe(
        'step "break-circuits" is approved by the incident-commander, not a dpo',
      );
      expect(await refusal(handle.executeUpdate(approveUpdate, { args: [{ stepId: 'rotate', approver: 'U-IC', role: IC }] }))).toBe(
        'no approval is pending for step "rotate"; pending: break-circuits (incident-commander)',
      );
      expect(await refusal(handle.executeUpdate(denyUpdate, { args: [{ stepId: 'break-circuits', approver: 'U-IC', role: IC, reason: ' ' }] }))).toBe('a denial needs a reason');
      // Nothing refused left a trace on the incident.
      expect((await handle.query(stateQuery)).decisions).toEqual([]);

      const answer = await handle.executeUpdate(approveUpdate, { args: [{ stepId: 'break-circuits', approver: 'U-IC', role: IC }] });
      expect(answer.message).toBe('step "break-circuits" approved by U-IC');
      // Stated as a fact: recorded before the answer came back.
      expect((await handle.query(stateQuery)).decisions).toMatchObject([{ stepId: 'break-circuits', granted: true, approver: 'U-IC' }]);
      expect(await refusal(handle.executeUpdate(approveUpdate, { args: [{ stepId: 'break-circuits', approver: 'U-IC', role: IC }] }))).toMatch(/no approval is pending for step "break-circuits"/);
      await handle.terminate('test done');
    });
  });

  it('a denial is recorded with its reason before the answer', async () => {
    await withIncident(async (handle) => {
      await waitForState(handle, (s) => s.pendingApprovals.some((a) => a.stepId === 'break-circuits'));
      const answer = await handle.executeUpdate(denyUpdate, { args: [{ stepId: 'break-circuits', approver: 'U-IC', role: IC, reason: 'month-end close runs on analytics' }] });
      expect(answer.message).toBe('step "break-circuits" denied by U-IC: month-end close runs on analytics');
      const denied = (await handle.query(eventsQuery)).find((e) => e.type === 'ApprovalDenied');
      expect(denied?.data).toMatchObject({ stepId: 'break-circuits', reason: 'month-end close runs on analytics' });
      await handle.terminate('test done');
    });
  });
});

describe('severity and close', () => {
  it('severity: refuses the same level, an unknown one and no reason; a change is a SeverityChanged event', async () => {
    await withIncident(async (handle) => {
      const s = await waitForState(handle, (st) => st.pendingApprovals.length > 0);
      const other = s.severity === 'critical' ? 'high' : 'critical';
      const who = { requestedBy: 'U-IC', role: IC };
      expect(await refusal(handle.executeUpdate(severityUpdate, { args: [{ ...who, severity: s.severity, reason: 'x' }] }))).toBe(`the severity is already ${s.severity}`);
      expect(await refusal(handle.executeUpdate(severityUpdate, { args: [{ ...who, severity: 'apocalyptic' as 'low', reason: 'x' }] }))).toMatch(/severity must be one of critical, high, medium, low/);
      expect(await refusal(handle.executeUpdate(severityUpdate, { args: [{ ...who, severity: other, reason: '' }] }))).toBe('changing the severity needs a reason');
      const answer = await handle.executeUpdate(severityUpdate, { args: [{ ...who, severity: other, reason: 'client data confirmed in the set' }] });
      expect(answer.message).toBe(`severity changed from ${s.severity} to ${other}`);
      expect((await handle.query(stateQuery)).severity).toBe(other);
      await handle.terminate('test done');
    });
  });

  it('close: a responder is refused by the workflow too; the commander asks once, a second ask is refused', async () => {
    await withIncident(async (handle) => {
      await waitForState(handle, (st) => st.pendingApprovals.length > 0);
      expect(await refusal(handle.executeUpdate(closeUpdate, { args: [{ closedBy: 'U-R', role: 'responder', resolution: 'done' }] }))).toBe(
        'closing is approved by the incident-commander, not a responder',
      );
      const answer = await handle.executeUpdate(closeUpdate, { args: [{ closedBy: 'U-IC', role: IC, resolution: 'contained' }] });
      expect(answer.message).toBe('close requested by U-IC; it applies when the playbook reaches its close step');
      expect(await refusal(handle.executeUpdate(closeUpdate, { args: [{ closedBy: 'U-IC2', role: IC, resolution: 'again' }] }))).toBe('closing was already asked for by U-IC');
      await handle.terminate('test done');
    });
  });
});
