import { IllegalEventError } from './errors';
import type { DomainEvent, EventOf } from './events';
import type { IncidentState, IncidentTask } from './incident-state';

/**
 * Notes, tasks and follow-ups (issue 16): the war room's working memory, recorded as events so
 * the timeline, the card and the report show them. The text is user input: kept as typed here
 * (length-limited, never empty); whoever posts it escapes it.
 */

/** Longest note, task or follow-up text, in characters. */
export const NOTE_TEXT_MAX = 1000;
/** Longest assignee name. */
export const ASSIGNEE_MAX = 80;

/** Why a text cannot be recorded, or undefined when it can. */
export function noteTextProblem(text: unknown): string | undefined {
  if (typeof text !== 'string' || text.trim() === '') return 'the text is empty';
  if (text.length > NOTE_TEXT_MAX) return `the text is ${text.length} characters; at most ${NOTE_TEXT_MAX} are kept`;
  // Tabs and line breaks are text; other control characters only hide what is written.
  if ([...text].some((c) => { const code = c.charCodeAt(0); return (code < 32 && c !== '\t' && c !== '\n' && c !== '\r') || code === 127; })) return 'the text holds control characters';
  return undefined;
}

/**
 * The assignee as recorded: a Slack mention (`<@U123>` or `<@U123|name>`) becomes the user id;
 * a plain name (`@rita`, `rita`, `rita.r`) is kept without its `@`. Undefined for anything else.
 */
export function parseAssignee(raw: string): string | undefined {
  const mention = /^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$/.exec(raw);
  if (mention) return mention[1];
  const name = /^@?([\p{L}\p{N}._-]+)$/u.exec(raw);
  if (name && (name[1] as string).length <= ASSIGNEE_MAX) return name[1];
  return undefined;
}

/** The tasks not done yet, in number order. */
export function openTasks(s: IncidentState): IncidentTask[] {
  return (s.tasks ?? []).filter((t) => t.done === undefined);
}

/** Why task `n` cannot be marked done, or undefined when it can. */
export function taskDoneProblem(s: IncidentState, n: number): string | undefined {
  const task = (s.tasks ?? []).find((t) => t.number === n);
  if (task === undefined) {
    const numbers = (s.tasks ?? []).map((t) => t.number);
    return `there is no task ${n}${numbers.length > 0 ? ` (tasks: ${numbers.join(', ')})` : ' (no tasks yet)'}`;
  }
  if (task.done !== undefined) return `task ${n} was done already, by ${task.done.by}`;
  return undefined;
}

type NoteEventType = 'NoteAdded' | 'TaskAdded' | 'TaskCompleted' | 'FollowUpAdded';
type Handler<T extends NoteEventType> = (s: IncidentState, e: EventOf<T>) => void;

function checkText(e: DomainEvent, text: string): void {
  const problem = noteTextProblem(text);
  if (problem !== undefined) throw illegal(e, problem);
}

/** Reducer handlers for notes, tasks and follow-ups. */
export const noteHandlers: { [T in NoteEventType]: Handler<T> } = {
  NoteAdded: (s, e) => {
    checkText(e, e.data.text);
    (s.notes ??= []).push({ text: e.data.text, addedBy: e.data.addedBy, at: e.at });
  },
  TaskAdded: (s, e) => {
    checkText(e, e.data.text);
    const tasks = (s.tasks ??= []);
    if (e.data.number !== tasks.length + 1) throw illegal(e, `the next task is number ${tasks.length + 1}, not ${e.data.number}`);
    if (parseAssignee(e.data.assignee) !== e.data.assignee) throw illegal(e, `"${e.data.assignee}" is not an assignee`);
    tasks.push({ number: e.data.number, assignee: e.data.assignee, text: e.data.text, addedBy: e.data.addedBy, at: e.at });
  },
  TaskCompleted: (s, e) => {
    const problem = taskDoneProblem(s, e.data.number);
    if (problem !== undefined) throw illegal(e, problem);
    const task = (s.tasks ?? []).find((t) => t.number === e.data.number) as IncidentTask;
    task.done = { by: e.data.completedBy, at: e.at };
  },
  FollowUpAdded: (s, e) => {
    checkText(e, e.data.text);
    (s.followUps ??= []).push({ text: e.data.text, addedBy: e.data.addedBy, at: e.at });
  },
};

function illegal(e: DomainEvent, reason: string): IllegalEventError {
  return new IllegalEventError(e.incidentId, e.seq, e.type, reason);
}

/** Open tasks and follow-ups as `IncidentClosed.openItems` lists them. */
export function workOpenItems(s: IncidentState): string[] {
  return [
    ...openTasks(s).map((t) => `task ${t.number} (${t.assignee}) is open: ${t.text}`),
    ...(s.followUps ?? []).map((f) => `follow-up: ${f.text}`),
  ];
}
