import { BUILTIN_REGIMES } from './regimes/builtin';
import { checkEntity } from './regimes/holidays';
import { RegimeInputError } from './regimes/errors';
import { stageDefinitionSchema } from './regimes/schema';
import { isActionName, isCompensable } from './action-registry';
import { TEMPLATE_PLACEHOLDERS, unknownPlaceholders } from './notify-template';
import { patternProblem } from './runbook-routing';
import { looksLikeReference, referenceProblems } from './runbook-references';
import { WAIT_FOR_ACTION } from '../actions/wait-for';

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
 * breakers, placeholders of notify templates, regimes that are built in or bring valid stages, `compensate` only on undoable
 * actions, and step order constraints (evidence needs a forensic window; close comes last).
 * Defensive about shape: whatever the schema already rejects is skipped here, not re-reported.
 */
export function runbookSemanticProblems(data: unknown): SemanticProblem[] {
  if (!isObj(data)) return [];
  const problems: SemanticProblem[] = [];
  const breakers = isObj(data.breakers) ? Object.keys(data.breakers) : [];
  const regimes = isObj(data.regimes) ? data.regimes : {};

  for (const [name, regime] of Object.entries(regimes)) {
    if (isObj(regime)) problems.push(...regimeProblems(name, regime), ...entityProblems(regime.entity, ['regimes', name, 'entity']));
  }
  problems.push(...entityProblems(data.entity));
  // Routing as data (issue 17).
  problems.push(...servesProblems(data.serves));

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
    if (step.compensate === true && !isCompensable(action)) {
      problems.push({ path: ['steps', i], key: 'compensate', message: `${action} cannot be undone; remove compensate` });
    }
    if (action === 'break-circuits') refs(problems, i, 'breakers', params.breakers, breakers, 'breaker');
    if (action === 'notify' && typeof params.template === 'string' && !looksLikeReference(params.template)) {
      const unknown = unknownPlaceholders(params.template);
      if (unknown.length > 0) {
        const list = unknown.map((n) => `{${n}}`).join(', ');
        problems.push({ path: ['steps', i, 'with', 'template'], message: `unknown placeholder ${list} (known: ${TEMPLATE_PLACEHOLDERS.map((n) => `{${n}}`).join(', ')})` });
      }
    }
    // wait-for (issue 17): the timeout answer and the stopping answers must be answers one can give.
    if (action === WAIT_FOR_ACTION) problems.push(...waitForProblems(i, params));
    if (action === 'forensics') forensicsSeen = true;
    if (action === 'preserve-evidence' && !forensicsSeen) {
      problems.push({ path: ['steps', i], key: 'action', message: 'preserve-evidence needs a forensics step before it' });
    }
    if (action === 'close' && i !== steps.length - 1) {
      problems.push({ path: ['steps', i], key: 'action', message: 'close must be the last step' });
    }
  });
  // Step outputs and references (issue 17, item 4).
  for (const p of referenceProblems(steps)) problems.push({ path: p.path, message: p.message });
  return problems;
}

/** `onTimeout` and every `stopOn` answer of a wait-for step must be among its `options`. */
function waitForProblems(step: number, params: Obj): SemanticProblem[] {
  const options = Array.isArray(params.options) ? params.options.filter((o): o is string => typeof o === 'string') : ['proceed', 'stop'];
  const problems: SemanticProblem[] = [];
  if (typeof params.onTimeout === 'string' && !options.includes(params.onTimeout)) {
    problems.push({ path: ['steps', step, 'with', 'onTimeout'], message: `"${params.onTimeout}" is not one of the options (${options.join(', ')})` });
  }
  const stopOn = Array.isArray(params.stopOn) ? params.stopOn : [];
  stopOn.forEach((a, j) => {
    if (typeof a === 'string' && !options.includes(a)) problems.push({ path: ['steps', step, 'with', 'stopOn', j], message: `"${a}" is not one of the options (${options.join(', ')})` });
  });
  return problems;
}

