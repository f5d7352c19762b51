import type { Logger } from 'pino';
import type { DomainEvent } from '../domain/events';
import { applyEvent, type IncidentState } from '../domain/incident';
import { postOrUpdateIncidentCard, type CardStore } from './cards/card-conversation';
import type { ConversationPort, MessageRef } from './conversation-port';
import { ConversationError } from './errors';

/** Options of {@link WarRoom}. */
export interface WarRoomOptions {
  readonly port: ConversationPort;
  /** Where each incident's card was posted; a durable store keeps a restart from posting a second card. */
  readonly store: CardStore;
  /** Slack user ids to invite into an incident's channel (the people who hold the runbook's roles). */
  readonly members: (state: IncidentState) => readonly string[];
  readonly logger: Logger;
  /** Events arriving within this window edit the card once. @default 300 */
  readonly debounceMs?: number;
}

/** The channel an incident is worked in: `inc-` and its id, within Slack's 80 characters. */
export function warRoomChannelName(incidentId: string): string {
  return `inc-${incidentId.replace(/^incident-/, '')}`.slice(0, 80);
}

/**
 * The Slack war room: each incident gets its own channel (its responders invited) holding one
 * card, edited in place as the incident's events arrive. It is fed by the audit topic, so it
 * shows exactly what the incident recorded, in order, and needs nothing from the workflow.
 * Drills and dry runs get no channel.
 */
export class WarRoom {
  private readonly states = new Map<string, IncidentState>();
  private readonly channels = new Map<string, string>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** Cards whose message is gone (channel deleted or archived, or a workspace that lost it): post anew. */
  private readonly gone = new Set<string>();
  /** The card message each incident's pin is known to be on; a card posted anew is pinned again. */
  private readonly pinned = new Map<string, string>();
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly options: WarRoomOptions) {}

  /** Folds one event from the audit topic and schedules the card's edit. Unfoldable events are skipped. */
  accept(event: DomainEvent): void {
    let state: IncidentState;
    try {
      state = applyEvent(this.states.get(event.incidentId), event);
    } catch (err) {
      // A generation's events after a gap (the war room started mid-topic) cannot be folded: say so once.
      this.options.logger.debug({ err, incidentId: event.incidentId, seq: event.seq }, 'war room: event not folded');
      return;
    }
    this.states.set(event.incidentId, state);
    if (state.mode !== 'live') return;
    const waiting = this.pending.get(event.incidentId);
    if (waiting !== undefined) clearTimeout(waiting);
    this.pending.set(
      event.incidentId,
      setTimeout(() => {
        this.pending.delete(event.incidentId);
        this.chain = this.chain.then(() => this.refresh(event.incidentId));
      }, this.options.debounceMs ?? 300),
    );
  }

  /** Waits until every scheduled card edit has been sent (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await new Promise((r) => setTimeout(r, 20));
    await this.chain;
  }

  /** Stops scheduling edits. */
  close(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
  }

  /** The channel id of an incident's war room, once made. */
  channelOf(incidentId: string): string | undefined {
    return this.channels.get(incidentId);
  }

  private async refresh(incidentId: string): Promise<void> {
    const state = this.states.get(incidentId);
    if (state === undefined) return;
    const logger = this.options.logger.child({ incidentId, component: 'war-room' });
    try {
      await this.show(incidentId, state, logger);
    } catch (first) {
      let err: unknown = first;
      if (first instanceof ConversationError && (first.code === 'channel_not_found' || first.code === 'message_not_found' || first.code === 'is_archived')) {
        // The card's channel or message no longer exists: open the channel again and post a new card.
        logger.warn({ code: first.code }, 'war room: the card is gone; posting a new one');
        this.channels.delete(incidentId);
        this.gone.add(incidentId);
        try {
          await this.show(incidentId, state, logger);
          return;
        } catch (again) {
          err = again;
        }
      }
      // The card is a view: a Slack failure is logged and the next event tries again.
      logger.warn({ err }, 'war room: could not update the incident card');
    }
  }

  private async show(incidentId: string, state: IncidentState, logger: WarRoomOptions['logger']): Promise<void> {
    let channel = this.channels.get(incidentId);
    if (channel === undefined) {
      const made = await this.options.port.ensureIncidentChannel({
        name: warRoomChannelName(incidentId),
        topic: `${state.severity.toUpperCase()}: ${state.title}`.slice(0, 250),
        memberIds: this.options.members(state),
      });
      channel = made.channelId;
      this.channels.set(incidentId, channel);
      if (made.created) logger.info({ channel: made.name, invited: made.invited.length }, 'war room opened');
    }
    const store = this.options.store;
    const gone = this.gone;
    const ref = await postOrUpdateIncidentCard(
      {
        port: this.options.port,
        channel,
        store: {
          get: (id: string): MessageRef | undefined => (gone.has(id) ? undefined : store.get(id)),
          set: (id: string, ref: MessageRef): void => {
            gone.delete(id);
            store.set(id, ref);
          },
        },
      },
      state,
    );
    await this.pin(incidentId, ref, logger);
  }

  /**
   * Keeps the card pinned: once per card message (`already_pinned` after a restart is success),
   * and again when the card had to be posted anew. A failed pin is tried again with the next event.
   */
  private async pin(incidentId: string, ref: MessageRef, logger: WarRoomOptions['logger']): Promise<void> {
    const key = `${ref.channelId}/${ref.ts}`;
    if (this.pinned.get(incidentId) === key) return;
    const added = await this.options.port.pinMessage(ref);
    this.pinned.set(incidentId, key);
    if (added) logger.info({ channel: ref.channelId }, 'war room: incident card pinned');
  }
}
