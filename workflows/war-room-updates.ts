import { condition, patched, setHandler } from '@temporalio/workflow';
import type { EventDraft } from '../src/domain/step-contract';
import { noteTextProblem, openTasks, parseAssignee, taskDoneProblem } from '../src/domain/incident-notes';
import { runbookStepOf } from '../src/domain/runbook';
import { followUpUpdate, noteUpdate, taskDoneUpdate, taskUpdate, type DecisionResult, type NoteRequest, type OperatorIdentity, type TaskDoneRequest, type TaskRequest } from './api';
import { nowIso, type Run } from './context';

/**
 * Notes, tasks and follow-ups as Updates (issue 16). The validator refuses what the reducer would
 * refuse, with the reason (closed incident, a role that may not, empty or overlong text, an
 * unknown or finished task), so nothing is half-recorded. Handlers only: no command changes, so
 * no patch. Events ship to the audit topic in the background, like a severity change.
 */

/** Roles that may add notes, tasks and follow-ups: responder and up. Observers may not. */
const WRITERS: readonly string[] = ['incident-commander', 'dpo', 'responder'];

/** Registers the note, task, task-done and follow-up Updates. */
export function registerWarRoomUpdates(run: Run): void {
  setHandler(noteUpdate, (req) => record(run, req, { type: 'NoteAdded', data: { text: req.text, addedBy: req.requestedBy, role: req.role } }, 'note recorded'), {
    validator: (req) => validateText(run, req),
  });
  setHandler(followUpUpdate, (req) => record(run, req, { type: 'FollowUpAdded', data: { text: req.text, addedBy: req.requestedBy, role: req.role } }, 'follow-up recorded'), {
    validator: (req) => validateText(run, req),
  });
  setHandler(taskUpdate, (req) => addTask(run, req), { validator: (req) => validateTask(run, req) });
  setHandler(taskDoneUpdate, (req) => completeTask(run, req), { validator: (req) => validateTaskDone(run, req) });
}

function writable(run: Run, req: OperatorIdentity): NonNullable<Run['ledger']['state']> {
  const state = run.ledger.state;
  if (state === undefined || state.status === 'closed') throw new Error('the incident is closed');
  if (!WRITERS.includes(req.role)) throw new Error(`a ${req.role} may not add to the incident`);
  return state;
}

function validateText(run: Run, req: NoteRequest): void {
  writable(run, req);
  const problem = noteTextProblem(req.text);
  if (problem !== undefined) throw new Error(problem);
}

function validateTask(run: Run, req: TaskRequest): void {
  validateText(run, req);
  if (typeof req.assignee !== 'string' || parseAssignee(req.assignee) === undefined) throw new Error(`"${String(req.assignee)}" is not an assignee: name a person (@name) or a Slack user`);
}

function validateTaskDone(run: Run, req: TaskDoneRequest): void {
  const state = writable(run, req);
  if (!Number.isInteger(req.number) || req.number < 1) throw new Error(`"${String(req.number)}" is not a task number`);
  const problem = taskDoneProblem(state, req.number);
  if (problem !== undefined) throw new Error(problem);
}

function record(run: Run, req: OperatorIdentity, draft: Pick<EventDraft, 'type' | 'data'>, message: string): DecisionResult {
  run.ledger.commit({ ...draft, at: nowIso(), actor: { kind: 'user', id: req.requestedBy } } as EventDraft);
  run.ledger.flushInBackground();
  return { message };
}

function addTask(run: Run, req: TaskRequest): DecisionResult {
  const number = (run.ledger.open.tasks ?? []).length + 1;
  const assignee = parseAssignee(req.assignee) as string;
  record(run, req, { type: 'TaskAdded', data: { number, assignee, text: req.text, addedBy: req.requestedBy, role: req.role } }, '');
  return { message: `task ${number} added for ${assignee}` };
}

function completeTask(run: Run, req: TaskDoneRequest): DecisionResult {
  record(run, req, { type: 'TaskCompleted', data: { number: req.number, completedBy: req.requestedBy, role: req.role } }, '');
  const open = openTasks(run.ledger.open).map((t) => t.number);
  return { message: `task ${req.number} done; ${open.length === 0 ? 'no task is open' : `open: ${open.join(', ')}`}` };
}

/** Whether the runbook's close step waits for every task to be done. */
function tasksHoldClose(run: Run): boolean {
  return runbookStepOf(run.input.runbook, 'close')?.with?.requireTasksDone === true;
}

/** Refuses a close while the runbook holds it for open tasks, naming them (the close validator calls this). */
export function refuseCloseWhileTasksOpen(run: Run): void {
  if (!tasksHoldClose(run)) return;
  const open = openTasks(run.ledger.open).map((t) => t.number);
  if (open.length > 0) throw new Error(`closing is held until every task is done; open: ${open.map((n) => `task ${n}`).join(', ')}`);
}

/**
 * The close step's hold (`requireTasksDone`): waits until no task is open, saying once which
 * are. New behaviour, so behind a patch: a 0.2.0 history never reaches it (its runbooks lack
 * the parameter), and a later one that does replays with the same marker.
 */
export async function holdCloseForOpenTasks(run: Run, requireTasksDone: boolean): Promise<void> {
  if (!requireTasksDone || !patched('close-holds-open-tasks-v1')) return;
  const open = openTasks(run.ledger.open).map((t) => t.number);
  if (open.length === 0) return;
  run.notify(`Closing ${run.input.incidentId} waits for its open tasks: ${open.join(', ')}.`);
  await condition(() => openTasks(run.ledger.open).length === 0);
}
