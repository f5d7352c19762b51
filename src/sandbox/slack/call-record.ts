import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { snapshotFromJournal } from './log-format';
import type { SandboxMessage } from './workspace';
import { appendPrivateFileSync } from '../../security/private-file';

/** One HTTP call the sandbox answered, as tests and `breachline sandbox slack-log` see it. */
export interface RecordedCall {
  /** 1-based, in arrival order. */
  readonly seq: number;
  /** ISO-8601 time the call arrived (sandbox clock). */
  readonly at: string;
  /** Web API method (`chat.postMessage`), or `response_url` for replies to an interaction. */
  readonly method: string;
  /** How the arguments arrived. */
  readonly transport: 'form' | 'json' | 'query' | 'none';
  /** Arguments with any token removed. */
  readonly args: Readonly<Record<string, unknown>>;
  readonly httpStatus: number;
  readonly ok: boolean;
  /** Slack's error code when `ok` is false (`invalid_auth`, `ratelimited`, …). */
  readonly error?: string;
  /** Set on a 429: the `Retry-After` seconds sent. */
  readonly retryAfter?: number;
}

/** A message as it appears in the record: the stored message plus what happened to it. */
export interface RecordedMessage {
  readonly event: 'posted' | 'updated';
  readonly at: string;
  readonly message: SandboxMessage;
}

/** Both halves of the record, as served at `GET /_sandbox/log`. */
export interface SlackRecordSnapshot {
  readonly calls: readonly RecordedCall[];
  readonly messages: readonly SandboxMessage[];
}

/** The file the record is journalled to inside the sandbox data directory, one JSON object a line. */
export const RECORD_FILE = 'slack-record.jsonl';

/**
 * Every call and message the sandbox saw. Tests read it directly; a running sandbox serves it over
 * HTTP and, given a data directory, appends it to a JSON-lines file so a human can read it too.
 */
export class CallRecord {
  private readonly list: RecordedCall[] = [];
  private readonly events = new EventEmitter();
  private readonly file?: string;

  constructor(dataDir?: string) {
    if (dataDir) {
      mkdirSync(dataDir, { recursive: true });
      this.file = join(dataDir, RECORD_FILE);
      // After a restart the record goes on where it stopped, so sequence numbers stay unique.
      if (existsSync(this.file)) this.list.push(...snapshotFromJournal(readFileSync(this.file, 'utf8')).calls);
    }
    // Any number of waiting clients may listen; the default cap would only produce warnings.
    this.events.setMaxListeners(0);
  }

  /** Appends a call; returns it with its sequence number. */
  addCall(call: Omit<RecordedCall, 'seq'>): RecordedCall {
    const recorded: RecordedCall = { seq: this.list.length + 1, ...call };
    this.list.push(recorded);
    this.journal({ kind: 'call', ...recorded });
    this.events.emit('call', recorded);
    return recorded;
  }

  /** Notes a posted or updated message so waiters (the signed-request client) can see replies. */
  noteMessage(event: RecordedMessage['event'], message: SandboxMessage, at: string): void {
    const entry: RecordedMessage = { event, at, message };
    this.journal({ kind: 'message', ...entry });
    this.events.emit('message', entry);
  }

  /** Every call so far, optionally only those to one method. */
  calls(method?: string): RecordedCall[] {
    return method ? this.list.filter((c) => c.method === method) : [...this.list];
  }

  /** Subscribes to messages; returns the unsubscribe function. */
  onMessage(listener: (entry: RecordedMessage) => void): () => void {
    this.events.on('message', listener);
    return () => this.events.off('message', listener);
  }

  private journal(line: Record<string, unknown>): void {
    if (!this.file) return;
    // Synchronous so the file is complete at any instant a human tails it; the volume is tiny.
    // Owner-only: the journal holds every call's arguments, message text included.
    appendPrivateFileSync(this.file, `${JSON.stringify(line)}\n`);
  }
}
