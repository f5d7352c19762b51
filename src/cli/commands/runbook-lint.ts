import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseRunbook, positionOf, RunbookValidationError, type LoadedRunbook } from '../../domain/runbook-loader';
import { routingTies } from '../../domain/runbook-routing-overlap';
import { POLICY_SCHEMA_FILE, type PolicySources } from '../../slack/policy/cedar-policy';
import { approvers, lintPolicyPack, type LintedPack } from '../../slack/policy/policy-lint';
import { DEFAULT_POLICY_FOLDER } from '../../slack/policy/policy-packs';

/**
 * `breachline runbook lint [paths…]` (issue 17, item 5): a runbook and its policies checked
 * together, every problem as `file:line:col: message`. A directory is linted as a deployment
 * loads it: its runbooks, its default pack and the packs its runbooks name.
 */

/** One problem, located. */
export interface LintProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** `runbooks/x.yaml:12:7: message`. */
export const formatLintProblem = (p: LintProblem): string => `${p.file}:${p.line}:${p.column}: ${p.message}`;

interface Linted {
  path: string;
  dir: string;
  loaded: LoadedRunbook;
}

/** The runbook files a path stands for: itself, or a directory's `*.yaml`/`*.yml`. */
function runbookFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => join(path, n));
}

/** Lints the runbooks at `paths` (files or directories) and every policy pack they use. */
export function lintRunbooks(paths: readonly string[]): LintProblem[] {
  const problems: LintProblem[] = [];
  const linted: Linted[] = [];
  for (const given of paths) {
    if (!existsSync(given)) {
      problems.push({ file: given, line: 1, column: 1, message: 'no such file or directory' });
      continue;
    }
    for (const path of runbookFiles(given)) {
      try {
        linted.push({ path, dir: dirname(path), loaded: parseRunbook(readFileSync(path), path) });
      } catch (error) {
        if (!(error instanceof RunbookValidationError)) throw error;
        problems.push(...error.problems.map((p) => ({ ...p, file: path })));
      }
    }
  }
  const dirs = [...new Set(linted.map((l) => l.dir))];
  for (const dir of dirs) {
    const here = linted.filter((l) => l.dir === dir);
    problems.push(...duplicateProblems(here), ...tieProblems(here), ...packProblems(dir, here));
  }
  return problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

function at(l: Linted, path: Array<string | number>, message: string, key?: string): LintProblem {
  return { file: l.path, ...positionOf(l.loaded.source, path, key), message };
}

function duplicateProblems(here: readonly Linted[]): LintProblem[] {
  const seen = new Map<string, Linted>();
  const problems: LintProblem[] = [];
  for (const l of here) {
    const key = `${l.loaded.runbook.id}@${l.loaded.runbook.version}`;
    const other = seen.get(key);
    if (other !== undefined) problems.push(at(l, ['version'], `runbook ${l.loaded.runbook.id} version ${l.loaded.runbook.version} is also defined in ${other.path}`));
    seen.set(key, l);
  }
  return problems;
}

function tieProblems(here: readonly Linted[]): LintProblem[] {
  const byId = new Map(here.map((l) => [l.loaded.runbook.id, l]));
  return routingTies(here.map((l) => l.loaded.runbook)).map((tie) => {
    const first = byId.get(tie.first.id) as Linted;
    const second = byId.get(tie.second.id) as Linted;
    return at(
      second,
      ['serves', 'priority'],
      `routing tie: priority ${tie.priority} is also the priority of runbook "${tie.first.id}" (${first.path}), and its serves rule ${tie.first.rule + 1} and this runbook's rule ${tie.second.rule + 1} can match the same alert (routing would pick "${tie.first.id}" by id); give one of them another priority`,
    );
  });
}

function packProblems(dir: string, here: readonly Linted[]): LintProblem[] {
  const problems: LintProblem[] = [];
  const defaultDir = join(dir, DEFAULT_POLICY_FOLDER);
  const packs = new Map<string, LintedPack>();
  const defaults = lintPolicyPack(defaultDir);
  packs.set(DEFAULT_POLICY_FOLDER, defaults);
  problems.push(...defaults.problems);
  const schemaPath = join(defaultDir, POLICY_SCHEMA_FILE);
  const fallback = existsSync(schemaPath) ? { file: schemaPath, text: readFileSync(schemaPath, 'utf8') } : undefined;
  for (const l of here) {
    const folder = l.loaded.runbook.policies ?? DEFAULT_POLICY_FOLDER;
    let pack = packs.get(folder);
    if (pack === undefined) {
      const packDir = join(dir, folder);
      if (!existsSync(packDir)) {
        problems.push(at(l, ['policies'], `policy folder "${folder}" does not exist in ${dir}`));
        packs.set(folder, { problems: [] });
        continue;
      }
      pack = lintPolicyPack(packDir, fallback);
      packs.set(folder, pack);
      problems.push(...pack.problems);
    }
    if (pack.sources !== undefined) problems.push(...approvalProblems(l, folder, pack.sources));
  }
  return problems;
}

/** A step gated on a role that no policy of the runbook's pack lets approve could never run. */
function approvalProblems(l: Linted, folder: string, sources: PolicySources): LintProblem[] {
  const problems: LintProblem[] = [];
  const cache = new Map<string, boolean>();
  l.loaded.runbook.steps.forEach((step, i) => {
    const role = step.approval;
    if (role === undefined || role === 'none') return;
    if (!cache.has(role)) cache.set(role, approvers(sources, role).length > 0);
    if (cache.get(role) === false) {
      problems.push(at(l, ['steps', i, 'approval'], `step "${step.id}": approval "${role}" is granted by no policy of pack "${folder}": nobody could approve this step`));
    }
  });
  return problems;
}
