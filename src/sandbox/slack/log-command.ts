import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** How `sandbox slack-log` shows the record. */
export interface SlackLogFormat {
  method?: string;
  messages?: boolean;
  json?: boolean;
}

/** The record of a Slack sandbox as `sandbox slack-log` prints it: a table, or one JSON object. */
export async function slackLogText(source: SlackLogSource, format: SlackLogFormat): Promise<string> {
  const snapshot = await readSlackRecord(source);
  if (format.json) {
    const calls = format.method ? snapshot.calls.filter((c) => c.method === format.method) : snapshot.calls;
    return `${JSON.stringify({ calls, messages: snapshot.messages })}\n`;
  }
  return formatSnapshot(snapshot, { method: format.method, messages: format.messages });
}
