import { DURATION_PATTERN, NAME_PATTERN } from '../domain/runbook-patterns';
import type { ActionPlanContext, JsonSchema } from './contract';

/*
 * `wait-for`: a human decision with a timeout. Unlike the other generic actions it cannot be "one
 * activity": the workflow itself must wait (a condition on an Update, bounded by a timer), so it
 * is not a `GenericActionDefinition`. This module holds its pure half: parameters, plan, and the
 * validation of a decision; `workflows/wait-for.ts` holds the Update and the wait.
 */

/** Parameters of `wait-for`. */
export interface WaitForParams extends Record<string, unknown> {
  /** What the operators are asked. */
  question: string;
  /** The answers they may give. @default ['proceed', 'stop'] */
  options?: string[];
  /** How long to wait. @default '1h' */
  timeout?: string;
  /** The answer taken when nobody decides in time. @default the last option */
  onTimeout?: string;
  /** Role allowed to decide. @default 'incident-commander' */
  role?: string;
}

/** The schema of {@link WaitForParams}. */
export const WAIT_FOR_PARAMS: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['question'],
  properties: {
    question: { type: 'string', minLength: 1, maxLength: 500, description: 'What the operators are asked (shown in Slack and the timeline).' },
    options: { type: 'array', minItems: 2, uniqueItems: true, items: { type: 'string', pattern: NAME_PATTERN }, default: ['proceed', 'stop'], description: 'The answers they may give.' },
    timeout: { type: 'string', pattern: DURATION_PATTERN, default: '1h', description: 'How long to wait for a decision.' },
    onTimeout: { type: 'string', pattern: NAME_PATTERN, description: 'The answer taken when nobody decides in time. Default: the last option.' },
    role: { type: 'string', minLength: 1, default: 'incident-commander', description: 'Role allowed to decide.' },
  },
};

/** A decision as an operator sends it (the Update's argument). */
export interface WaitForDecision {
  stepId: string;
  answer: string;
  decidedBy: string;
  role: string;
  reason?: string;
}

/** Dry-run lines of a `wait-for` step. */
export function planWaitFor(p: WaitForParams, _ctx: ActionPlanContext): string[] {
  const options = p.options ?? ['proceed', 'stop'];
  return [`ask ${p.role ?? 'incident-commander'}: "${p.question}" (${options.join(' / ')}); after ${p.timeout ?? '1h'} take "${p.onTimeout ?? options.at(-1) ?? ''}"`];
}

/**
 * Why a decision is refused, or undefined when it is acceptable: the step must be the one
 * waiting, the answer one of its options, the role the step's.
 */
export function refuseDecision(waiting: { stepId: string; params: WaitForParams } | undefined, d: WaitForDecision): string | undefined {
  if (!waiting) return 'no step is waiting for a decision';
  if (d.stepId !== waiting.stepId) return `stepId: step ${d.stepId} is not waiting (${waiting.stepId} is)`;
  const options = waiting.params.options ?? ['proceed', 'stop'];
  if (!options.includes(d.answer)) return `answer: "${d.answer}" is not one of ${options.join(', ')}`;
  const role = waiting.params.role ?? 'incident-commander';
  if (d.role !== role) return `role: ${role} decides this step, not ${d.role}`;
  if (d.decidedBy.trim() === '') return 'decidedBy: required';
  return undefined;
}
