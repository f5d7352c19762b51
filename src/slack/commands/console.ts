import type { App } from '@slack/bolt';
import { registerSubcommand, UsageError, type OperationsDeps, type SubcommandSpec } from './context';

/** What `/ir console` needs: a one-time sign-in link for a Slack user (src/console). */
export interface ConsoleLinkIssuer {
  /** `<publicUrl>/#/signin/<token>`, valid once, until `expiresAt`. */
  link(userId: string): { url: string; expiresAt: Date };
}

/**
 * `/ir console`: an ephemeral one-time link to the incident console, bound to the caller. The
 * token rides in the URL fragment, which browsers never send to a server or in a Referer. Anyone
 * who may list incidents may sign in; the console then asks the same policies for everything else.
 */
export const CONSOLE: SubcommandSpec = {
  name: 'console',
  usage: 'console',
  summary: 'a one-time sign-in link to the incident console (valid 15 minutes)',
  action: 'list',
  async run(ctx) {
    if (ctx.args.length > 0) throw new UsageError('no arguments expected');
    if (!(await ctx.authorize('list'))) return;
    const issuer = ctx.deps.consoleLinks;
    if (issuer === undefined) {
      await ctx.reply({ text: 'The incident console is not running in this breachline.' });
      return;
    }
    const { url, expiresAt } = issuer.link(ctx.userId);
    await ctx.reply({ text: `Your sign-in link to the incident console (only for you, once, until ${expiresAt.toISOString()}):\n${url}` });
  },
};

/** Registers `/ir console`. */
export function register(app: App, deps: OperationsDeps): void {
  registerSubcommand(app, deps, CONSOLE);
}
