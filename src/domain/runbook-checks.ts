import { formatDuration, parseDuration } from './duration';
import { ACTIONS, isActionName } from './runbook-actions';

/** A step in a path into the runbook document: a key or an array index. */
export type PathSegment = string | number;

/** A problem the JSON Schema cannot express, located by path. */
export interface SemanticProblem {
  /** Where the offending value is. */
  path: PathSegment[];
  /** When the problem is a key of the map at `path`, that key. */
  key?: string;
  /** The message names its subject itself: no `step "x": ` prefix. */
  plain?: boolean;
  message: string;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Cross-checks the schema cannot do: unique step ids, references from steps to the runbook's
 * breakers and regimes, `compensate` only on undoable actions, reminder marks inside the
 * deadline, and step order constraints (evidence needs a forensic window; close comes last).
 * Defensive about shape: whatever the schema already rejects is skipped here, not re-reported.
 */
export function runbookSemanticProblems(data: unknown): SemanticProblem[] {
  if (!isObj(data)) return [];
  const problems: SemanticProblem[] = [];
  const breakers = isObj(data.breakers) ? Object.keys(data.breakers) : [];
  const regimes = isObj(data.regimes) ? data.regimes : {};

  for (const [name, regime] of Object.entries(regimes)) {
    if (!isObj(regime) || !Array.isArray(regime.reminderMarks)) continue;
    const deadline = tryDuration(regime.deadline);
    if (deadline === undefined) continue;
    regime.reminderMarks.forEach((mark, i) => {
      const ms = tryDuration(mark);
      if (ms !== undefined && (ms <= 0 || ms >= deadline)) {
        problems.push({ path: ['regimes', name, 'reminderMarks', i], message: `mark ${String(mark)} is not before the ${formatDuration(deadline)} deadline` });
      }
    });
  }

  const steps = Array.isArray(data.steps) ? data.steps : [];
  const ids = new Set<string>();
  let forensicsSeen = false;
  steps.forEach((step, i) => {
    if (!isObj(step)) return;
    if (typeof step.id === 'string') {
      if (ids.has(step.id)) problems.push({ path: ['steps', i], key: 'id', plain: true, message: `duplicate step id "${step.id}"` });
      ids.add(step.id);
    }
    if (typeof step.action !== 'string' || !isActionName(step.action)) return;
    const action = step.action;
    const params = isObj(step.with) ? step.with : {};
    if (step.compensate === true && !ACTIONS[action].compensable) {
      problems.push({ path: ['steps', i], key: 'compensate', message: `${action} cannot be undone; remove compensate` });
    }
    if (action === 'break-circuits') refs(problems, i, 'breakers', params.breakers, breakers, 'breaker');
    if (action === 'start-regulatory-clocks') refs(problems, i, 'regimes', params.regimes, Object.keys(regimes), 'regime');
    if (action === 'forensics') forensicsSeen = true;
    if (action === 'preserve-evidence' && !forensicsSeen) {
      problems.push({ path: ['steps', i], key: 'action', message: 'preserve-evidence needs a forensics step before it' });
    }
    if (action === 'close' && i !== steps.length - 1) {
      problems.push({ path: ['steps', i], key: 'action', message: 'close must be the last step' });
    }
  });
  return problems;
}

function refs(problems: SemanticProblem[], step: number, param: string, value: unknown, defined: string[], what: string): void {
  if (!Array.isArray(value)) return;
  value.forEach((name, j) => {
    if (typeof name === 'string' && !defined.includes(name)) {
      const known = defined.length > 0 ? defined.join(', ') : 'none';
      problems.push({ path: ['steps', step, 'with', param, j], message: `unknown ${what} "${name}" (defined: ${known})` });
    }
  });
}

function tryDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return parseDuration(value);
  } catch {
    return undefined;
  }
}
