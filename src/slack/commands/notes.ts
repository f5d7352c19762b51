import { ASSIGNEE_MAX, NOTE_TEXT_MAX, parseAssignee } from '../../domain/incident-notes';
import { escapeSlackText } from '../mrkdwn';
import { REFUSED_PREFIX } from '../reply-kind';
import { refreshCard } from './decision';
import type { DecisionAnswer } from './incident-port';
import { UsageError, type CommandContext, type SubcommandSpec } from './context';

/**
 * `/ir note`, `/ir task`, `/ir task done` and `/ir follow-up` (issue 16): each an Update the
 * incident answers, recorded as an event on the audit topic. What people type is text: checked
 * for length here (the incident checks again), escaped whenever it is posted back.
 */

/** The words after the incident id, as typed (Slack keeps their spacing in `text`). */
function textAfter(ctx: CommandContext, words: number): string {
  return ctx.args.slice(words).join(' ').trim();
}

function checkText(text: string, what: string): void {
  if (text === '') throw new UsageError(`the ${what} text is required`);
  if (text.length > NOTE_TEXT_MAX) throw new UsageError(`the ${what} is ${text.length} characters; keep it within ${NOTE_TEXT_MAX}`);
}

/** Answers the incident's acceptance (and refreshes the card) or its refusal. */
async function answer(ctx: CommandContext, workflowId: string, result: DecisionAnswer): Promise<void> {
  if (result.accepted) await refreshCard(ctx, await ctx.deps.incidents.state(workflowId));
  await ctx.reply({
    text: result.accepted ? `\`${workflowId}\`: ${escapeSlackText(result.message)}.` : `${REFUSED_PREFIX} \`${workflowId}\` refused: ${escapeSlackText(result.message)}.`,
  });
}

/** The role the policies gave the user for `action` on the incident, as the Update carries it. */
function roleFor(ctx: CommandContext, action: 'note' | 'task' | 'follow-up', workflowId: string): string {
  return ctx.deps.policy.decide({ userId: ctx.userId, action, incidentId: workflowId }).role;
}

/** `/ir note <id> <text>`. */
export const NOTE: SubcommandSpec = {
  name: 'note',
  usage: 'note <incident-id> <text>',
  summary: 'add a note to the incident (responder and up)',
  async run(ctx) {
    const text = textAfter(ctx, 1);
    const workflowId = await ctx.incident();
    checkText(text, 'note');
    if (!(await ctx.authorize('note', { workflowId }))) return;
    await answer(ctx, workflowId, await ctx.deps.incidents.note(workflowId, { text, requestedBy: ctx.userId, role: roleFor(ctx, 'note', workflowId) }));
  },
};

/** `/ir follow-up <id> <text>`. */
export const FOLLOW_UP: SubcommandSpec = {
  name: 'follow-up',
  usage: 'follow-up <incident-id> <text>',
  summary: 'add a follow-up for after the incident; the report lists them (responder and up)',
  async run(ctx) {
    const text = textAfter(ctx, 1);
    const workflowId = await ctx.incident();
    checkText(text, 'follow-up');
    if (!(await ctx.authorize('follow-up', { workflowId }))) return;
    await answer(ctx, workflowId, await ctx.deps.incidents.followUp(workflowId, { text, requestedBy: ctx.userId, role: roleFor(ctx, 'follow-up', workflowId) }));
  },
};

/** `/ir task <id> <@assignee|name> <text>` and `/ir task done <id> <n>`. */
export const TASK: SubcommandSpec = {
  name: 'task',
  usage: 'task <incident-id> <@assignee|name> <text> · task done <incident-id> <n>',
  summary: 'add a numbered task for someone, or mark one done (responder and up)',
  async run(ctx) {
    if (ctx.args[0] === 'done') return taskDone(ctx);
    const workflowId = await ctx.incident();
    const who = ctx.args[1];
    const text = textAfter(ctx, 2);
    if (who === undefined) throw new UsageError('say who the task is for');
    if (parseAssignee(who) === undefined) throw new UsageError(`the assignee is a Slack user (@name) or a name of at most ${ASSIGNEE_MAX} letters, digits, \`.\`, \`_\` or \`-\``);
    checkText(text, 'task');
    if (!(await ctx.authorize('task', { workflowId }))) return;
    await answer(ctx, workflowId, await ctx.deps.incidents.task(workflowId, { assignee: who, text, requestedBy: ctx.userId, role: roleFor(ctx, 'task', workflowId) }));
  },
};

async function taskDone(ctx: CommandContext): Promise<void> {
  const workflowId = await ctx.incident(1);
  const raw = ctx.args[2];
  if (raw === undefined || ctx.args.length > 3) throw new UsageError('say which task number is done');
  if (!/^[1-9]\d{0,5}$/.test(raw)) throw new UsageError(`\`${escapeSlackText(raw)}\` is not a task number`);
  if (!(await ctx.authorize('task', { workflowId }))) return;
  await answer(ctx, workflowId, await ctx.deps.incidents.taskDone(workflowId, { number: Number(raw), requestedBy: ctx.userId, role: roleFor(ctx, 'task', workflowId) }));
}
