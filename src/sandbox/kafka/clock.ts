/** The broker's notion of "now" for retention (record timestamps are compared against it). */
export interface BrokerClock {
  now(): number;
}

/** Wall-clock time. */
export const systemClock: BrokerClock = { now: () => Date.now() };

/**
 * A clock tests move by hand. The broker subscribes to it and enforces retention right after each
 * advance, so "seven days later" is one call, not a wait.
 */
export class ManualClock implements BrokerClock {
  private current: number;
  private readonly listeners: Array<(now: number) => void> = [];

  constructor(start = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Moves time forward by `ms` and notifies subscribers. */
  advance(ms: number): void {
    this.set(this.current + ms);
  }

  /** Sets the time and notifies subscribers. */
  set(now: number): void {
    this.current = now;
    for (const l of this.listeners) l(now);
  }

  onChange(listener: (now: number) => void): void {
    this.listeners.push(listener);
  }
}
