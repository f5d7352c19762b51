import { Command } from 'commander';
import { registerAuditCommands } from './commands/audit';
import { registerAlertCommand } from './commands/alert';
import { registerDrillCommand } from './commands/drill';
import { registerSandboxCommands } from './commands/sandbox';
import { registerSlackCommand } from './commands/slack';
import { registerStartCommand } from './commands/start';
// Regulatory clocks (issue 10).
import { registerClocksCommand } from './commands/clocks';
import { registerRegisterCommands } from './commands/register';
// Ingress as its own process(es) (issue 15, item 3).
import { registerIngressCommand } from './commands/ingress';

/** Builds the `breachline` command tree. */
export function buildProgram(): Command {
  const program = new Command('breachline')
    .description('incident-response orchestrator for real-time data platforms')
    .showHelpAfterError();
  registerSandboxCommands(program);
  registerStartCommand(program);
  registerAlertCommand(program);
  registerSlackCommand(program);
  registerDrillCommand(program);
  registerAuditCommands(program);
  registerClocksCommand(program);
  registerRegisterCommands(program);
  registerIngressCommand(program);
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
