import { WebClient, WebClientEvent, type WebAPICallResult } from '@slack/web-api';
import type { Logger } from '../log/logger';
import {
  normaliseChannelName,
  type ConversationPort,
  type EphemeralMessage,
  type IncidentChannel,
  type IncidentChannelSpec,
  type IncidentMessage,
  type MessageContent,
  type MessageRef,
} from './conversation-port';
import { ConversationError, toConversationError } from './errors';
import { escapeBlocks, escapeSlackText } from './mrkdwn';
import { webClientOptions, type SlackClientOptions } from './web-client';

/** Options for {@link createWebConversationPort}. */
export interface WebConversationPortOptions extends SlackClientOptions {
  readonly botToken: string;
}

interface ChannelFields {
  id?: string;
  name?: string;
  topic?: { value?: string };
}

/**
 * The conversation port over Slack's Web API. Every call goes through the SDK's WebClient, which
 * retries 429s after `Retry-After` and 5xx/network failures with backoff; what still fails
 * surfaces as a {@link ConversationError} with `retriable` set.
 */
export class WebConversationPort implements ConversationPort {
  private readonly rateLimitsSeen = new Map<string, number>();

  constructor(
    private readonly client: WebClient,
    private readonly logger: Logger,
  ) {
    client.on(WebClientEvent.RATE_LIMITED, (retryAfter: number, info: { url?: string }) => {
      const method = info.url?.split('/').pop() ?? '';
      this.rateLimitsSeen.set(method, (this.rateLimitsSeen.get(method) ?? 0) + 1);
      this.logger.info({ method, retryAfter }, 'slack rate limited a call; waiting Retry-After');
    });
  }

  // Every text handed to the port is ours to format but may carry words users typed (reasons,
  // resolutions, breaker names); it is escaped here, once, so nothing posted can mention or link.
  async postIncidentMessage(message: IncidentMessage): Promise<MessageRef> {
    const res = await this.call('chat.postMessage', {
      channel: message.channel,
      text: escapeSlackText(message.text),
      ...(message.blocks ? { blocks: escapeBlocks(message.blocks) } : {}),
      ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
      unfurl_links: false,
    });
    return { channelId: stringField(res, 'channel', 'chat.postMessage'), ts: stringField(res, 'ts', 'chat.postMessage') };
  }

  async updateIncidentMessage(ref: MessageRef, content: MessageContent): Promise<MessageRef> {
    const res = await this.call('chat.update', {
      channel: ref.channelId,
      ts: ref.ts,
      text: escapeSlackText(content.text),
      // An update without blocks would keep the old ones on Slack's side; send [] to clear them.
      blocks: escapeBlocks(content.blocks ?? []),
    });
    return { channelId: stringField(res, 'channel', 'chat.update'), ts: stringField(res, 'ts', 'chat.update') };
  }

  async postEphemeral(message: EphemeralMessage): Promise<{ readonly ts: string }> {
    const res = await this.call('chat.postEphemeral', {
      channel: message.channel,
      user: message.userId,
      text: escapeSlackText(message.text),
      ...(message.blocks ? { blocks: escapeBlocks(message.blocks) } : {}),
    });
    return { ts: stringField(res, 'message_ts', 'chat.postEphemeral') };
  }

  async ensureIncidentChannel(spec: IncidentChannelSpec): Promise<IncidentChannel> {
    const name = normaliseChannelName(spec.name);
    let created = false;
    let channel: ChannelFields;
    try {
      const res = await this.call('conversations.create', { name, is_private: spec.isPrivate ?? false });
      channel = (res as { channel?: ChannelFields }).channel ?? {};
      created = true;
    } catch (err) {
      // Someone (or an earlier attempt of this step) made it already: adopt it.
      if (!(err instanceof ConversationError) || err.code !== 'name_taken') throw err;
      channel = await this.findChannel(name, spec.isPrivate ?? false);
    }
    const channelId = channel.id;
    if (!channelId) throw new ConversationError(`conversations.create returned no channel id for ${name}`, 'invalid_response', 'platform', false, 'conversations.create');

    const invited = await this.inviteMissing(channelId, spec.memberIds ?? []);
    let topicSet = false;
    if (spec.topic !== undefined) {
      const current = created ? '' : await this.topicOf(channelId);
      if (current !== spec.topic) {
        await this.call('conversations.setTopic', { channel: channelId, topic: spec.topic });
        topicSet = true;
      }
    }
    return { channelId, name: channel.name ?? name, created, invited, topicSet };
  }

