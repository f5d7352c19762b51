import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import { genericAction, type ActionPlanContext, type GenericActionInput, type GenericActionResult, type GenericCompensationInput } from '../src/domain/action-registry';
import type { PlannedChange } from '../src/domain/events';
import type { GenericPlannedStep } from '../src/domain/runbook';
import type { CarriedCompensation, EventDraft, StepOutput } from '../src/domain/step-contract';
import { nowIso, WORKFLOW_ACTOR, type Run } from './context';
import { fastControlPlane, PRESETS, withTimeout } from './options';
import type { Compensation } from './saga';

/**
 * Generic runbook actions (issue 17): "run one activity with the params and the incident context,
 * record what it did". The workflow knows them only through their registry definition: the
 * activity and compensation names, the default timeout and the plan. Their activities are called
 * by name, so they need no entry in the worker's typed activity table to be dispatched.
 */

/** A generic action's activity as the workflow calls it. */
type GenericActivity = (input: GenericActionInput) => Promise<GenericActionResult>;
/** A generic action's compensation activity as the workflow calls it. */
type GenericUndo = (input: GenericCompensationInput) => Promise<GenericActionResult>;

/** What a generic action may know about the incident (no secrets: it travels in history). */
export function planContext(run: Run): ActionPlanContext {
  const s = run.ledger.open;
  return { incidentId: run.input.incidentId, runbookId: run.input.runbook.id, principal: run.input.principal, severity: s.severity, title: s.title };
}

function definitionOf(step: GenericPlannedStep) {
  const def = genericAction(step.action);
  // The loader refuses unregistered actions; this only meets a runbook pinned before a removal.
  if (def === undefined) throw ApplicationFailure.nonRetryable(`no generic action "${step.action}" is registered`, 'UnknownAction');
  return def;
}

/**
 * One attempt at a generic step: its activity (timeout from the step, else the definition's;
 * retry preset `control-plane`), then `ActionPerformed`. A `compensate: true` step whose action
 * can be undone pushes its undo onto the saga. The activity's outputs are returned for `StepCompleted`.
 */
export async function performGeneric(run: Run, step: GenericPlannedStep): Promise<StepOutput> {
  const def = definitionOf(step);
  const acts = proxyActivities<Record<string, GenericActivity>>(withTimeout(PRESETS['control-plane'], step.timeoutMs));
  const stepKey = `${run.input.incidentId}/${step.id}`;
  const call = acts[def.activity];
  if (call === undefined) throw ApplicationFailure.nonRetryable(`activity ${def.activity} of ${def.name} unavailable`, 'UnknownAction');
  const result = await call({ incidentId: run.input.incidentId, stepId: step.id, stepKey, params: step.params, context: planContext(run) });
  if (step.compensate && def.compensation !== undefined) {
    const carry: CarriedCompensation = {
      kind: 'generic',
      stepId: step.id,
      description: `undo ${def.name}: ${result.summary}`,
      action: def.name,
      activity: def.compensation,
      compensation: result.compensation ?? {},
    };
    run.saga.push(genericCompensation(run, carry));
  }
  const events: EventDraft[] = [{ type: 'ActionPerformed', at: nowIso(), actor: WORKFLOW_ACTOR, data: { stepId: step.id, action: step.action, summary: result.summary, details: result.details } }];
  // Step outputs (issue 17, item 4): what the activity produced for later steps' references.
  return result.outputs !== undefined ? { events, outputs: result.outputs } : { events };
}

/** The saga entry of a generic step: its compensation activity, then `ActionPerformed` of the undo. */
export function genericCompensation(run: Run, carry: Extract<CarriedCompensation, { kind: 'generic' }>): Compensation {
  const undo = async (): Promise<StepOutput> => {
    const acts = proxyActivities<Record<string, GenericUndo>>(fastControlPlane);
    const stepKey = `${run.input.incidentId}/${carry.stepId}/undo`;
    const call = acts[carry.activity];
    if (call === undefined) throw ApplicationFailure.nonRetryable(`activity ${carry.activity} unavailable`, 'UnknownAction');
    const result = await call({ incidentId: run.input.incidentId, stepId: carry.stepId, stepKey, compensation: carry.compensation });
    return { events: [{ type: 'ActionPerformed', at: nowIso(), actor: WORKFLOW_ACTOR, data: { stepId: carry.stepId, action: carry.action, summary: result.summary, details: result.details } }] };
  };
  return { stepId: carry.stepId, action: carry.action, description: carry.description, carry, undo };
}

/** Dry run of a generic step: the definition's plan lines, as changes of the action on the incident. */
export function planGeneric(run: Run, step: GenericPlannedStep): EventDraft {
  const def = definitionOf(step);
  const target = `incident:${run.input.incidentId}`;
  const changes: PlannedChange[] = def.plan(step.params, planContext(run)).map((description) => ({ kind: def.name, target, description }));
  return { type: 'StepPlanned', at: nowIso(), actor: WORKFLOW_ACTOR, data: { stepId: step.id, action: step.action, changes } };
}