/** Every `matches` of `serves.when` must compile; the problem points at the pattern itself. */
function servesProblems(serves: unknown): SemanticProblem[] {
  if (!isObj(serves) || !Array.isArray(serves.when)) return [];
  const problems: SemanticProblem[] = [];
  const check = (matcher: unknown, path: PathSegment[]): void => {
    if (!isObj(matcher) || typeof matcher.matches !== 'string') return;
    const problem = patternProblem(matcher.matches);
    if (problem !== undefined) problems.push({ path: [...path, 'matches'], message: problem });
  };
  serves.when.forEach((rule, i) => {
    if (!isObj(rule)) return;
    check(rule.rule, ['serves', 'when', i, 'rule']);
    if (isObj(rule.fields)) for (const [name, m] of Object.entries(rule.fields)) check(m, ['serves', 'when', i, 'fields', name]);
  });
  return problems;
}

function refs(problems: SemanticProblem[], step: number, param: string, value: unknown, defined: string[], what: string): void {
  if (!Array.isArray(value)) return;
  value.forEach((name, j) => {
    if (typeof name === 'string' && !defined.includes(name) && !looksLikeReference(name)) {
      const known = defined.length > 0 ? defined.join(', ') : 'none';
      problems.push({ path: ['steps', step, 'with', param, j], message: `unknown ${what} "${name}" (defined: ${known})` });
    }
  });
}

/** The entity's zone and country must be ones the calculator knows (an IANA zone, a country with holidays). */
function entityProblems(entity: unknown, path: Array<string | number> = ['entity']): SemanticProblem[] {
  if (!isObj(entity) || typeof entity.country !== 'string' || typeof entity.timeZone !== 'string') return [];
  try {
    checkEntity({ country: entity.country, timeZone: entity.timeZone, weekendRelief: entity.weekendRelief === true });
    return [];
  } catch (err) {
    if (!(err instanceof RegimeInputError)) throw err;
    return [{ path: [...path, err.field], plain: true, message: `${path.join('.')}.${err.field}: ${err.message}` }];
  }
}

/**
 * A regime is a built-in id or brings its own stages; each stage must match the calculator's stage
 * schema, stage names are unique, and `filed:<stage>` anchors name an earlier stage.
 */
function regimeProblems(name: string, regime: Obj): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const builtIn = Object.prototype.hasOwnProperty.call(BUILTIN_REGIMES, name);
  if (regime.stages === undefined) {
    if (!builtIn) {
      const known = Object.keys(BUILTIN_REGIMES).join(', ');
      problems.push({ path: ['regimes'], key: name, plain: true, message: `regime "${name}" is not built in (${known}): give it its own stages` });
    }
    return problems;
  }
  if (!Array.isArray(regime.stages)) return problems;
  const earlier = new Set<string>();
  regime.stages.forEach((stage, i) => {
    const path = ['regimes', name, 'stages', i];
    const parsed = stageDefinitionSchema.safeParse(stage);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.join('.');
        problems.push({ path: [...path, ...issue.path.filter((p): p is string | number => typeof p !== 'symbol')], plain: true, message: `regime "${name}" stage ${i + 1}${field ? ` ${field}` : ''}: ${issue.message}` });
      }
      return;
    }
    const def = parsed.data;
    if (earlier.has(def.name)) problems.push({ path, key: 'name', plain: true, message: `regime "${name}": duplicate stage "${def.name}"` });
    for (const anchor of [def.anchor, def.bound?.anchor]) {
      if (anchor?.startsWith('filed:') && !earlier.has(anchor.slice('filed:'.length))) {
        problems.push({ path, key: 'anchor', plain: true, message: `regime "${name}" stage "${def.name}": anchor ${anchor} does not name an earlier stage` });
      }
    }
    earlier.add(def.name);
  });
  return problems;
}
