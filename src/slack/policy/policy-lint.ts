import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as CedarModule from '@cedar-policy/cedar-wasm/nodejs';
import { createPolicyEngine, POLICY_SCHEMA_FILE, type PolicyEngine, type PolicySources } from './cedar-policy';
import { OPS_ACTIONS, OPS_ROLES, type OpsRole } from './roles';

// The package's CommonJS build loads its wasm synchronously (see cedar-policy.ts).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cedar = require('@cedar-policy/cedar-wasm/nodejs') as typeof CedarModule;

/**
 * Checks of a policy pack for `breachline runbook lint` (issue 17, item 5). Unlike the engine,
 * which stops at the first broken file, this reports every problem of every file with its line
 * and column: Cedar syntax and strict validation against the schema, and the ids that the schema
 * cannot catch because Cedar entity ids are free text: roles and actions breachline does not have.
 */

/** One problem in a policy file; `file` is the path as given to {@link lintPolicyPack}'s `dir`. */
export interface PolicyProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** A pack as lint read it: its sources and, when they are valid, an engine to ask. */
export interface LintedPack {
  problems: PolicyProblem[];
  /** Absent when any file of the pack has a problem that stops the engine. */
  sources?: PolicySources;
}

/**
 * Lints the pack in `dir`: its `schema.cedarschema`, or `fallbackSchema` (the default pack's) when
 * it has none.
 */
export function lintPolicyPack(dir: string, fallbackSchema?: { file: string; text: string }): LintedPack {
  if (!existsSync(dir)) return { problems: [{ file: dir, line: 1, column: 1, message: 'policy folder does not exist' }] };
  const schemaFile = join(dir, POLICY_SCHEMA_FILE);
  const schema = existsSync(schemaFile) ? { file: schemaFile, text: readFileSync(schemaFile, 'utf8') } : fallbackSchema;
  if (schema === undefined) return { problems: [{ file: schemaFile, line: 1, column: 1, message: 'missing: the default pack must hold the Cedar schema' }] };
  const problems: PolicyProblem[] = [];
  const parsedSchema = cedar.checkParseSchema(schema.text);
  if (parsedSchema.type === 'failure') {
    for (const e of parsedSchema.errors) problems.push(located(schema.file, schema.text, e));
    return { problems };
  }
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.cedar'))
    .map((d) => d.name)
    .sort();
  const files = names.map((name) => ({ file: name, text: readFileSync(join(dir, name), 'utf8') }));
  for (const { file, text } of files) problems.push(...lintPolicyText(join(dir, file), text, schema.text));
  return problems.length > 0 ? { problems } : { problems, sources: { schema: schema.text, files } };
}

/** Every problem of one policy file, in file order, one per position. */
export function lintPolicyText(path: string, text: string, schema: string): PolicyProblem[] {
  const parsed = cedar.policySetTextToParts(text);
  if (parsed.type === 'failure') return parsed.errors.map((e) => located(path, text, e));
  const problems = [...unknownIds(path, text)];
  const validated = cedar.validate({ schema, policies: { staticPolicies: text }, validationSettings: { mode: 'strict' } });
  if (validated.type === 'failure') problems.push(...validated.errors.map((e) => located(path, text, e)));
  else problems.push(...validated.validationErrors.map((e) => located(path, text, e.error)));
  const seen = new Set<string>();
  return problems
    .sort((a, b) => a.line - b.line || a.column - b.column)
    .filter((p) => {
      const at = `${p.line}:${p.column}`;
      if (seen.has(at)) return false;
      seen.add(at);
      return true;
    });
}

const KNOWN: Readonly<Record<'Role' | 'Action', readonly string[]>> = { Role: OPS_ROLES, Action: OPS_ACTIONS };

/** `Role::"x"` and `Action::"x"` whose id breachline does not know, outside comments. */
function unknownIds(path: string, text: string): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const code = text.replace(/\/\/[^\n]*/g, (comment) => ' '.repeat(comment.length));
  for (const m of code.matchAll(/\b(Role|Action)\s*::\s*"((?:[^"\\]|\\.)*)"/g)) {
    const kind = m[1] as 'Role' | 'Action';
    const id = m[2] ?? '';
    if (KNOWN[kind].includes(id)) continue;
    const pos = lineColumn(text, m.index ?? 0);
    const known = KNOWN[kind].join(', ');
    problems.push({ file: path, ...pos, message: `unknown ${kind === 'Role' ? 'role' : 'action'} "${id}" (known: ${known})` });
  }
  return problems;
}

function located(path: string, text: string, error: CedarModule.DetailedError): PolicyProblem {
  // Cedar reports byte offsets into the UTF-8 text.
  const start = error.sourceLocations?.[0]?.start ?? 0;
  const chars = Buffer.from(text, 'utf8').subarray(0, start).toString('utf8').length;
  const label = error.sourceLocations?.[0]?.label;
  const detail = [label, error.help].filter((s): s is string => typeof s === 'string' && s !== '').join('; ');
  return { file: path, ...lineColumn(text, chars), message: `Cedar: ${error.message}${detail ? ` (${detail})` : ''}` };
}

function lineColumn(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
}

/**
 * The roles that may approve a step gated on `stepRole` under the pack: the pack's engine asked
 * for a user of each role. Empty means nobody can ever decide that step.
 */
export function approvers(sources: PolicySources, stepRole: string): OpsRole[] {
  const roles = Object.fromEntries(OPS_ROLES.map((r) => [`lint-${r}`, r])) as Record<string, OpsRole>;
  const engine: PolicyEngine = createPolicyEngine(sources, roles);
  return OPS_ROLES.filter((r) => engine.decide({ userId: `lint-${r}`, action: 'approve', incidentId: 'lint', stepRole }).allowed);
}
