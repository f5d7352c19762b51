import type { Command } from 'commander';
import type { SlashCommandAnswer } from '../../app/control';
import { reachInstance } from '../../app/reach';
import { defaultStateFile, readRunState } from '../../app/state-file';
import { isRefusalOrFailure } from '../../slack/reply-kind';

/** Splits `/ir status abc` into the command and its text. */
export function splitSlashCommand(line: string): { command: string; text: string } {
  const trimmed = line.trim();
  const m = /^(\/\S+)\s*([\s\S]*)$/.exec(trimmed);
  if (!m) throw new Error(`expected a slash command such as '/ir status <id>', got ${JSON.stringify(line)}`);
  return { command: m[1] as string, text: (m[2] as string).trim() };
}

/** Registers `breachline slack '/ir …'`: a signed slash command to the running app. */
export function registerSlackCommand(program: Command): void {
  program
    .command('slack')
    .description("send a signed slash command to the running Slack app through the Slack sandbox and print the reply, e.g. '/ir status <id>'")
    .argument('<command>', "the command line as a user types it, e.g. '/ir status incident-…'")
    .option('--user <id>', 'Slack user id of the sender (sandbox users: U0COMMANDER, U0RESPONDER, U0DPOFFICER)')
    .option('--state-file <path>', 'state file of the running instance (default .breachline/run.json)')
    .option('--json', 'print the whole answer as JSON')
    .action(async (line: string, opts: { user?: string; stateFile?: string; json?: boolean }) => {
      const state = await readRunState(opts.stateFile ?? defaultStateFile());
      const { command, text } = splitSlashCommand(line);
      if (!state.slack) throw new Error('the running instance has no Slack app');
      if (command !== state.slack.command) throw new Error(`the app answers ${state.slack.command}, not ${command}`);
      if (!state.control) throw new Error('Slack is configured (not the sandbox): type the command in Slack itself');
      const res = await reachInstance(`${state.control.url}/slack/command`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${state.control.token}` },
        body: JSON.stringify({ text, ...(opts.user ? { userId: opts.user } : {}) }),
      });
      const answer = (await res.json()) as SlashCommandAnswer & { error?: string; message?: string };
      if (!res.ok) throw new Error(`control endpoint: ${answer.error ?? res.status}${answer.message ? `: ${answer.message}` : ''}`);
      const immediate = answer.status === 200 ? ackText(answer.body) : undefined;
      const lines = [...(immediate ? [immediate] : []), ...answer.replies.map((r) => r.text)];
      // A refusal or a failure is an answer, but not a success: scripts must be able to tell.
      if (answer.status !== 200 || lines.some(isRefusalOrFailure)) process.exitCode = 1;
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(answer)}\n`);
        return;
      }
      if (answer.status !== 200) {
        process.stdout.write(`the app answered HTTP ${answer.status}\n`);
        return;
      }
      process.stdout.write(lines.length > 0 ? `${lines.join('\n')}\n` : '(no reply)\n');
    });
}

/** Text of an ack that carried a message (`ack({text})`), if any. */
function ackText(body: string): string | undefined {
  if (!body) return undefined;
  try {
    const parsed = JSON.parse(body) as { text?: unknown };
    return typeof parsed.text === 'string' ? parsed.text : undefined;
  } catch {
    return body;
  }
}
