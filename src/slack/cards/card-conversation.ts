import type { IncidentState } from '../../domain/incident';
import type { ConversationPort, MessageRef } from '../conversation-port';
import { renderIncidentCard } from './incident-card';

/** Remembers where each incident's card was posted, so later states edit it in place. */
export interface CardStore {
  get(incidentId: string): MessageRef | undefined;
  set(incidentId: string, ref: MessageRef): void;
}

/** A process-local {@link CardStore}. Enough for one app instance; a restart posts a fresh card. */
export class MemoryCardStore implements CardStore {
  private readonly refs = new Map<string, MessageRef>();
  get(incidentId: string): MessageRef | undefined {
    return this.refs.get(incidentId);
  }
  set(incidentId: string, ref: MessageRef): void {
    this.refs.set(incidentId, ref);
  }
}

/** Where incident cards go: the conversation port, the default channel, and the card refs. */
export interface CardConversation {
  readonly port: ConversationPort;
  /** Channel id, `#name` or name for new cards. */
  readonly channel: string;
  readonly store: CardStore;
}

/**
 * Posts the incident's card the first time and edits that same message afterwards
 * (`chat.update`), so a channel holds one card per incident that always shows its latest state.
 * Meant for the workflow's notify activity as well as the Slack handlers.
 */
export async function postOrUpdateIncidentCard(conversation: CardConversation, state: IncidentState): Promise<MessageRef> {
  const content = renderIncidentCard(state);
  const existing = conversation.store.get(state.incidentId);
  const ref = existing
    ? await conversation.port.updateIncidentMessage(existing, content)
    : await conversation.port.postIncidentMessage({ channel: conversation.channel, ...content });
  conversation.store.set(state.incidentId, ref);
  return ref;
}
