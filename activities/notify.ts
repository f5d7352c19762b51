import type { Logger } from '../src/log/logger';
import type { ConversationPort, MessageBlock, MessageRef } from '../src/slack/conversation-port';

/** Dependencies of {@link createNotifyActivities}. */
export interface NotifyActivityDeps {
  /** Absent: messages are only logged (e.g. no Slack configured for a drill). */
  conversation?: ConversationPort;
  /** Default channel for incident messages, e.g. `#incidents`. */
  channel: string;
  logger: Logger;
}

/** A message about an incident. */
export interface NotifyInput {
  incidentId: string;
  text: string;
  blocks?: unknown[];
  /** Overrides the default channel. */
  channel?: string;
  /** Edit this earlier message in place instead of posting a new one (progress that moves). */
  replace?: MessageRef;
}

/**
 * Best-effort incident messages over the conversation port. They never fail the caller: a Slack
 * outage is logged and reported as `posted: false`, because a chat message must never hold up
 * containment or a regulatory clock.
 */
export function createNotifyActivities(deps: NotifyActivityDeps): {
  notify(input: NotifyInput): Promise<{ posted: boolean; ref?: MessageRef }>;
} {
  return {
    async notify(input) {
      const logger = deps.logger.child({ incidentId: input.incidentId, activity: 'notify' });
      if (deps.conversation === undefined) {
        logger.info({ text: input.text }, 'no conversation port configured; message not posted');
        return { posted: false };
      }
      const blocks = input.blocks !== undefined ? { blocks: input.blocks as MessageBlock[] } : {};
      try {
        if (input.replace !== undefined) {
          const ref = await deps.conversation.updateIncidentMessage(input.replace, { text: input.text, ...blocks });
          return { posted: true, ref: { channelId: ref.channelId, ts: ref.ts } };
        }
        const ref = await deps.conversation.postIncidentMessage({ channel: input.channel ?? deps.channel, text: input.text, ...blocks });
        return { posted: true, ref: { channelId: ref.channelId, ts: ref.ts } };
      } catch (err) {
        logger.warn({ err: { name: (err as Error).name, message: (err as Error).message } }, 'incident message not posted');
        return { posted: false };
      }
    },
  };
}
