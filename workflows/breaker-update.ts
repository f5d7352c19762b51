import { setHandler } from '@temporalio/workflow';
import { breakerUpdate, type BreakerSignal, type DecisionResult } from './api';
import type { Run } from './context';
import { operateBreaker } from './operator-signals';

/**
 * `/ir breaker open|close` as an Update (issue 16): the validator refuses what the breaker
 * signal would quietly ignore (a dry run, a breaker the runbook does not define, the state it is
 * in already, a role that may not decide it, one no step of this run opened), and the answer
 * comes once the breaker has moved, replacing the command's read-back. A handler only: no patch.
 */

const ROLES: readonly string[] = ['incident-commander', 'dpo', 'responder'];

/** Registers the breaker Update. */
export function registerBreakerUpdate(run: Run): void {
  setHandler(breakerUpdate, (req) => operate(run, req), { validator: (req) => validateBreaker(run, req) });
}

function current(run: Run, name: string): 'open' | 'closed' {
  const breakers = run.ledger.open.breakers;
  return (Object.hasOwn(breakers, name) ? breakers[name]?.state : undefined) ?? 'closed';
}

function validateBreaker(run: Run, req: BreakerSignal): void {
  const state = run.ledger.state;
  if (state === undefined || state.status === 'closed') throw new Error('the incident is closed');
  if (run.input.mode === 'dry-run') throw new Error('this is a dry run: breakers are left alone');
  if (req.state !== 'open' && req.state !== 'closed') throw new Error(`a breaker is opened or closed, not "${String(req.state)}"`);
  const defined = Object.keys(run.input.runbook.breakers);
  if (typeof req.breaker !== 'string' || !Object.hasOwn(run.input.runbook.breakers, req.breaker)) {
    throw new Error(`breaker "${String(req.breaker)}" is not defined by the runbook; ${defined.length > 0 ? `defined: ${defined.join(', ')}` : 'it defines none'}`);
  }
  if (current(run, req.breaker) === req.state) throw new Error(`breaker "${req.breaker}" is already ${req.state}`);
  if (!ROLES.includes(req.role)) throw new Error(`a ${req.role} may not operate breakers`);
  if (req.state === 'open') {
    if (!run.input.runbook.steps.some((s) => s.action === 'break-circuits')) throw new Error('the runbook has no break-circuits step to open it with');
    return;
  }
  const stepId = Object.keys(run.opened).find((id) => (run.opened[id] ?? []).some((o) => o.breaker === req.breaker));
  if (stepId === undefined) throw new Error(`breaker "${req.breaker}" was not opened by a step of this run`);
  const gate = run.input.runbook.steps.find((s) => s.id === stepId)?.approval ?? 'none';
  if (gate !== 'none' && gate !== req.role) throw new Error(`breakers of step "${stepId}" are closed by the ${gate}, not a ${req.role}`);
}

async function operate(run: Run, req: BreakerSignal): Promise<DecisionResult> {
  await operateBreaker(run, req);
  const now = current(run, req.breaker);
  return { message: now === req.state ? `breaker "${req.breaker}" is now ${now}` : `breaker "${req.breaker}" is still ${now}; see the incident channel for why` };
}
