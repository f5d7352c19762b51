import { condition, defineQuery, setHandler } from '@temporalio/workflow';
import type { DomainEvent } from '../../../../src/domain/events';
import { applyEvent, timeline, type IncidentState } from '../../../../src/domain/incident';
import { breakerSignal, closeSignal, refusalSignal, type RefusalSignal } from '../../../../src/slack/commands/proposed-signals';
import { checkStageFiling } from '../../../../src/domain/regulatory-clock';
import {
  approveSignal,
  approveUpdate,
  breakerUpdate,
  closeUpdate,
  denyUpdate,
  severityUpdate,
  awareUpdate,
  classifyUpdate,
  clocksQuery,
  denySignal,
  eventsQuery,
  filingRefusedSignal,
  fileUpdate,
  materialUpdate,
  notNotifiableUpdate,
  stateQuery,
  timelineQuery,
} from '../../../../workflows/api';
import { clockViews } from '../../../../workflows/clock-decisions';

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
  // Operator actions as Updates (issue 16), refusing what the real workflow refuses.
  const pendingFor = (stepId: string, role: string) => {
    const p = state?.pendingApprovals.find((a) => a.stepId === stepId);
    if (p === undefined) throw new Error(`no approval is pending for step "${stepId}"`);
    if (p.role !== role) throw new Error(`step "${stepId}" is approved by the ${p.role}, not a ${role}`);
    return p;
  };
  setHandler(
    approveUpdate,
    (s) => {
      const p = pendingFor(s.stepId, s.role);
      commit({ type: 'ApprovalGranted', actor: { kind: 'user', id: s.approver }, data: { approvalId: p.approvalId, stepId: p.stepId, role: p.role, approver: s.approver } });
      return { message: `step "${p.stepId}" approved by ${s.approver}` };
    },
    { validator: (s) => void pendingFor(s.stepId, s.role) },
  );
  setHandler(
    denyUpdate,
    (s) => {
      const p = pendingFor(s.stepId, s.role);
      commit({ type: 'ApprovalDenied', actor: { kind: 'user', id: s.approver }, data: { approvalId: p.approvalId, stepId: p.stepId, role: p.role, approver: s.approver, reason: s.reason } });
      return { message: `step "${p.stepId}" denied by ${s.approver}: ${s.reason}` };
    },
    { validator: (s) => void pendingFor(s.stepId, s.role) },
  );
  setHandler(
    closeUpdate,
    (c) => {
      commit({ type: 'IncidentClosed', actor: { kind: 'user', id: c.closedBy }, data: { resolution: c.resolution, openItems: [] } });
      return { message: `closed by ${c.closedBy}` };
    },
    { validator: (c) => void (c.role !== 'incident-commander' && (() => { throw new Error(`closing is approved by the incident-commander, not a ${c.role}`); })()) },
  );
  setHandler(severityUpdate, (r) => {
    const from = state?.severity ?? 'high';
    commit({ type: 'SeverityChanged', actor: { kind: 'user', id: r.requestedBy }, data: { from, to: r.severity, reason: r.reason, changedBy: r.requestedBy, role: r.role } });
    return { message: `severity changed from ${from} to ${r.severity}` };
  });
  // Clock decisions as the real workflow takes them: the same filing rules, refusals by the validator.
  setHandler(
    fileUpdate,
    (f) => {
      const filedAt = new Date().toISOString();
      const verdict = checkStageFiling(state?.clocks[f.regime], f, filedAt);
      if (!verdict.accepted) throw new Error(verdict.message);
      const authority = f.authority ?? state?.clocks[f.regime]?.authority ?? 'authority';
      commit({
        type: 'NotificationFiled',
        actor: { kind: 'user', id: f.filer },
        data: { regime: f.regime, recipient: 'supervisory-authority', authority, reference: f.reference, filedAt, late: verdict.late, stage: f.stage, phase: verdict.phase, ...(verdict.lateReason ? { lateReason: verdict.lateReason } : {}) },
      });
      return { message: `${f.regime.toUpperCase()} ${f.stage} ${verdict.phase} filing recorded with ${authority} (ref ${f.reference}), ${verdict.late ? 'LATE' : 'on time'}.` };
    },
    {
      validator: (f) => {
        const verdict = checkStageFiling(state?.clocks[f.regime], f, new Date().toISOString());
        if (!verdict.accepted) throw new Error(`${verdict.code}: ${verdict.message}`);
      },
    },
  );
  setHandler(filingRefusedSignal, (f) => {
    const verdict = checkStageFiling(state?.clocks[f.regime], f, new Date().toISOString());
    if (!verdict.accepted) commit({ type: 'FilingRefused', actor: { kind: 'user', id: f.filer }, data: { regime: f.regime, stage: f.stage, reference: f.reference, filer: f.filer, code: verdict.code, message: verdict.message } });
  });
  setHandler(
    notNotifiableUpdate,
    (d) => {
      commit({ type: 'RegimeNotNotifiable', actor: { kind: 'user', id: d.decidedBy }, data: { regime: d.regime, reasoning: d.reasoning } });
      return { message: `${d.regime.toUpperCase()} recorded as not notifiable; its clock has stopped.` };
    },
    { validator: (d) => void (d.role === 'dpo' || d.role === 'incident-commander' || (() => { throw new Error(`a ${d.role} may not decide that a regime is not notifiable`); })()) },
  );
  setHandler(
    awareUpdate,
    (d) => {
      commit({ type: 'AwarenessDetermined', actor: { kind: 'user', id: d.decidedBy }, data: { awareAt: new Date(d.awareAt).toISOString(), reason: d.reason, previous: state?.regulatoryFacts.awareAt ?? '' } });
      return { message: `Awareness recorded at ${new Date(d.awareAt).toISOString()}.` };
    },
    { validator: (d) => void (Number.isNaN(Date.parse(d.awareAt)) && (() => { throw new Error(`awareness time "${d.awareAt}" is not an ISO-8601 instant with a zone`); })()) },
  );
  setHandler(classifyUpdate, (d) => {
    commit({ type: 'IncidentClassified', actor: { kind: 'user', id: d.decidedBy }, data: { classification: d.classification } });
    return { message: `Incident classified ${d.classification} for DORA.` };
  });
  setHandler(materialUpdate, (d) => {
    commit({ type: 'MaterialityDetermined', actor: { kind: 'user', id: d.decidedBy }, data: { determinedAt: d.determinedAt } });
    return { message: `Materiality determined at ${d.determinedAt}.` };
  });
  setHandler(clocksQuery, () => clockViews(state, 'Europe/London'));
  setHandler(breakerSignal, (b) => {
    if (b.state === 'open') commit({ type: 'CircuitOpened', data: { breaker: b.breaker, topic: 'orders', principals: ['User:analytics'], addedDenyBindings: [] } });
    const granted = state?.decisions.find((d) => d.granted);
    if (b.state === 'closed' && granted) commit({ type: 'CircuitClosed', data: { breaker: b.breaker, topic: 'orders', principals: ['User:analytics'], approvalId: granted.approvalId } });
  });
  // Breakers as an Update (issue 16): refused in the state it is in already, answered once moved.
  const breakerNow = (name: string) => (state !== undefined && Object.hasOwn(state.breakers, name) ? state.breakers[name]?.state : undefined) ?? 'closed';
  setHandler(
    breakerUpdate,
    (b) => {
      if (b.state === 'open') commit({ type: 'CircuitOpened', data: { breaker: b.breaker, topic: 'orders', principals: ['User:analytics'], addedDenyBindings: [] } });
      const granted = state?.decisions.find((d) => d.granted);
      if (b.state === 'closed' && granted) commit({ type: 'CircuitClosed', data: { breaker: b.breaker, topic: 'orders', principals: ['User:analytics'], approvalId: granted.approvalId } });
      return { message: `breaker "${b.breaker}" is now ${breakerNow(b.breaker)}` };
    },
    { validator: (b) => void (breakerNow(b.breaker) === b.state && (() => { throw new Error(`breaker "${b.breaker}" is already ${b.state}`); })()) },
  );
  setHandler(closeSignal, (c) => commit({ type: 'IncidentClosed', actor: { kind: 'user', id: c.closedBy }, data: { resolution: c.resolution, openItems: [] } }));
  setHandler(refusalSignal, (r) => void refusals.push(r));
  setHandler(stateQuery, () => state as IncidentState);
  setHandler(timelineQuery, () => timeline(events));
  setHandler(eventsQuery, () => events);
  setHandler(refusalsQuery, () => refusals);

  await condition(() => state?.status === 'closed');
  return state as IncidentState;
}
