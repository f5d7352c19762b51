import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { DomainError } from './errors';
import type { Runbook } from './runbook';
import { runbookSemanticProblems, type PathSegment } from './runbook-checks';
import { DURATION_PATTERN, NAME_PATTERN, PRINCIPAL_PATTERN } from './runbook-actions';
import { runbookSchema } from './runbook-schema';
import { withHolidays } from './regimes/holidays';

/**
 * Reads and validates runbook YAML. Runs outside workflows (it reads files and uses ajv, yaml and
 * node:crypto); the workflow receives the validated runbook and its content hash as data.
 */

/** One thing wrong with a runbook file, located in it. */
export interface RunbookProblem {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  message: string;
}

/** A runbook that failed to load, with every problem found (not just the first). */
export class RunbookValidationError extends DomainError {
  constructor(readonly problems: readonly RunbookProblem[]) {
    super('RUNBOOK_INVALID', problems.map(formatProblem).join('\n'));
  }

  /** `file:line: message`, one per problem, in file order. */
  get lines(): string[] {
    return this.problems.map(formatProblem);
  }
}

/** A validated runbook with what identifies the exact text it came from. */
export interface LoadedRunbook {
  runbook: Runbook;
  /** sha256 of the file bytes, hex: incidents pin the runbook by it. */
  contentHash: string;
  /** The YAML text, so the hash can be re-checked wherever the runbook travels. */
  source: string;
  /** File name without directories, as used in problem messages. */
  file: string;
}

/** `kafka-exfiltration.yaml:42: duplicate step id "contain"`. */
export function formatProblem(p: RunbookProblem): string {
  return `${p.file}:${p.line}: ${p.message}`;
}

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  compiled ??= new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false }).compile(runbookSchema());
  return compiled;
}

/**
 * Parses and validates runbook text. `fileName` is used in messages (directories dropped).
 * Throws `RunbookValidationError` listing every problem: YAML syntax, unknown actions and keys,
 * bad parameters, duplicate step ids, references to undefined breakers or regimes.
 */
export function parseRunbook(content: string | Uint8Array, fileName: string): LoadedRunbook {
  const file = basename(fileName);
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
  const source = bytes.toString('utf8');
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number, message: string): RunbookProblem => {
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line, column: pos.col, message };
  };

  if (doc.errors.length > 0) {
    throw new RunbookValidationError(doc.errors.map((e) => at(e.pos[0], `YAML: ${e.message.split('\n')[0]}`)));
  }
  const data: unknown = doc.toJS();
  const problems: RunbookProblem[] = [];
  const validate = validator();
  if (!validate(data)) {
    for (const error of withoutReferenceBranch(validate.errors ?? [])) {
      const problem = describeSchemaError(error, data, doc);
      if (problem !== undefined) problems.push(at(problem.offset, problem.message));
    }
  }
  for (const p of runbookSemanticProblems(data)) {
    problems.push(at(offsetOf(doc, p.path, p.key), `${p.plain ? '' : where(p.path, data)}${p.message}`));
  }
  if (problems.length > 0) throw new RunbookValidationError(sortUnique(problems));

  const runbook = data as Runbook;
  runbook.regimes ??= {};
  runbook.breakers ??= {};
  attachHolidays(runbook);
  return { runbook, contentHash: createHash('sha256').update(bytes).digest('hex'), source, file };
}

/** Reads and validates one runbook file. */
export async function loadRunbookFile(path: string): Promise<LoadedRunbook> {
  return parseRunbook(await readFile(path), path);
}

/**
 * Loads every `*.yaml` / `*.yml` runbook of a directory, reporting the problems of all files at
 * once; two files claiming the same id and version are a problem too.
 */
export async function loadRunbookDir(dir: string): Promise<LoadedRunbook[]> {
  const names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  const loaded: LoadedRunbook[] = [];
  const problems: RunbookProblem[] = [];
  for (const name of names) {
    try {
      loaded.push(await loadRunbookFile(join(dir, name)));
    } catch (error) {
      if (!(error instanceof RunbookValidationError)) throw error;
      problems.push(...error.problems);
    }
  }
  const seen = new Map<string, string>();
  for (const l of loaded) {
    const key = `${l.runbook.id}@${l.runbook.version}`;
    const other = seen.get(key);
    if (other !== undefined) problems.push({ file: l.file, line: 1, column: 1, message: `runbook ${l.runbook.id} version ${l.runbook.version} is also defined in ${other}` });
    seen.set(key, l.file);
  }
  if (problems.length > 0) throw new RunbookValidationError(problems);
  return loaded;
}