  async pinMessage(ref: MessageRef): Promise<boolean> {
    try {
      await this.call('pins.add', { channel: ref.channelId, timestamp: ref.ts });
      return true;
    } catch (err) {
      // Pinned by an earlier attempt, a restarted app or a person: the goal is met.
      if (err instanceof ConversationError && err.code === 'already_pinned') return false;
      throw err;
    }
  }

  private async findChannel(name: string, isPrivate: boolean): Promise<ChannelFields> {
    let cursor: string | undefined;
    do {
      const res = await this.call('conversations.list', {
        types: isPrivate ? 'private_channel' : 'public_channel',
        exclude_archived: true,
        limit: 200,
        ...(cursor ? { cursor } : {}),
      });
      const found = ((res as { channels?: ChannelFields[] }).channels ?? []).find((c) => c.name === name);
      if (found) return found;
      cursor = (res as { response_metadata?: { next_cursor?: string } }).response_metadata?.next_cursor || undefined;
    } while (cursor);
    // name_taken but not listed: an archived channel, or a private one the bot is not in.
    throw new ConversationError(`channel ${name} exists but is not usable by the bot`, 'name_taken', 'invalid', false, 'conversations.create');
  }

  private async inviteMissing(channelId: string, wanted: readonly string[]): Promise<string[]> {
    if (wanted.length === 0) return [];
    const members = new Set<string>();
    let cursor: string | undefined;
    do {
      const res = await this.call('conversations.members', { channel: channelId, limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const m of (res as { members?: string[] }).members ?? []) members.add(m);
      cursor = (res as { response_metadata?: { next_cursor?: string } }).response_metadata?.next_cursor || undefined;
    } while (cursor);
    const missing = [...new Set(wanted)].filter((u) => !members.has(u));
    if (missing.length === 0) return [];
    try {
      await this.call('conversations.invite', { channel: channelId, users: missing.join(',') });
    } catch (err) {
      // Lost a race with another invite: the goal (membership) is met.
      if (err instanceof ConversationError && err.code === 'already_in_channel') return [];
      throw err;
    }
    return missing;
  }

  private async topicOf(channelId: string): Promise<string> {
    const res = await this.call('conversations.info', { channel: channelId });
    return (res as { channel?: ChannelFields }).channel?.topic?.value ?? '';
  }

  /** One Web API call with errors translated; tokens never appear in what is logged. */
  private async call(method: string, args: Record<string, unknown>): Promise<WebAPICallResult> {
    const before = this.rateLimitsSeen.get(method) ?? 0;
    try {
      return await this.client.apiCall(method, args);
    } catch (err) {
      const failure = toConversationError(method, err, (this.rateLimitsSeen.get(method) ?? 0) > before);
      this.logger.warn({ method, code: failure.code, retriable: failure.retriable }, 'slack call failed');
      throw failure;
    }
  }
}

function stringField(res: WebAPICallResult, field: string, method: string): string {
  const v = (res as unknown as Record<string, unknown>)[field];
  if (typeof v !== 'string') throw new ConversationError(`${method} answered without ${field}`, 'invalid_response', 'platform', false, method);
  return v;
}

/** Builds the Web API conversation port for a bot token. */
export function createWebConversationPort(options: WebConversationPortOptions): WebConversationPort {
  const client = new WebClient(options.botToken, webClientOptions({ ...options, secrets: options.secrets }));
  return new WebConversationPort(client, options.logger);
}
