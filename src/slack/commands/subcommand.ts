import type { Middleware, SlackCommandMiddlewareArgs } from '@slack/bolt';

/** What every command file receives besides the app. */
export interface CommandOptions {
  /** The slash command from config, e.g. `/ir`. */
  readonly commandName: string;
}

/** A subcommand as `/ir help` lists it. */
export interface SubcommandInfo {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
}

/** The first word of the command text, lower-cased: `/ir Help me` → `help`. */
export function subcommandOf(text: string): string {
  return text.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
}

/**
 * Listener middleware that lets a command through only when its first word is one of `names`
 * (`''` matches a bare `/ir`). One slash command carries many subcommands, so each command file
 * registers on the same command and filters for its own.
 */
export function forSubcommand(...names: string[]): Middleware<SlackCommandMiddlewareArgs> {
  return async ({ command, next }) => {
    if (names.includes(subcommandOf(command.text))) await next();
  };
}

/** Listener middleware for the fallback: first word is none of the known subcommands. */
export function forUnknownSubcommand(known: readonly string[]): Middleware<SlackCommandMiddlewareArgs> {
  return async ({ command, next }) => {
    if (!known.includes(subcommandOf(command.text))) await next();
  };
}
