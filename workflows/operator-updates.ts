import { condition, setHandler } from '@temporalio/workflow';
import type { PendingApproval } from '../src/domain/incident';
import {
  approveUpdate,
  closeUpdate,
  denyUpdate,
  SEVERITIES,
  severityUpdate,
  type ApprovalSignal,
  type CloseSignal,
  type DecisionResult,
  type SeverityRequest,
} from './api';
import { nowIso, type Run } from './context';
import { requestClose } from './operator-signals';
import { refuseCloseWhileTasksOpen } from './war-room-updates';

/**
 * Approve, deny, close and severity as Updates (issue 16): the validator refuses, with the precise
 * reason, anything the incident would not act on (no such pending step, the wrong role, already
 * closed), so the person learns it at once instead of a command guessing from the state later. An
 * accepted approval or denial answers once the incident has recorded it. Handlers only: registering
 * them changes no command in any history, so no patch is needed.
 */

const ROLES: readonly string[] = ['incident-commander', 'dpo', 'responder'];

/** Registers the operator-action Updates on a running incident. */
export function registerOperatorUpdates(run: Run): void {
  setHandler(approveUpdate, (req) => decideApproval(run, req, undefined), { validator: (req) => validateApproval(run, req) });
  setHandler(denyUpdate, (req) => decideApproval(run, req, req.reason), {
    validator: (req) => {
      if (typeof req.reason !== 'string' || req.reason.trim() === '') throw new Error('a denial needs a reason');
      validateApproval(run, req);
    },
  });
  setHandler(closeUpdate, (req) => close(run, req), { validator: (req) => validateClose(run, req) });
  setHandler(severityUpdate, (req) => changeSeverity(run, req), { validator: (req) => validateSeverity(run, req) });
}

function openState(run: Run): NonNullable<Run['ledger']['state']> {
  const state = run.ledger.state;
  if (state === undefined || state.status === 'closed') throw new Error('the incident is closed');
  return state;
}

function pendingFor(run: Run, stepId: string): PendingApproval {
  const pending = openState(run).pendingApprovals;
  const hit = pending.find((a) => a.stepId === stepId || a.approvalId === stepId);
  if (hit !== undefined) return hit;
  const list = pending.length === 0 ? 'nothing is pending' : `pending: ${pending.map((a) => `${a.stepId} (${a.role})`).join(', ')}`;
  throw new Error(`no approval is pending for step "${stepId}"; ${list}`);
}

function validateApproval(run: Run, req: ApprovalSignal): void {
  const pending = pendingFor(run, req.stepId);
  if (pending.role !== req.role) throw new Error(`step "${pending.stepId}" is approved by the ${pending.role}, not a ${req.role}`);
  if (run.approvals.answered(pending.approvalId)) throw new Error(`step "${pending.stepId}" has been decided already`);
}

async function decideApproval(run: Run, req: ApprovalSignal, denial: string | undefined): Promise<DecisionResult> {
  const pending = pendingFor(run, req.stepId);
  const signal = { ...req, stepId: pending.stepId };
  run.approvals.receive(denial === undefined ? { granted: true, signal } : { granted: false, signal: { ...signal, reason: denial } });
  // The waiting step records the decision; answer once it has, so the reply states a fact. A run
  // about to continue as new carries the answer to the next run, which records it: do not hold the
  // drain (it waits for every handler) by waiting here.
  await condition(() => run.ledger.open.decisions.some((d) => d.approvalId === pending.approvalId) || run.ledger.open.status === 'closed' || run.continuation.due());
  return { message: denial === undefined ? `step "${pending.stepId}" approved by ${req.approver}` : `step "${pending.stepId}" denied by ${req.approver}: ${denial}` };
}

function validateClose(run: Run, req: CloseSignal): void {
  openState(run);
  if (run.closeRequest !== undefined) throw new Error(`closing was already asked for by ${run.closeRequest.closedBy}`);
  const gate = run.input.runbook.steps.find((s) => s.action === 'close')?.approval ?? 'none';
  if (!ROLES.includes(req.role) || (gate !== 'none' && gate !== req.role)) throw new Error(`closing is approved by the ${gate}, not a ${req.role}`);
  if (typeof req.resolution !== 'string' || req.resolution.trim() === '') throw new Error('closing needs a resolution');
  refuseCloseWhileTasksOpen(run);
}

/** How long a close answer waits for the incident to close before saying what still holds it. */
const CLOSE_ANSWER_WAIT = '10 seconds';

async function close(run: Run, req: CloseSignal): Promise<DecisionResult> {
  requestClose(run, req);
  const closeStep = run.input.runbook.steps.find((s) => s.action === 'close');
  const asking = run.ledger.open.pendingApprovals.some((a) => a.breaker === undefined && a.stepId === closeStep?.id);
  if (!asking) return { message: `close requested by ${req.closedBy}; it applies when the playbook reaches its close step` };
  // The close step usually finishes at once (breakers closed, then IncidentClosed): answer with the fact.
  const closed = await condition(() => run.ledger.open.status === 'closed' || run.continuation.due(), CLOSE_ANSWER_WAIT);
  return {
    message: closed && run.ledger.open.status === 'closed'
      ? `closed by ${req.closedBy}`
      : `close approved by ${req.closedBy}; the incident closes once its close step has finished (evidence, filings or breakers still pending)`,
  };
}

function validateSeverity(run: Run, req: SeverityRequest): void {
  const state = openState(run);
  if (!(SEVERITIES as readonly string[]).includes(req.severity)) throw new Error(`severity must be one of ${SEVERITIES.join(', ')}, not "${String(req.severity)}"`);
  if (req.severity === state.severity) throw new Error(`the severity is already ${state.severity}`);
  if (!ROLES.includes(req.role)) throw new Error(`a ${req.role} may not change the severity`);
  if (typeof req.reason !== 'string' || req.reason.trim() === '') throw new Error('changing the severity needs a reason');
}

function changeSeverity(run: Run, req: SeverityRequest): DecisionResult {
  const from = run.ledger.open.severity;
  run.ledger.commit({
    type: 'SeverityChanged',
    at: nowIso(),
    actor: { kind: 'user', id: req.requestedBy },
    data: { from, to: req.severity, reason: req.reason, changedBy: req.requestedBy, role: req.role },
  });
  run.ledger.flushInBackground();
  run.notify(`Severity of ${run.input.incidentId} changed from ${from} to ${req.severity} by ${req.requestedBy}: ${req.reason}`);
  return { message: `severity changed from ${from} to ${req.severity}` };
}
