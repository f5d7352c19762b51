import type { Command } from 'commander';
import { COMMANDS, rootProgram, type CommandEntry, type CommandRegistrar } from './command-table';

/**
 * The program for one command line: the named command fully built, every other one listed by
 * name and summary only. `breachline --help` and unknown commands get the summaries.
 */
export async function programFor(args: readonly string[]): Promise<Command> {
  const program = rootProgram();
  const operands = args.filter((a) => !a.startsWith('-'));
  const wanted = operands[0] === 'help' ? operands[1] : operands[0];
  const entry = COMMANDS.find((c) => c.name === wanted);
  if (entry !== undefined) await registerEntry(program, entry);
  for (const other of COMMANDS) {
    if (other !== entry && !program.commands.some((c) => c.name() === other.name)) program.command(other.name).description(other.summary);
  }
  return program;
}

async function registerEntry(program: Command, entry: CommandEntry): Promise<void> {
  const loaded = await entry.load();
  for (const name of entry.registrars) {
    const register = loaded[name];
    if (typeof register !== 'function') throw new Error(`command ${entry.name}: its module has no ${name}`);
    (register as CommandRegistrar)(program);
  }
}

/** CLI entry point: runs the command and exits non-zero with a one-line message on failure. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    await (await programFor(argv.slice(2))).parseAsync([...argv]);
  } catch (err) {
    process.stderr.write(`breachline: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
