import type { Command } from 'commander';
import { COMMANDS, rootProgram, type CommandRegistrar } from './command-table';
import { registerAuditCommands } from './commands/audit';
import { registerAlertCommand } from './commands/alert';
import { registerClocksCommand } from './commands/clocks';
import { registerDrillCommand } from './commands/drill';
import { registerRegisterCommands } from './commands/register';
import { registerSandboxCommands } from './commands/sandbox';
import { registerSlackCommand } from './commands/slack';
import { registerStartCommand } from './commands/start';
import { registerCodecServerCommand } from './commands/codec-server';
import { registerEvidenceCommands } from './commands/evidence';
import { registerCorrelatorCommand, registerIngressCommand } from './commands/ingress';
// Runbooks as data (issue 17).
import { registerRunbookCommands } from './commands/runbook';

/** Every registrar, loaded eagerly (in-process callers and tests; `main` loads one command's). */
const EAGER: Readonly<Record<string, CommandRegistrar>> = {
  registerAuditCommands,
  registerAlertCommand,
  registerClocksCommand,
  registerDrillCommand,
  registerRegisterCommands,
  registerSandboxCommands,
  registerSlackCommand,
  registerStartCommand,
  registerCodecServerCommand,
  registerEvidenceCommands,
  registerIngressCommand,
  // Runbooks as data (issue 17).
  registerRunbookCommands,
  // The correlator as its own process (issue 15, storm).
  registerCorrelatorCommand,
};

/** Builds the whole `breachline` command tree at once. */
export function buildProgram(): Command {
  const program = rootProgram();
  const done = new Set<string>();
  for (const entry of COMMANDS) {
    for (const name of entry.registrars) {
      if (done.has(name)) continue;
      const register = EAGER[name];
      if (register === undefined) throw new Error(`no registrar ${name} for command ${entry.name}`);
      register(program);
      done.add(name);
    }
  }
  return program;
}
