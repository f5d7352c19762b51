import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/command-table';
import { programFor } from '../../../src/cli/main';
import { buildProgram } from '../../../src/cli/program';

describe('the CLI loads only the command it runs', () => {
  it('every listed command is built by its registrars, and nothing is built that is not listed', () => {
    const names = buildProgram().commands.map((c) => c.name()).sort();
    expect(names).toEqual(COMMANDS.map((c) => c.name).sort());
  });

  it('each entry alone builds its command with its subcommands and options', async () => {
    const full = buildProgram();
    for (const entry of COMMANDS) {
      const program = await programFor([entry.name]);
      const built = program.commands.find((c) => c.name() === entry.name);
      const expected = full.commands.find((c) => c.name() === entry.name);
      expect(built?.commands.map((c) => c.name()), entry.name).toEqual(expected?.commands.map((c) => c.name()));
      expect(built?.options.map((o) => o.flags), entry.name).toEqual(expected?.options.map((o) => o.flags));
    }
  });

  it('top-level help lists every command with its summary, without loading any', async () => {
    const program = await programFor(['--help']);
    expect(program.commands.map((c) => c.name()).sort()).toEqual(COMMANDS.map((c) => c.name).sort());
    expect(program.commands.every((c) => c.commands.length === 0 && c.options.length === 0)).toBe(true);
    for (const entry of COMMANDS) expect(program.helpInformation()).toContain(entry.name);
  });

  it('`help <command>` loads that command', async () => {
    const program = await programFor(['help', 'drill']);
    expect(program.commands.find((c) => c.name() === 'drill')?.commands.map((c) => c.name())).toContain('run');
  });
});
