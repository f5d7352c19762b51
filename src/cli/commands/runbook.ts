import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../../config/config';
import { loadRunbookDir, RunbookValidationError } from '../../domain/runbook-loader';
import { IngressError } from '../../ingress/errors';
import { RunbookCatalog } from '../../ingress/runbooks';
import { formatLintProblem, lintRunbooks } from './runbook-lint';
import { formatRouteReport, routeReport, sourceOption } from './runbook-test';

/**
 * `breachline runbook test` and `breachline runbook lint` (issue 17). Both read the runbook
 * directory of the config (`BREACHLINE_RUNBOOK_DIR`, default `runbooks`) unless told otherwise.
 */

interface TestOptions {
  source?: string;
  json?: boolean;
  runbooks?: string;
}

/** Exit code of a command that could not do its work (bad input, unreadable runbooks). */
const USAGE_EXIT = 2;

function fail(command: string, message: string): void {
  process.stderr.write(`breachline runbook ${command}: ${message}\n`);
  process.exitCode = USAGE_EXIT;
}

async function runTest(file: string, options: TestOptions): Promise<void> {
  let payload: unknown;
  try {
    payload = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    return fail('test', `${file}: ${error instanceof SyntaxError ? 'not valid JSON' : (error as Error).message}`);
  }
  const dir = options.runbooks ?? loadConfig().runbookDir;
  let catalog: RunbookCatalog;
  try {
    catalog = new RunbookCatalog(await loadRunbookDir(dir));
  } catch (error) {
    if (error instanceof RunbookValidationError) return fail('test', `the runbooks in ${dir} do not load (run \`breachline runbook lint ${dir}\`):\n${error.lines.join('\n')}`);
    throw error;
  }
  let report;
  try {
    report = routeReport(catalog, sourceOption(options.source, payload), payload);
  } catch (error) {
    // The payload itself is refused before routing (ingress answers 4xx): say which field.
    if (error instanceof IngressError) return fail('test', `${file}: ${error.message}${(error.details ?? []).map((d) => `\n  ${d.path}: ${d.message}`).join('')}`);
    return fail('test', (error as Error).message);
  }
  process.stdout.write(`${options.json === true ? JSON.stringify(report, null, 2) : formatRouteReport(report)}\n`);
}

function runLint(paths: string[], options: { json?: boolean }): void {
  const targets = paths.length > 0 ? paths : [loadConfig().runbookDir];
  const problems = lintRunbooks(targets);
  if (options.json === true) process.stdout.write(`${JSON.stringify(problems, null, 2)}\n`);
  else if (problems.length > 0) process.stdout.write(`${problems.map(formatLintProblem).join('\n')}\n`);
  else process.stdout.write(`${targets.join(', ')}: no problems\n`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}

/** Registers `breachline runbook test` and `breachline runbook lint`. */
export function registerRunbookCommands(program: Command): void {
  const runbook = program.commands.find((c) => c.name() === 'runbook') ?? program.command('runbook').description('runbooks: which one an alert starts, and lint');
  runbook
    .command('test')
    .description('print which runbook an alert would start and why: each runbook\'s serves rules, and which condition matched or failed on which field')
    .argument('<alert.json>', 'the SIEM payload, as the SIEM would POST it')
    .option('--source <source>', 'splunk, elastic, sentinel or generic (default: guessed from the payload\'s shape)')
    .option('--runbooks <dir>', 'runbook directory (default: the config\'s, BREACHLINE_RUNBOOK_DIR)')
    .option('--json', 'print the report as JSON')
    .action((file: string, options: TestOptions) => runTest(file, options));
  runbook
    .command('lint')
    .description('validate runbooks and their policy packs together; problems as file:line:col: message, exit 1 when any')
    .argument('[paths...]', 'runbook files or directories (default: the config\'s runbook directory)')
    .option('--json', 'print the problems as JSON')
    .action((paths: string[], options: { json?: boolean }) => runLint(paths, options));
}
