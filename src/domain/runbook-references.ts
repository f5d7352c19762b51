import type { Alert } from './alert';
import { actionDefinition, outputsOf, paramProperties, type ActionOutputType, type JsonSchema } from './action-registry';
import type { StepOutputValue, StepOutputValues } from './events';

/**
 * References between runbook steps (issue 17, item 4). A parameter value, a list item or a map
 * value of a step's `with` may be, as its whole string value, one of
 *
 * - `${{ steps.<step-id>.outputs.<name> }}`: an output an EARLIER step's action declares;
 * - `${{ alert.<field> }}`: a field of the alert that opened the incident (see {@link ALERT_REFERENCE_FIELDS});
 * - `${{ alert.fields.<name> }}`: a field ingress kept on the alert (`Alert.fields`).
 *
 * The loader checks them against the registry ({@link referenceProblems}); the workflow resolves
 * them right before the step runs ({@link resolveParams}) and, in a dry run, shows what is not yet
 * known as the reference's text ({@link planParams}). Pure: workflows import this module.
 */

/** Any string that looks like a reference is judged as one: a typo must not pass as a literal. */
const REFERENCE_MARK = '${{';
const WHOLE = /^\$\{\{\s*(.*?)\s*\}\}$/;
const STEP_OUTPUT = /^steps\.([a-z][a-z0-9-]*)\.outputs\.([A-Za-z][A-Za-z0-9_-]*)$/;
const ALERT_FIELD = /^alert\.fields\.([A-Za-z0-9_@][A-Za-z0-9_.@-]*)$/;
const ALERT = /^alert\.([A-Za-z]+)$/;

/** Schema pattern of a reference as a whole string value (the JSON Schema's `reference` definition). */
export const REFERENCE_PATTERN = '^\\$\\{\\{.*\\}\\}$';

/**
 * The alert's own fields a reference may read, all text. `fields.<name>` reads `Alert.fields`:
 * the alert-document fields some runbook's `serves` rules name, and every field of a generic
 * JSON alert's `fields` object.
 */
export const ALERT_REFERENCE_FIELDS = ['source', 'alertId', 'rule', 'severity', 'title', 'principal', 'asset', 'observedAt', 'suspectedSince'] as const;
type AlertReferenceField = (typeof ALERT_REFERENCE_FIELDS)[number];

/** A parsed reference; `text` is the value as the runbook wrote it. */
export type Reference =
  | { kind: 'step'; step: string; output: string; text: string }
  | { kind: 'alert'; field: AlertReferenceField; text: string }
  | { kind: 'alert-field'; name: string; text: string };

/** Whether a value is meant as a reference (it holds `${{`), well formed or not. */
export function looksLikeReference(value: unknown): value is string {
  return typeof value === 'string' && value.includes(REFERENCE_MARK);
}

/** Parses a reference, or says what is wrong with it. */
export function parseReference(text: string): { ok: true; ref: Reference } | { ok: false; message: string } {
  const whole = WHOLE.exec(text.trim());
  if (whole === null) return { ok: false, message: `${JSON.stringify(text)}: a reference must be the whole value, written \${{ steps.<id>.outputs.<name> }} or \${{ alert.<field> }}` };
  const expr = whole[1] ?? '';
  const step = STEP_OUTPUT.exec(expr);
  if (step !== null) return { ok: true, ref: { kind: 'step', step: step[1] ?? '', output: step[2] ?? '', text } };
  const field = ALERT_FIELD.exec(expr);
  if (field !== null) return { ok: true, ref: { kind: 'alert-field', name: field[1] ?? '', text } };
  const alert = ALERT.exec(expr);
  if (alert !== null && (ALERT_REFERENCE_FIELDS as readonly string[]).includes(alert[1] ?? '')) {
    return { ok: true, ref: { kind: 'alert', field: alert[1] as AlertReferenceField, text } };
  }
  if (alert !== null || expr.startsWith('alert.')) {
    return { ok: false, message: `${text}: the alert has no field "${expr.slice('alert.'.length)}" (known: ${ALERT_REFERENCE_FIELDS.join(', ')}, fields.<name>)` };
  }
  return { ok: false, message: `${text}: not a reference; write \${{ steps.<id>.outputs.<name> }} or \${{ alert.<field> }}` };
}

