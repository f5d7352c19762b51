import { applyEvent, type IncidentState } from '../src/domain/incident';
import type { DomainEvent } from '../src/domain/events';
import type { EventDraft } from '../src/domain/step-contract';

/** Appends events to the audit topic (the `appendAudit` activity), or nothing in dry-run mode. */
export type AuditSink = (events: DomainEvent[]) => Promise<void>;

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

  constructor(
    readonly incidentId: string,
    private readonly sink: AuditSink | undefined,
  ) {}

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
   * in sequence order; a failed append leaves its events pending for the next flush.
   */
  flush(): Promise<void> {
    const run = this.tail.then(() => this.appendPending());
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Flush from a signal handler: a failure is retried by the next flush of the main flow. */
  flushInBackground(): void {
    this.flush().catch(() => undefined);
  }

  private async appendPending(): Promise<void> {
    if (this.sink === undefined) return;
    const batch = this.events.slice(this.audited);
    if (batch.length === 0) return;
    await this.sink(batch);
    this.audited += batch.length;
  }
}
