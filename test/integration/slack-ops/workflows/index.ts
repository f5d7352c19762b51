import { condition, defineQuery, setHandler } from '@temporalio/workflow';
import type { DomainEvent } from '../../../../src/domain/events';
import { applyEvent, timeline, type IncidentState } from '../../../../src/domain/incident';
import { breakerSignal, closeSignal, refusalSignal, type RefusalSignal } from '../../../../src/slack/commands/proposed-signals';
import { approveSignal, denySignal, eventsQuery, fileNotificationSignal, stateQuery, timelineQuery } from '../../../../workflows/api';

/** Refusals the stand-in received (the real workflow would make them domain events). */
export const refusalsQuery = defineQuery<RefusalSignal[]>('refusals');

type Draft = Pick<DomainEvent, 'type' | 'data'> & { actor?: DomainEvent['actor'] };

/**
 * A stand-in for the incident workflow, registered under the same type name and answering the
 * same signals and queries, so the Slack operations can be tested without the real playbook.
 * It starts from a given event history and turns each signal into the event the real workflow
 * would record.
 */
export async function IncidentWorkflow(initial: DomainEvent[]): Promise<IncidentState> {
  const events: DomainEvent[] = [];
  let state: IncidentState | undefined;
  const refusals: RefusalSignal[] = [];
  const commit = (draft: Draft): void => {
    const event = {
      incidentId: initial[0]?.incidentId ?? 'unknown',
      seq: events.length + 1,
      at: new Date().toISOString(),
      actor: draft.actor ?? { kind: 'system', id: 'workflow' },
      type: draft.type,
      data: draft.data,
    } as DomainEvent;
    try {
      state = applyEvent(state, event);
      events.push(event);
    } catch {
      // An illegal transition is ignored, as the real workflow ignores a stray decision.
    }
  };
  for (const e of initial) commit(e);

  setHandler(approveSignal, (s) => {
    const p = state?.pendingApprovals.find((a) => a.stepId === s.stepId && a.role === s.role);
    if (p) commit({ type: 'ApprovalGranted', actor: { kind: 'user', id: s.approver }, data: { approvalId: p.approvalId, stepId: p.stepId, role: p.role, approver: s.approver } });
  });
  setHandler(denySignal, (s) => {
    const p = state?.pendingApprovals.find((a) => a.stepId === s.stepId && a.role === s.role);
    if (p) commit({ type: 'ApprovalDenied', actor: { kind: 'user', id: s.approver }, data: { approvalId: p.approvalId, stepId: p.stepId, role: p.role, approver: s.approver, reason: s.reason } });
  });
  setHandler(fileNotificationSignal, (f) => {
    const filedAt = new Date().toISOString();
    const deadline = state?.clocks[f.regime]?.deadlineAt;
    const late = deadline !== undefined && Date.parse(filedAt) > Date.parse(deadline);
    // The reducer refuses a late filing without a reason, as the real workflow does.
    commit({
      type: 'NotificationFiled',
      actor: { kind: 'user', id: f.filer },
      data: {
        regime: f.regime,
        recipient: f.recipient,
        authority: f.authority,
        reference: f.reference,
        filedAt,
        late,
        ...(f.lateReason !== undefined ? { lateReason: f.lateReason } : {}),
      },
    });
  });
  setHandler(breakerSignal, (b) => {
    if (b.state === 'open') commit({ type: 'CircuitOpened', data: { breaker: b.breaker, topic: 'orders', principals: ['User:analytics'], addedDenyBindings: [] } });
    const granted = state?.decisions.find((d) => d.granted);
    if (b.state === 'closed' && granted) commit({ type: 'CircuitClosed', data: { breaker: b.breaker, topic: 'orders', principals: ['User:analytics'], approvalId: granted.approvalId } });
  });
  setHandler(closeSignal, (c) => commit({ type: 'IncidentClosed', actor: { kind: 'user', id: c.closedBy }, data: { resolution: c.resolution, openItems: [] } }));
  setHandler(refusalSignal, (r) => void refusals.push(r));
  setHandler(stateQuery, () => state as IncidentState);
  setHandler(timelineQuery, () => timeline(events));
  setHandler(eventsQuery, () => events);
  setHandler(refusalsQuery, () => refusals);

  await condition(() => state?.status === 'closed');
  return state as IncidentState;
}
