import type { RecordedCall, SlackRecordSnapshot } from './call-record';
import type { SandboxMessage } from './workspace';

/** Arguments worth showing on one line, in this order; the rest is left to `--json`. */
const SHOWN_ARGS = ['channel', 'user', 'users', 'name', 'ts', 'topic', 'trigger_id', 'view_id', 'user_id', 'text'];

function clip(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** One call as a line: sequence, time, method, status, outcome and the telling arguments. */
export function formatCall(c: RecordedCall): string {
  const time = c.at.slice(11, 23);
  const outcome = c.ok ? 'ok' : (c.error ?? 'error');
  const args = SHOWN_ARGS.filter((k) => c.args[k] !== undefined && c.args[k] !== '')
    .map((k) => `${k}=${clip(typeof c.args[k] === 'string' ? (c.args[k] as string) : JSON.stringify(c.args[k]), 60)}`)
    .join(' ');
  const retry = c.retryAfter !== undefined ? ` retry-after=${c.retryAfter}s` : '';
  return `#${String(c.seq).padEnd(4)} ${time} ${c.method.padEnd(24)} ${String(c.httpStatus).padEnd(3)} ${outcome.padEnd(18)}${retry}${args ? ` ${args}` : ''}`;
}

/** One message as a line: where, when, what kind, who sees it, its text. */
export function formatMessage(m: SandboxMessage): string {
  const who = m.visibleTo ? ` (to ${m.visibleTo})` : '';
  const edited = m.edits.length > 0 ? ` [edited ${m.edits.length}x]` : '';
  return `${m.channel.padEnd(12)} ${m.ts} ${m.kind.padEnd(12)} ${m.user}${who}: ${clip(m.text, 100)}${edited}`;
}

/**
 * Rebuilds a snapshot from the JSON-lines journal: calls as written, messages at their latest
 * version (an update line supersedes the post line of the same channel and ts).
 */
export function snapshotFromJournal(text: string): SlackRecordSnapshot {
  const calls: RecordedCall[] = [];
  const messages = new Map<string, SandboxMessage>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line) as unknown;
    } catch {
      // A line cut short by a crash: everything before it is still good.
      continue;
    }
    if (typeof entry !== 'object' || entry === null) continue;
    const e = entry as { kind?: unknown; message?: SandboxMessage };
    if (e.kind === 'call') {
      const { kind: _kind, ...call } = entry as RecordedCall & { kind: string };
      calls.push(call);
    } else if (e.kind === 'message' && e.message) {
      messages.set(`${e.message.channel}/${e.message.ts}`, e.message);
    }
  }
  return { calls, messages: [...messages.values()] };
}

/** The whole record as text for a terminal. */
export function formatSnapshot(s: SlackRecordSnapshot, options: { method?: string; messages?: boolean } = {}): string {
  const calls = options.method ? s.calls.filter((c) => c.method === options.method) : s.calls;
  const lines = [`${calls.length} call(s)`, ...calls.map(formatCall)];
  if (options.messages) lines.push('', `${s.messages.length} message(s)`, ...s.messages.map(formatMessage));
  return `${lines.join('\n')}\n`;
}