/** Where a reference sits in a step's `with`, and the schema of that position. */
export interface ReferenceSite {
  /** Path inside `with`: `[param]`, `[param, index]` or `[param, key]`. */
  path: Array<string | number>;
  text: string;
  /** Schema of the position (the param's, its `items` or its map value's); undefined when unknown. */
  schema: JsonSchema | undefined;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const schemaOf = (v: unknown): JsonSchema | undefined => (isObj(v) ? v : undefined);

/**
 * Every reference-looking value in a step's params, with its position's schema. Values nested
 * deeper than a list item or map value are returned with `deep: true`: references are not read there.
 */
export function referenceSites(action: string, params: unknown): Array<ReferenceSite & { deep?: true }> {
  if (!isObj(params)) return [];
  const props = paramProperties(action);
  const sites: Array<ReferenceSite & { deep?: true }> = [];
  const deep = (value: unknown, path: Array<string | number>): void => {
    if (looksLikeReference(value)) sites.push({ path, text: value, schema: undefined, deep: true });
    else if (Array.isArray(value)) value.forEach((v, i) => deep(v, [...path, i]));
    else if (isObj(value)) for (const [k, v] of Object.entries(value)) deep(v, [...path, k]);
  };
  for (const [name, value] of Object.entries(params)) {
    const schema = props[name];
    if (looksLikeReference(value)) sites.push({ path: [name], text: value, schema });
    else if (Array.isArray(value)) {
      value.forEach((item, i) => (looksLikeReference(item) ? sites.push({ path: [name, i], text: item, schema: schemaOf(schema?.items) }) : deep(item, [name, i])));
    } else if (isObj(value)) {
      for (const [key, item] of Object.entries(value)) {
        const itemSchema = schemaOf(schemaOf(schema?.properties)?.[key]) ?? schemaOf(schema?.additionalProperties);
        if (looksLikeReference(item)) sites.push({ path: [name, key], text: item, schema: itemSchema });
        else deep(item, [name, key]);
      }
    }
  }
  return sites;
}

/** Params read when the incident opens, before any step runs: a reference there could never resolve. */
const READ_AT_OPEN: ReadonlySet<string> = new Set(['contain.principal', 'notify.channel']);

const typesOf = (schema: JsonSchema): string[] => (Array.isArray(schema.type) ? schema.type.map(String) : typeof schema.type === 'string' ? [schema.type] : []);

/** What a position takes, in words: `a string`, `a list of strings`, `a boolean`. */
function takes(schema: JsonSchema): string {
  if (schema.enum !== undefined || schema.const !== undefined) return 'one of fixed values';
  const t = typesOf(schema);
  if (t.includes('array')) return 'a list';
  if (t.includes('object')) return 'a map';
  return t.length > 0 ? `a${/^[aeiou]/.test(t[0] ?? '') ? 'n' : ''} ${t.join(' or ')}` : 'any value';
}

/** Whether a value of `type` fits the position's schema; undefined when it does, else why not. */
export function typeProblem(type: ActionOutputType, schema: JsonSchema | undefined): string | undefined {
  if (schema === undefined) return undefined;
  if (schema.enum !== undefined || schema.const !== undefined) return 'takes one of fixed values, which a reference cannot promise';
  const t = typesOf(schema);
  const stringsIn = (inner: unknown): boolean => {
    const s = schemaOf(inner);
    return s === undefined || (typesOf(s).includes('string') && s.enum === undefined && s.const === undefined);
  };
  const fits =
    type === 'string' ? t.includes('string') : type === 'string-list' ? t.includes('array') && stringsIn(schema.items) : t.includes('object') && stringsIn(schema.additionalProperties);
  if (fits) return undefined;
  const sameContainer = (type === 'string-list' && t.includes('array')) || (type === 'string-map' && t.includes('object'));
  return `is a ${type}, but this parameter takes ${takes(schema)}${sameContainer ? ' of other values' : ''}`;
}

/** A step as {@link referenceProblems} reads it from runbook data of unknown shape. */
interface StepLike {
  id?: unknown;
  action?: unknown;
  with?: unknown;
}

/** One problem with a reference, located by its path in the runbook document. */
export interface ReferenceProblem {
  path: Array<string | number>;
  message: string;
}

/**
 * Checks every reference of every step: well formed, where a reference may stand, naming an
 * earlier step whose action declares the output, of a type the parameter takes. Steps whose
 * action is unknown are skipped (the schema reports them).
 */
export function referenceProblems(steps: readonly unknown[]): ReferenceProblem[] {
  const problems: ReferenceProblem[] = [];
  const ids = steps.map((s) => (isObj(s) && typeof s.id === 'string' ? s.id : undefined));
  steps.forEach((raw, i) => {
    if (!isObj(raw)) return;
    const step = raw as StepLike;
    if (typeof step.action !== 'string' || actionDefinition(step.action) === undefined) return;
    const action = step.action;
    for (const site of referenceSites(action, step.with)) {
      const path = ['steps', i, 'with', ...site.path];
      const problem = siteProblem(action, site, i, steps, ids);
      if (problem !== undefined) problems.push({ path, message: problem });
    }
  });
  return problems;
}

function siteProblem(action: string, site: ReferenceSite & { deep?: true }, index: number, steps: readonly unknown[], ids: ReadonlyArray<string | undefined>): string | undefined {
  const parsed = parseReference(site.text);
  if (!parsed.ok) return parsed.message;
  const { ref } = parsed;
  if (site.deep === true) return `${ref.text}: a reference may be a parameter's value, a list item or a map value, not nested deeper`;
  const param = `${action}.${String(site.path[0])}`;
  if (site.path.length === 1 && READ_AT_OPEN.has(param)) return `${ref.text}: ${param} is read when the incident opens, before any step runs; it cannot be a reference`;
  if (ref.kind !== 'step') {
    const mismatch = typeProblem('string', site.schema);
    return mismatch === undefined ? undefined : `${ref.text} ${mismatch}`;
  }
  const at = ids.indexOf(ref.step);
  if (at < 0) {
    const earlier = ids.slice(0, index).filter((id): id is string => id !== undefined);
    return `${ref.text}: no step "${ref.step}" (earlier steps: ${earlier.join(', ') || 'none'})`;
  }
  if (at >= index) return `${ref.text}: step "${ref.step}" ${at === index ? 'is this step' : 'runs later'}; a reference reads an earlier step's outputs`;
  const target = steps[at] as StepLike;
  const targetAction = typeof target.action === 'string' ? target.action : '';
  const declared = outputsOf(targetAction);
  const output = declared[ref.output];
  if (output === undefined) {
    const names = Object.keys(declared);
    return `${ref.text}: step "${ref.step}" (${targetAction}) has no output "${ref.output}" (outputs: ${names.join(', ') || 'none'})`;
  }
  const mismatch = typeProblem(output.type, site.schema);
  return mismatch === undefined ? undefined : `${ref.text} ${mismatch}`;
}

/** What resolution reads: the incident's steps (folded state) and the alert that opened it. */
export interface ReferenceContext {
  readonly steps: ReadonlyArray<{ readonly id: string; readonly action: string; readonly status: string; readonly outputs?: StepOutputValues }>;
  readonly alert: Alert;
}

/** A reference that could not be resolved: where it is and why (the step fails with it). */
export class UnresolvedReference extends Error {
  constructor(
    readonly path: ReadonlyArray<string | number>,
    readonly reason: string,
  ) {
    super(`with.${path.map(String).join('.')}: ${reason}`);
    this.name = 'UnresolvedReference';
  }
}

function shapeOf(value: unknown): ActionOutputType | undefined {
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return 'string-list';
  if (isObj(value) && Object.values(value).every((v) => typeof v === 'string')) return 'string-map';
  return undefined;
}

/** The value of one reference, or why there is none. */
function valueOf(ref: Reference, ctx: ReferenceContext): { value: StepOutputValue } | { reason: string } {
  if (ref.kind === 'alert') {
    const value = ctx.alert[ref.field];
    return typeof value === 'string' ? { value } : { reason: `${ref.text}: the alert that opened the incident has no ${ref.field}` };
  }
  if (ref.kind === 'alert-field') {
    const value = ctx.alert.fields?.[ref.name];
    return value !== undefined ? { value } : { reason: `${ref.text}: the alert that opened the incident has no field "${ref.name}"` };
  }
  const step = ctx.steps.find((s) => s.id === ref.step);
  if (step === undefined) return { reason: `${ref.text}: the incident has no step "${ref.step}"` };
  const value = step.outputs?.[ref.output];
  if (step.status !== 'completed' && value === undefined) return { reason: `${ref.text}: step "${ref.step}" is ${step.status}, so it produced no outputs` };
  if (value === undefined) return { reason: `${ref.text}: step "${ref.step}" completed without output "${ref.output}"` };
  const declared = outputsOf(step.action)[ref.output]?.type;
  if (declared !== undefined && shapeOf(value) !== declared) return { reason: `${ref.text}: step "${ref.step}" produced a value that is not a ${declared}` };
  return { value };
}

/** A copy of the params with each reference replaced as `replace` says. */
function mapReferences(action: string, params: Record<string, unknown>, replace: (site: ReferenceSite) => unknown): Record<string, unknown> {
  const sites = referenceSites(action, params).filter((s) => s.deep !== true);
  if (sites.length === 0) return params;
  const copy = JSON.parse(JSON.stringify(params)) as Record<string, unknown>;
  for (const site of sites) {
    const [name, inner] = site.path;
    const value = replace(site);
    if (inner === undefined) copy[String(name)] = value;
    else (copy[String(name)] as Record<string | number, unknown>)[inner] = value;
  }
  return copy;
}

/**
 * The params with every reference replaced by its value, right before the step runs. Params
 * without references come back as they are (the same object). Throws {@link UnresolvedReference}
 * for the first reference that has no value (a skipped step, an alert without the field).
 */
export function resolveParams(action: string, params: Record<string, unknown>, ctx: ReferenceContext): Record<string, unknown> {
  return mapReferences(action, params, (site) => {
    const parsed = parseReference(site.text);
    if (!parsed.ok) throw new UnresolvedReference(site.path, parsed.message);
    const found = valueOf(parsed.ref, ctx);
    if ('reason' in found) throw new UnresolvedReference(site.path, found.reason);
    return found.value;
  });
}

/**
 * The params as a dry run shows them: references with a value already known (the alert, steps
 * that ran) resolved, the others kept as their text, shaped as the parameter takes it (a list
 * of one, a map of one) so the plan reads `${{ steps.find.outputs.firstOffsets }}` where the
 * value will go. `ctx` absent (docs, golden plans): every reference stays text.
 */
export function planParams(action: string, params: Record<string, unknown>, ctx?: ReferenceContext): Record<string, unknown> {
  return mapReferences(action, params, (site) => {
    const parsed = parseReference(site.text);
    if (parsed.ok && ctx !== undefined) {
      const found = valueOf(parsed.ref, ctx);
      if ('value' in found) return found.value;
    }
    const t = site.schema !== undefined ? typesOf(site.schema) : [];
    if (t.includes('array') && !t.includes('string')) return [site.text];
    if (t.includes('object') && !t.includes('string')) return { '…': site.text };
    return site.text;
  });
}

/**
 * The outputs a step records: those its action declares, of the declared type. Anything else an
 * activity returned is dropped, so a later reference reads only what the registry promised.
 * Undefined when none is left (the `StepCompleted` of an action without outputs stays as it was).
 */
export function declaredOutputs(action: string, outputs: StepOutputValues | undefined): StepOutputValues | undefined {
  if (outputs === undefined) return undefined;
  const declared = outputsOf(action);
  const kept = Object.entries(outputs).filter(([name, value]) => declared[name] !== undefined && shapeOf(value) === declared[name]?.type);
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}
