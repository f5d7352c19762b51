import type { App } from '@slack/bolt';
import { HELP, register as registerHelp } from './help';
import { OPERATION_SUBCOMMANDS } from './operations-list';
import { forUnknownSubcommand, subcommandOf, type CommandOptions, type SubcommandInfo } from './subcommand';

export type { CommandOptions, SubcommandInfo } from './subcommand';

/**
 * Every subcommand, in the order `/ir help` lists them. The operations subcommands are registered
 * by `registerOperations` (src/slack/operations.ts), which needs the Temporal client and the
 * policies; they are listed here so help shows them and the fallback leaves them alone.
 */
export const SUBCOMMANDS: readonly SubcommandInfo[] = [HELP, ...OPERATION_SUBCOMMANDS.map(({ name, usage, summary }) => ({ name, usage, summary }))];

/**
 * Registers the slash command and its subcommands, plus a fallback that acks anything unknown
 * and points to help, so no command is ever left unanswered.
 */
export function registerCommands(app: App, options: CommandOptions): void {
  registerHelp(app, options, () => SUBCOMMANDS);
  const known = ['', ...SUBCOMMANDS.map((s) => s.name)];
  app.command(options.commandName, forUnknownSubcommand(known), async ({ command, ack }) => {
    // Answering in the ack itself is one round trip and needs no token.
    await ack({
      response_type: 'ephemeral',
      text: `Unknown subcommand \`${subcommandOf(command.text)}\`. Try \`${options.commandName} help\`.`,
    });
  });
}
