import { DURATION_PATTERN, NAME_PATTERN } from '../domain/runbook-patterns';
import type { ActionPlanContext, GenericActionDefinition, JsonSchema } from './contract';

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
  /** Answers that stop the playbook: the remaining steps up to `close` are skipped. @default ['stop'] */
  stopOn?: string[];
}

/** The roles a decision may be left to: the approval roles, so the same policies decide. */
export const DECISION_ROLES = ['incident-commander', 'dpo', 'responder'] as const;

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
    role: { type: 'string', enum: [...DECISION_ROLES], default: 'incident-commander', description: 'Role allowed to decide (the policies that let it approve a step gated on this role let it decide).' },
    stopOn: {
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', pattern: NAME_PATTERN },
      default: ['stop'],
      description: 'Answers that stop the playbook: every remaining step before `close` is skipped, with the answer as the reason.',
    },
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
  const stops = (p.stopOn ?? ['stop']).filter((a) => optionsOf(p).includes(a));
  const stop = stops.length > 0 ? `; ${stops.map((a) => `"${a}"`).join(' or ')} skips the steps before close` : '';
  return [`ask ${p.role ?? 'incident-commander'}: "${p.question}" (${optionsOf(p).join(' / ')}); after ${p.timeout ?? '1h'} take "${timeoutAnswerOf(p)}"${stop}`];
}

/** The answers of a step, with the default applied. */
export function optionsOf(p: WaitForParams): string[] {
  return p.options ?? ['proceed', 'stop'];
}

/** The answer taken when nobody decides in time: `onTimeout`, else the last option. */
export function timeoutAnswerOf(p: WaitForParams): string {
  return p.onTimeout ?? optionsOf(p).at(-1) ?? 'stop';
}

/** Whether `answer` stops the playbook (it is one of `stopOn`, default `['stop']`). */
export function stopsPlaybook(p: WaitForParams, answer: string): boolean {
  return (p.stopOn ?? ['stop']).includes(answer);
}

/** Name of the action as runbooks write it. */
export const WAIT_FOR_ACTION = 'wait-for';

/**
 * The registry entry of `wait-for`. The workflow carries it out itself (`runsIn: 'workflow'`,
 * `workflows/wait-for.ts`): it asks, then waits for the `waitForDecision` Update or the timeout.
 * `activity` names no activity the worker registers; nothing calls it.
 */
export const waitFor: GenericActionDefinition<WaitForParams> = {
  kind: 'generic',
  name: WAIT_FOR_ACTION,
  summary: 'Ask the operators a question and wait for their answer (or take a default after a timeout)',
  // A question does not move the incident forward: `open` is the lowest rank.
  phase: { started: 'open', completed: 'open' },
  // The step's own timeout is not the wait: `with.timeout` is (the workflow runs no activity).
  defaultTimeout: '1h',
  params: WAIT_FOR_PARAMS,
  plan: planWaitFor,
  activity: 'waitForDecision',
  runsIn: 'workflow',
  needsPrincipal: false,
  // Step outputs (issue 17, item 4).
  outputs: { answer: { type: 'string', description: 'The answer given, or `onTimeout` when nobody answered in time.' } },
};

/**
 * Why a decision is refused, or undefined when it is acceptable: the step must be the one
 * waiting, the answer one of its options, the role the step's.
 */
export function refuseDecision(waiting: { stepId: string; params: WaitForParams } | undefined, d: WaitForDecision): string | undefined {
  if (!waiting) return 'no step is waiting for a decision';
  if (d.stepId !== waiting.stepId) return `stepId: step ${d.stepId} is not waiting (${waiting.stepId} is)`;
  const options = optionsOf(waiting.params);
  if (!options.includes(d.answer)) return `answer: "${d.answer}" is not one of ${options.join(', ')}`;
  const role = waiting.params.role ?? 'incident-commander';
  if (d.role !== role) return `role: ${role} decides this step, not ${d.role}`;
  if (d.decidedBy.trim() === '') return 'decidedBy: required';
  return undefined;
}

/** Action id of the answer buttons of a wait-for question (Slack). */
export const DECIDE_ACTION_ID = 'breachline_decide';

/** What an answer button carries, JSON-encoded in its `value`. */
export interface DecideButtonValue {
  readonly incidentId: string;
  readonly stepId: string;
  readonly answer: string;
}

/** Parses an answer button's value; undefined when it is not one of ours (a forged or stale payload). */
export function parseDecideButtonValue(value: string | undefined): DecideButtonValue | undefined {
  if (value === undefined) return undefined;
  try {
    const v = JSON.parse(value) as Record<string, unknown>;
    const { incidentId, stepId, answer } = v;
    if (typeof incidentId !== 'string' || typeof stepId !== 'string' || typeof answer !== 'string') return undefined;
    return { incidentId, stepId, answer };
  } catch {
    return undefined;
  }
}

/** A question as a chat message shows it. */
export interface QuestionView {
  readonly stepId: string;
  readonly question: string;
  readonly options: readonly string[];
  readonly role: string;
  readonly onTimeout: string;
  readonly deadline: string;
}

/** Block id prefix of a question's button row: `breachline_decide:<stepId>`. */
export const DECIDE_BLOCK_PREFIX = 'breachline_decide:';

/**
 * The question's blocks: the question (the runbook's words, not user input) and one button per
 * answer, as Block Kit JSON. Pure, so the workflow builds the message and the card reuses it.
 */
export function questionBlocks(incidentId: string, q: QuestionView, commandName = '/ir'): unknown[] {
  const buttons = q.options.slice(0, 25).map((answer) => {
    const value: DecideButtonValue = { incidentId, stepId: q.stepId, answer };
    return { type: 'button', action_id: `${DECIDE_ACTION_ID}:${q.stepId}:${answer}`.slice(0, 255), text: { type: 'plain_text', text: answer.slice(0, 75) }, value: JSON.stringify(value) };
  });
  return [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          `:question: Step \`${q.stepId}\` asks the *${q.role}*: ${q.question}\n` +
          `Answer with a button or \`${commandName} decide ${incidentId} ${q.stepId} <answer> [reason]\`; at ${q.deadline} it takes "${q.onTimeout}".`,
      },
    },
    { type: 'actions', block_id: `${DECIDE_BLOCK_PREFIX}${q.stepId}`.slice(0, 255), elements: buttons },
  ];
}
