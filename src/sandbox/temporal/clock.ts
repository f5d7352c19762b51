/**
 * The server's clock and timer queue. Every server timestamp and timeout reads `now()`, so the
 * same code runs on wall time, on a test clock advanced by hand, or under time skipping, where the
 * clock jumps to the next due timer whenever nothing holds a lock (the Java test server's
 * self-advancing timer).
 */

/** How the clock moves. */
export type ClockMode = 'wall' | 'manual';

/** Options for {@link ServerClock}. */
export interface ServerClockOptions {
  /** `manual` freezes time until {@link ServerClock.advance} is called. @default 'wall' */
  mode?: ClockMode;
  /** Jump to the next timer when the lock count is zero. @default false */
  timeSkipping?: boolean;
  /** Initial offset from wall time (restored from the journal). @default 0 */
  offsetMs?: number;
  /** Called after every jump, so the journal can keep the offset. */
  onOffsetChange?: (offsetMs: number) => void;
  /** A timer callback threw: reported here so one bad run never stops the server. */
  onTimerError?: (err: unknown) => void;
}

interface TimerEntry {
  at: number;
  seq: number;
  fire: () => void;
  cancelled: boolean;
}

/** Releases a lock taken with {@link ServerClock.lock}; calling it twice is harmless. */
export type Release = () => void;

/** Virtual clock with a timer queue and time-skipping lock counting. */
export class ServerClock {
  private offset: number;
  private readonly mode: ClockMode;
  private readonly frozenBase: number;
  /** Binary min-heap by (at, seq); cancelled entries are dropped when they reach the top. */
  private timers: TimerEntry[] = [];
  private live = 0;
  private seq = 0;
  private realTimer: NodeJS.Timeout | undefined;
  /** When the armed real timer fires (server time); re-armed only for an earlier timer. */
  private armedAt = Infinity;
  private lockCount = 1;
  private skipScheduled = false;
  private closed = false;
  private readonly sleepers = new Set<{ until: number; resolve: () => void }>();
  readonly timeSkipping: boolean;

  constructor(private readonly options: ServerClockOptions = {}) {
    this.mode = options.mode ?? 'wall';
    this.timeSkipping = options.timeSkipping ?? false;
    this.offset = options.offsetMs ?? 0;
    this.frozenBase = Date.now();
  }

  /** Current server time, epoch ms. */
  now(): number {
    return (this.mode === 'manual' ? this.frozenBase : Date.now()) + this.offset;
  }

  /** Offset from wall time, for the journal. */
  get offsetMs(): number {
    return this.offset;
  }

  /** Runs `fire` once server time reaches `at`; returns a cancel function. */
  setTimer(at: number, fire: () => void): () => void {
    const entry: TimerEntry = { at, seq: this.seq++, fire, cancelled: false };
    heapPush(this.timers, entry);
    this.live++;
    // The real timer moves only for an earlier deadline; time skipping still looks at every new one.
    if (at < this.armedAt) this.reschedule();
    else this.maybeSkip();
    return () => {
      if (entry.cancelled) return;
      entry.cancelled = true;
      this.live--;
    };
  }

  /** The earliest pending timer, dropping cancelled ones on the way. */
  private peek(): TimerEntry | undefined {
    while (this.timers.length > 0 && this.timers[0]!.cancelled) heapPop(this.timers);
    return this.timers[0];
  }

  /** Moves the clock forward by `ms`, firing every timer that falls due. */
  advance(ms: number): void {
    if (ms > 0) this.setOffset(this.offset + ms);
    this.fireDue();
  }

  /** Takes a time-skipping lock: while any is held, time runs at wall speed. */
  lock(): Release {
    this.lockCount++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.lockCount--;
      this.maybeSkip();
    };
  }

  /** TestService LockTimeSkipping. */
  lockExternal(): void {
    this.lockCount++;
  }

  /** TestService UnlockTimeSkipping; false if no lock was held. */
  unlockExternal(): boolean {
    if (this.lockCount <= 0) return false;
    this.lockCount--;
    this.maybeSkip();
    return true;
  }

  /** Current lock count (for tests and the describe handle). */
  get locks(): number {
    return this.lockCount;
  }

  /** Resolves once server time reaches `until` (TestService Sleep). */
  sleepUntil(until: number): Promise<void> {
    if (this.now() >= until) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = { until, resolve };
      this.sleepers.add(sleeper);
      // A plain timer so the clock also jumps to the sleeper's deadline under time skipping.
      this.setTimer(until, () => {
        this.sleepers.delete(sleeper);
        resolve();
      });
    });
  }

  /** Stops real timers; pending ones never fire. */
  close(): void {
    this.closed = true;
    if (this.realTimer) clearTimeout(this.realTimer);
    for (const s of this.sleepers) s.resolve();
    this.sleepers.clear();
    this.timers = [];
    this.live = 0;
  }

  private setOffset(offset: number): void {
    this.offset = offset;
    this.options.onOffsetChange?.(offset);
  }

  private fireDue(): void {
    const now = this.now();
    for (let next = this.peek(); !this.closed && next && next.at <= now; next = this.peek()) {
      const entry = heapPop(this.timers)!;
      entry.cancelled = true;
      this.live--;
      try {
        entry.fire();
      } catch (err) {
        this.options.onTimerError?.(err);
      }
    }
    this.reschedule();
  }

  private reschedule(): void {
    if (this.realTimer) clearTimeout(this.realTimer);
    this.realTimer = undefined;
    this.armedAt = Infinity;
    if (this.closed) return;
    const next = this.peek();
    if (next && this.mode === 'wall') {
      const delay = Math.max(0, Math.min(next.at - this.now(), 2 ** 31 - 1));
      this.armedAt = next.at;
      this.realTimer = setTimeout(() => this.fireDue(), delay);
      this.realTimer.unref?.();
    }
    this.maybeSkip();
  }

  private maybeSkip(): void {
    if (!this.timeSkipping || this.lockCount > 0 || this.skipScheduled || this.closed) return;
    if (this.live === 0) return;
    this.skipScheduled = true;
    // Deferred so that work triggered by the release (a new task, a lock) settles first.
    setImmediate(() => {
      this.skipScheduled = false;
      if (this.lockCount > 0 || this.closed) return;
      const next = this.peek();
      if (!next) return;
      if (next.at > this.now()) this.setOffset(this.offset + (next.at - this.now()));
      this.fireDue();
    });
  }
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function heapPush(heap: TimerEntry[], entry: TimerEntry): void {
  heap.push(entry);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function heapPop(heap: TimerEntry[]): TimerEntry | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length === 0 || !last) return top;
  heap[0] = last;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
    if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
    if (m === i) return top;
    [heap[i], heap[m]] = [heap[m]!, heap[i]!];
    i = m;
  }
}
