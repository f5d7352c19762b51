import { Command } from 'commander';
import { registerAuditCommands } from './commands/audit';
import { registerSandboxCommands } from './commands/sandbox';

/** Builds the `breachline` command tree. */
export function buildProgram(): Command {
  const program = new Command('breachline')
    .description('incident-response orchestrator for real-time data platforms')
    .showHelpAfterError();
  registerSandboxCommands(program);
  registerAuditCommands(program);
  return program;
}

/** CLI entry point: runs the command and exits non-zero with a one-line message on failure. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (err) {
    process.stderr.write(`breachline: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
