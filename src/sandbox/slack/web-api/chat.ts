import {
  channelArg,
  messageJson,
  optionalBlocks,
  optionalString,
  requiredString,
  SlackApiError,
  type MethodContext,
  type MethodHandler,
} from './context';
import type { SandboxChannel } from '../workspace';

/** Slack truncates nothing: longer texts are refused with `msg_too_long`. */
const MAX_TEXT = 40_000;

function messageContent(ctx: MethodContext): { text: string; blocks?: unknown[] } {
  const text = optionalString(ctx.args, 'text');
  const blocks = optionalBlocks(ctx.args);
  const attachments = optionalString(ctx.args, 'attachments');
  if (text === undefined && blocks === undefined && attachments === undefined) throw new SlackApiError('no_text');
  if (text !== undefined && text.length > MAX_TEXT) throw new SlackApiError('msg_too_long');
  return blocks ? { text: text ?? '', blocks } : { text: text ?? '' };
}

function assertCanPost(ctx: MethodContext, ch: SandboxChannel): void {
  if (ch.isArchived) throw new SlackApiError('is_archived');
  if (!ch.members.has(ctx.actor.id)) throw new SlackApiError('not_in_channel');
}

const postMessage: MethodHandler = (ctx) => {
  const ch = channelArg(ctx);
  assertCanPost(ctx, ch);
  const content = messageContent(ctx);
  const threadTs = optionalString(ctx.args, 'thread_ts');
  const m = ctx.workspace.addMessage({
    kind: 'message',
    channel: ch.id,
    user: ctx.actor.id,
    botId: ctx.actor.botId,
    ...content,
    threadTs,
  });
  ctx.record.noteMessage('posted', m, ctx.nowIso());
  return { channel: ch.id, ts: m.ts, message: messageJson(m) };
};

const update: MethodHandler = (ctx) => {
  const ch = channelArg(ctx);
  const ts = requiredString(ctx.args, 'ts', 'message_not_found');
  const m = ctx.workspace.findMessage(ch.id, ts);
  if (!m) throw new SlackApiError('message_not_found');
  // Slack lets an app edit only what it posted itself.
  if (m.user !== ctx.actor.id) throw new SlackApiError('cant_update_message');
  const content = messageContent(ctx);
  m.edits.push({ text: m.text, blocks: m.blocks, replacedAt: ctx.nowIso() });
  m.text = content.text;
  // Slack keeps the old blocks when an update leaves them out; an empty array removes them.
  if (content.blocks !== undefined) m.blocks = content.blocks.length > 0 ? content.blocks : undefined;
  m.edited = { user: ctx.actor.id, ts: ctx.workspace.nextTs() };
  ctx.record.noteMessage('updated', m, ctx.nowIso());
  return { channel: ch.id, ts: m.ts, text: m.text, message: messageJson(m) };
};

const postEphemeral: MethodHandler = (ctx) => {
  const ch = channelArg(ctx);
  const userId = requiredString(ctx.args, 'user', 'user_not_found');
  if (!ctx.workspace.user(userId)) throw new SlackApiError('user_not_found');
  assertCanPost(ctx, ch);
  if (!ch.members.has(userId)) throw new SlackApiError('user_not_in_channel');
  const content = messageContent(ctx);
  const m = ctx.workspace.addMessage({
    kind: 'ephemeral',
    channel: ch.id,
    user: ctx.actor.id,
    botId: ctx.actor.botId,
    ...content,
    threadTs: optionalString(ctx.args, 'thread_ts'),
    visibleTo: userId,
  });
  ctx.record.noteMessage('posted', m, ctx.nowIso());
  return { message_ts: m.ts };
};

const getPermalink: MethodHandler = (ctx) => {
  const ch = channelArg(ctx);
  const ts = requiredString(ctx.args, 'message_ts', 'message_not_found');
  if (!ctx.workspace.findMessage(ch.id, ts)) throw new SlackApiError('message_not_found');
  return { channel: ch.id, permalink: `https://${ctx.workspace.teamDomain}.slack.com/archives/${ch.id}/p${ts.replace('.', '')}` };
};

/** The `chat.*` methods. */
export const CHAT_METHODS: Readonly<Record<string, MethodHandler>> = {
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.postEphemeral': postEphemeral,
  'chat.getPermalink': getPermalink,
};