function describeSchemaError(error: ErrorObject, data: unknown, doc: Document): { offset: number; message: string } | undefined {
  const path = pointerSegments(error.instancePath);
  const value = valueAt(data, path);
  const w = where(path, data);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'if':
      // Reported through the `then` branch's own errors.
      return undefined;
    case 'propertyNames':
      return undefined;
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      return { offset: offsetOf(doc, path, key), message: `${w}unknown key "${key}"` };
    }
    case 'required':
      return { offset: offsetOf(doc, path), message: `${w}missing required key "${String(params.missingProperty)}"` };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String).join(', ');
      if (path.length === 3 && path[0] === 'steps' && path[2] === 'action') {
        return { offset: offsetOf(doc, path), message: `unknown action ${JSON.stringify(value)} (registered: ${allowed})` };
      }
      return { offset: offsetOf(doc, path), message: `${w}must be one of ${allowed} (got ${JSON.stringify(value)})` };
    }
    case 'const':
      return { offset: offsetOf(doc, path), message: `${w}must be ${JSON.stringify(params.allowedValue)}` };
    case 'type':
      return { offset: offsetOf(doc, path), message: `${w}must be ${String(params.type)} (got ${describe(value)})` };
    case 'pattern': {
      const name = (error as ErrorObject & { propertyName?: string }).propertyName;
      if (name !== undefined) {
        return { offset: offsetOf(doc, path, name), message: `${w}name "${name}" ${patternText(String(params.pattern))}` };
      }
      return { offset: offsetOf(doc, path), message: `${w}${patternText(String(params.pattern))} (got ${JSON.stringify(value)})` };
    }
    case 'not':
      return { offset: offsetOf(doc, path), message: `${w}must not be ${JSON.stringify(value)}` };
    default:
      return { offset: offsetOf(doc, path), message: `${w}${error.message ?? error.keyword}` };
  }
}

// Step outputs and references (issue 17, item 4).
/**
 * A param value that is neither valid nor a reference fails both branches of its
 * `anyOf: [param, reference]`: only the param's own errors are worth reading.
 */
function withoutReferenceBranch(errors: readonly ErrorObject[]): ErrorObject[] {
  return errors.filter((e) => !e.schemaPath.startsWith('#/$defs/reference/') && !(e.keyword === 'anyOf' && /^\/steps\/\d+\/with\//.test(e.instancePath)));
}

function patternText(pattern: string): string {
  if (pattern === DURATION_PATTERN) return 'must be a duration such as 36h, 90m or P3D';
  if (pattern === NAME_PATTERN) return 'must be lowercase letters, digits and dashes, starting with a letter';
  if (pattern === PRINCIPAL_PATTERN) return 'must be a Kafka principal such as User:name';
  if (pattern === '\\{account\\}') return 'must contain {account}';
  return `must match /${pattern}/`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'string' ? `"${value}"` : typeof value === 'object' ? 'object' : `${typeof value} ${String(value)}`;
}

/** A readable location: `step "contain" with.scope: `, `regimes.gdpr: `, or nothing at the root. */
function where(path: readonly PathSegment[], data: unknown): string {
  if (path.length === 0) return '';
  let head: string;
  let rest: readonly PathSegment[];
  if (path[0] === 'steps' && typeof path[1] === 'number') {
    const id = valueAt(data, ['steps', path[1], 'id']);
    head = typeof id === 'string' ? `step "${id}"` : `steps[${path[1]}]`;
    rest = path.slice(2);
  } else {
    head = '';
    rest = path;
  }
  const tail = rest.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
  return `${[head, tail].filter(Boolean).join(' ')}: `;
}

function pointerSegments(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let v = data;
  for (const s of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[s];
  }
  return v;
}

/** Source offset of the node at `path` (or of the key `key` inside it); falls back to its parents. */
function offsetOf(doc: Document, path: readonly PathSegment[], key?: string): number {
  for (let n = path.length; n >= 0; n--) {
    const node = (n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)) as Node | null | undefined;
    if (node === null || node === undefined) continue;
    if (key !== undefined && n === path.length && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
      const keyNode = pair?.key as Node | undefined;
      if (keyNode?.range) return keyNode.range[0];
    }
    if (node.range) return node.range[0];
  }
  return 0;
}

function sortUnique(problems: RunbookProblem[]): RunbookProblem[] {
  const seen = new Set<string>();
  return problems
    .sort((a, b) => a.line - b.line || a.column - b.column)
    .filter((p) => {
      const k = `${p.line}:${p.column}:${p.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
}

/**
 * Writes each calendar's public holidays (last year to two years ahead) into the runbook, so an
 * incident's workflow computes business days from dates recorded in its own input: replay never
 * depends on the holiday library, and the workflow bundle does not carry every country's calendar.
 */
function attachHolidays(runbook: Runbook, now = new Date()): void {
  const from = now.getUTCFullYear() - 1;
  if (runbook.entity !== undefined) runbook.entity = withHolidays(runbook.entity, from, 4);
  for (const rule of Object.values(runbook.regimes)) if (rule.entity !== undefined) rule.entity = withHolidays(rule.entity, from, 4);
}

// Runbook lint (issue 17).
/**
 * Line and column (1-based) of the node at `path` in runbook text (or of the key `key` inside
 * it), falling back to its nearest parent that exists: how lint points at a value it judged.
 */
export function positionOf(source: string, path: readonly PathSegment[], key?: string): { line: number; column: number } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false });
  const pos = lineCounter.linePos(offsetOf(doc, path, key));
  return { line: pos.line, column: pos.col };
}
