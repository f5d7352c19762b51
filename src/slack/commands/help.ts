import type { App } from '@slack/bolt';
import { forSubcommand, type CommandOptions, type SubcommandInfo } from './subcommand';

/** `/ir help`. */
export const HELP: SubcommandInfo = { name: 'help', usage: 'help', summary: 'show what this command can do' };

/** Block id of the help message, so tests and updates can find it. */
export const HELP_BLOCK_ID = 'breachline_help';

/** Renders the help text for the given subcommands under the configured command name. */
export function helpMessage(commandName: string, subcommands: readonly SubcommandInfo[]): { text: string; blocks: Array<Record<string, unknown>> } {
  const lines = subcommands.map((s) => `\`${commandName} ${s.usage}\` — ${s.summary}`);
  const text = `breachline incident response. Commands:\n${lines.join('\n')}`;
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'breachline' } },
      { type: 'section', block_id: HELP_BLOCK_ID, text: { type: 'mrkdwn', text: lines.join('\n') } },
    ],
  };
}

/**
 * Registers `/ir help` (and a bare `/ir`). Acks first, inside Slack's three seconds, then answers
 * with an ephemeral message through the Web API; where the bot cannot post (a DM, a channel it is
 * not in) the reply goes to the command's response_url instead.
 */
export function register(app: App, options: CommandOptions, listSubcommands: () => readonly SubcommandInfo[]): void {
  app.command(options.commandName, forSubcommand('help', ''), async ({ command, ack, respond, client, logger }) => {
    await ack();
    const message = helpMessage(options.commandName, listSubcommands());
    try {
      await client.chat.postEphemeral({ channel: command.channel_id, user: command.user_id, ...message });
    } catch (err) {
      logger.debug(`help: ephemeral post failed, answering on response_url: ${(err as Error).message}`);
      await respond({ response_type: 'ephemeral', ...message });
    }
  });
}
