import { ActivityFailure, ApplicationFailure, isCancellation } from '@temporalio/workflow';
import { applyEvent, type IncidentState } from '../src/domain/incident';
import type { DomainEvent } from '../src/domain/events';
import type { EventDraft } from '../src/domain/step-contract';

/** Appends events to the audit topic (the `appendAudit` activity), or nothing in dry-run mode. */
export type AuditSink = (events: DomainEvent[]) => Promise<void>;

/** Why the audit topic refused the incident's events, as the failed append described it. */
export interface AuditHalt {
  type: string;
  message: string;
}

/**
 * The incident's event sequence, owned by the workflow: the single writer. It numbers drafts,
 * folds them with the domain reducer (which refuses anything illegal, leaving the state as it
 * was) and ships what is new to the audit topic, one append at a time and in order.
 */
export class Ledger {
  readonly events: DomainEvent[] = [];
  private current: IncidentState | undefined;
  private audited = 0;
  private tail: Promise<void> = Promise.resolve();
  private halt: AuditHalt | undefined;
  private held = false;

  /**
   * @param onHalt Called once when an append fails for good (after the activity's own retries):
   *   shipping stops, nothing is dropped, and the incident records and reports why.
   */
  constructor(
    readonly incidentId: string,
    private readonly sink: AuditSink | undefined,
    private readonly onHalt: (halt: AuditHalt, pendingFromSeq: number) => void = () => undefined,
  ) {}

  /** Set while audit shipping is halted (until {@link resume}). */
  get halted(): AuditHalt | undefined {
    return this.halt;
  }

  /** Lifts a halt (an operator's retry) and ships everything pending. */
  resume(): void {
    this.halt = undefined;
    this.flushInBackground();
  }

  /** How many events, from the first, are on the audit topic. */
  get shipped(): number {
    return this.audited;
  }

  /**
   * Takes over the events of the run this one continues (continue-as-new): refolds them (the
   * events are the state) and goes on numbering after the last; the first `shipped` are on the
   * audit topic already and are never appended again.
   */
  restore(events: readonly DomainEvent[], shipped: number, halt: AuditHalt | undefined): void {
    if (this.events.length > 0) throw new Error('restore() is for a fresh ledger');
    for (const event of events) {
      this.current = applyEvent(this.current, event);
      this.events.push(event);
    }
    this.audited = Math.min(shipped, this.events.length);
    this.halt = halt;
  }

  /**
   * Stops starting appends (continue-as-new): resolves once no append is in flight. Events
   * committed from now on stay pending and are shipped by the next run, so a storm of signals
   * cannot hold the switch off. {@link release} undoes it (the run unwinds instead).
   */
  hold(): Promise<void> {
    this.held = true;
    return this.tail;
  }

  /** Ships again after {@link hold}. */
  release(): void {
    this.held = false;
  }

  /** The fold of every committed event; undefined before `IncidentOpened`. */
  get state(): IncidentState | undefined {
    return this.current;
  }

  /** The state, which exists once the incident is open. */
  get open(): IncidentState {
    if (this.current === undefined) throw new Error('the incident is not open yet');
    return this.current;
  }

  /** Numbers and folds a draft; throws (recording nothing) if the reducer refuses it. */
  commit(draft: EventDraft): DomainEvent {
    const event = { ...draft, incidentId: this.incidentId, seq: (this.current?.lastSeq ?? 0) + 1 } as DomainEvent;
    this.current = applyEvent(this.current, event);
    this.events.push(event);
    return event;
  }

  /**
   * Commits a draft that may have been overtaken (a clock reminder that crossed a filing): the
   * reducer is the arbiter, and a refused draft is dropped rather than failing the incident.
   */
  tryCommit(draft: EventDraft): boolean {
    try {
      this.commit(draft);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Appends every event not yet on the audit topic. Appends are chained so they reach the topic
   * in sequence order. It never rejects: an append that fails for good halts shipping (the
   * events stay pending, in order) until an operator retries, so the playbook is never stopped
   * by its own record keeping and no committed event is ever dropped.
   */
  flush(): Promise<void> {
    const run = this.tail.then(() => this.appendPending());
    // Only a cancellation rejects; the chain must go on for the unwinding that follows it.
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Flush without waiting (signal and update handlers). */
  flushInBackground(): void {
    this.flush().catch(() => undefined);
  }

  private async appendPending(): Promise<void> {
    if (this.sink === undefined || this.halt !== undefined || this.held) return;
    const batch = this.events.slice(this.audited);
    if (batch.length === 0) return;
    try {
      await this.sink(batch);
      this.audited += batch.length;
    } catch (err) {
      if (isCancellation(err)) throw err;
      this.halt = describeHalt(err);
      this.onHalt(this.halt, this.audited + 1);
    }
  }
}

/** The failure's stable type (e.g. `AuditConflict`) and message. */
function describeHalt(err: unknown): AuditHalt {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'ApplicationFailure', message: cause.message };
  return { type: cause instanceof Error ? cause.name : 'Error', message: cause instanceof Error ? cause.message : String(cause) };
}
