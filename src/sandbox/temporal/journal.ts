import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Append-only journal of JSON lines under the data directory.
 *
 * fsync policy: records are gathered while the current operation runs and written with one
 * synchronous `write` in a microtask, before the event loop turns (so before the RPC that caused
 * them is answered, and they survive a SIGKILL of the server process); the file is fsynced at most
 * every `fsyncIntervalMs` and on close, so a power loss can lose that window. One write per
 * operation instead of one per record: a workflow task completion journals a dozen records.
 */
export class Journal {
  private fd: number | undefined;
  private dirty = false;
  private pending: string[] = [];
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly path: string,
    fsyncIntervalMs: number,
  ) {
    this.fd = openSync(path, 'a');
    this.timer = setInterval(() => this.sync(), fsyncIntervalMs);
    this.timer.unref();
  }

  /** Opens (creating) `<dir>/temporal.journal` and returns it with the records already in it. */
  static open(dir: string, fsyncIntervalMs = 200): { journal: Journal; records: JournalRecord[] } {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'temporal.journal');
    const records: JournalRecord[] = [];
    if (existsSync(path)) {
      const lines = readFileSync(path, 'utf8').split('\n');
      for (const [i, line] of lines.entries()) {
        if (line.trim() === '') continue;
        try {
          records.push(JSON.parse(line) as JournalRecord);
        } catch (err) {
          // Only the very last line can be torn by a crash mid-write; anything earlier is corruption.
          if (i < lines.length - 2) throw new Error(`journal ${path} line ${i + 1} is corrupt`, { cause: err });
        }
      }
    }
    return { journal: new Journal(path, fsyncIntervalMs), records };
  }

  /** Appends one record (written before the event loop turns, see the class comment). */
  append(record: JournalRecord): void {
    if (this.fd === undefined) return;
    this.pending.push(JSON.stringify(record) + '\n');
    if (this.pending.length === 1) queueMicrotask(() => this.flush());
  }

  /** Writes the gathered records to the file (the kernel's page cache). */
  flush(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    writeSync(this.fd, text);
    this.dirty = true;
  }

  /** Flushes to disk now. */
  sync(): void {
    this.flush();
    if (this.fd === undefined || !this.dirty) return;
    fsyncSync(this.fd);
    this.dirty = false;
  }

  /** Syncs and closes the file. */
  close(): void {
    clearInterval(this.timer);
    this.sync();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Records the server writes; see `restore.ts` for how each is replayed. */
export type JournalRecord =
  | { k: 'ns'; name: string; id: string }
  | { k: 'sa'; ns: string; name: string; type: string }
  | { k: 'saRemove'; ns: string; name: string }
  | { k: 'ev'; ns: string; wid: string; rid: string; e: string; req?: string }
  | { k: 'buf'; rid: string; e: string; link: boolean }
  | { k: 'unbuf'; rid: string }
  | { k: 'act'; rid: string; sid: number; attempt: number; state: 'queued' | 'started' | 'backoff'; at: number; hb?: string; lf?: string; identity?: string }
  | { k: 'clock'; offset: number }
  | { k: 'sched'; r: unknown };
