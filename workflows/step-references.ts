import { ApplicationFailure } from '@temporalio/workflow';
import type { AnyPlannedStep } from '../src/domain/runbook';
import { planParams, resolveParams, UnresolvedReference, type ReferenceContext } from '../src/domain/runbook-references';
import type { Run } from './context';

/**
 * Step references in the workflow (issue 17, item 4): a step's `${{ … }}` params are resolved
 * right before it runs, from the folded incident state (so they survive continue-as-new) and the
 * alert that opened the incident. A step without references runs with its planned params as they
 * are: nothing changes for runbooks (and histories) from before references existed.
 */

/** What a reference may read: the steps as folded so far, and the opening alert. */
export function referenceContext(run: Run): ReferenceContext {
  return { steps: run.ledger.open.steps, alert: run.input.alert };
}

/**
 * The step with its references resolved. A reference without a value fails the step (the caller
 * records it as any failed attempt: it then needs attention) with a non-retryable
 * `UnresolvedReference` naming the parameter and why.
 */
export function resolveStep<S extends AnyPlannedStep>(run: Run, step: S): S {
  try {
    const params = resolveParams(step.action, step.params as Record<string, unknown>, referenceContext(run));
    return params === step.params ? step : ({ ...step, params } as S);
  } catch (err) {
    if (err instanceof UnresolvedReference) throw ApplicationFailure.nonRetryable(err.message, 'UnresolvedReference');
    throw err;
  }
}

/** The step as a dry run plans it: known references resolved, the others shown as their text. */
export function planStepParams<S extends AnyPlannedStep>(run: Run, step: S): S {
  const params = planParams(step.action, step.params as Record<string, unknown>, referenceContext(run));
  return params === step.params ? step : ({ ...step, params } as S);
}
