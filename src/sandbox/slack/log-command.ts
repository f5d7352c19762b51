import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { SlackRecordSnapshot } from './call-record';
import { RECORD_FILE } from './call-record';
import { formatSnapshot, snapshotFromJournal } from './log-format';

/** Where `slack-log` reads from. */
export interface SlackLogSource {
  /** The sandbox's API URL (`…/api/`) or base URL. */
  url?: string;
  /** The `--data-dir` given to `sandbox up`, or the Slack sandbox's own data directory. */
  dataDir?: string;
}

/** Reads the record of a running sandbox (over HTTP) or of a past one (from its journal). */
export async function readSlackRecord(source: SlackLogSource): Promise<SlackRecordSnapshot> {
  if (source.dataDir) {
    // `sandbox up --data-dir D` gives the Slack sandbox `D/slack`; accept either directory.
    const candidates = [join(source.dataDir, 'slack', RECORD_FILE), join(source.dataDir, RECORD_FILE)];
    const file = candidates.find((f) => existsSync(f));
    if (!file) throw new Error(`no Slack sandbox record under ${source.dataDir} (looked for ${RECORD_FILE})`);
    return snapshotFromJournal(readFileSync(file, 'utf8'));
  }
  if (!source.url) throw new Error('give --url of a running Slack sandbox or --data-dir of one that journalled');
  const base = source.url.replace(/\/+$/, '').replace(/\/api$/, '');
  const res = await fetch(`${base}/_sandbox/log`);
  if (!res.ok) throw new Error(`${base}/_sandbox/log answered HTTP ${res.status}`);
  return (await res.json()) as SlackRecordSnapshot;
}

/** Output for the command; tests pass their own. */
export interface SlackLogIo {
  write(text: string): void;
}

/**
 * Registers `breachline sandbox slack-log`: prints every Web API call the Slack sandbox answered
 * (and, with `--messages`, every message), from a running sandbox or its journal.
 */
export function registerSlackLogCommand(sandboxCommand: Command, io: SlackLogIo = { write: (t) => process.stdout.write(t) }): void {
  sandboxCommand
    .command('slack-log')
    .description('show the calls and messages the Slack sandbox recorded')
    .option('--url <url>', 'API URL of a running Slack sandbox (as printed by sandbox up)', process.env.BREACHLINE_SLACK_API_URL)
    .option('--data-dir <dir>', 'read the journal a sandbox wrote here instead')
    .option('--method <name>', 'only calls to this Web API method (e.g. chat.postMessage)')
    .option('--messages', 'also list messages')
    .option('--json', 'print the record as one JSON object')
    .action(async (opts: { url?: string; dataDir?: string; method?: string; messages?: boolean; json?: boolean }) => {
      const snapshot = await readSlackRecord({ url: opts.url, dataDir: opts.dataDir });
      if (opts.json) {
        const calls = opts.method ? snapshot.calls.filter((c) => c.method === opts.method) : snapshot.calls;
        io.write(`${JSON.stringify({ calls, messages: snapshot.messages })}\n`);
        return;
      }
      io.write(formatSnapshot(snapshot, { method: opts.method, messages: opts.messages }));
    });
}
