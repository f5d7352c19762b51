/**
 * The conversation capability the incident flow depends on (design: capability interfaces, never
 * vendor types). Implemented over Slack's Web API in {@link ./web-conversation-port}; anything
 * else (a test double, another chat system) can stand in.
 */

/** A Block Kit block, passed through as JSON; the port does not interpret it. */
export type MessageBlock = Readonly<Record<string, unknown>>;

/**
 * Text with optional rich layout; `text` is always required as the notification fallback. Text is
 * given unescaped: the Slack adapter escapes `&`, `<`, `>` in `text` and in every mrkdwn block,
 * so no caller can (or needs to) put a mention or a link in it.
 */
export interface MessageContent {
  readonly text: string;
  readonly blocks?: readonly MessageBlock[];
}

/** Where a posted message lives; enough to update it later. */
export interface MessageRef {
  readonly channelId: string;
  readonly ts: string;
}

/** A message for an incident channel. */
export interface IncidentMessage extends MessageContent {
  /** Channel id, `#name` or name. */
  readonly channel: string;
  /** Reply in this message's thread. */
  readonly threadTs?: string;
}

/** A message only one user sees. */
export interface EphemeralMessage extends MessageContent {
  readonly channel: string;
  readonly userId: string;
}

/** The channel an incident is worked in. */
export interface IncidentChannelSpec {
  /** Wanted name; normalised to Slack's rules (lower case, `-`, at most 80 characters). */
  readonly name: string;
  readonly topic?: string;
  /** Users who must be members. */
  readonly memberIds?: readonly string[];
  /** @default false */
  readonly isPrivate?: boolean;
}

/** What {@link ConversationPort.ensureIncidentChannel} did. */
export interface IncidentChannel {
  readonly channelId: string;
  readonly name: string;
  /** False when the channel already existed. */
  readonly created: boolean;
  /** Users invited by this call (empty when all were members already). */
  readonly invited: readonly string[];
  /** Whether this call changed the topic. */
  readonly topicSet: boolean;
}

/** Messaging operations of the incident flow. Failures are `ConversationError`s. */
export interface ConversationPort {
  postIncidentMessage(message: IncidentMessage): Promise<MessageRef>;
  updateIncidentMessage(ref: MessageRef, content: MessageContent): Promise<MessageRef>;
  /** Returns the ephemeral message's ts. */
  postEphemeral(message: EphemeralMessage): Promise<{ readonly ts: string }>;
  /** Creates the channel if needed, invites missing members, sets the topic if it differs. Idempotent. */
  ensureIncidentChannel(spec: IncidentChannelSpec): Promise<IncidentChannel>;
  /**
   * Pins a message to its channel. Idempotent: a message pinned already is success. Resolves to
   * false when this call did not pin it (it was pinned before).
   */
  pinMessage(ref: MessageRef): Promise<boolean>;
}

/** Normalises a wanted channel name to Slack's rules. */
export function normaliseChannelName(name: string): string {
  const cleaned = name
    .trim()
    .replace(/^#/, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|-+$/g, '')
    .slice(0, 80);
  if (cleaned.length === 0) throw new RangeError(`channel name ${JSON.stringify(name)} has no usable characters`);
  return cleaned;
}
