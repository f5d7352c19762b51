import { CHANNEL_NAME, type SandboxChannel } from '../workspace';
import {
  channelArg,
  channelJson,
  messageJson,
  optionalBoolean,
  optionalInt,
  optionalString,
  requiredString,
  SlackApiError,
  type MethodContext,
  type MethodHandler,
} from './context';

const MAX_TOPIC = 250;

/** Opaque cursors in Slack's style (base64 of a position); they only round-trip. */
export function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64');
}

function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const m = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (!m) throw new SlackApiError('invalid_cursor');
  return Number(m[1]);
}

/** One page of `items` plus Slack's `response_metadata.next_cursor` ('' on the last page). */
function page<T>(items: readonly T[], ctx: MethodContext, defaultLimit: number, maxLimit: number): { items: T[]; nextCursor: string } {
  const start = decodeCursor(optionalString(ctx.args, 'cursor'));
  const limit = optionalInt(ctx.args, 'limit', 1, maxLimit) ?? defaultLimit;
  const slice = items.slice(start, start + limit);
  const next = start + limit < items.length ? encodeCursor(start + limit) : '';
  return { items: slice, nextCursor: next };
}

/** A private channel is invisible to whoever is not in it: Slack answers `channel_not_found`. */
function visibleChannel(ctx: MethodContext): SandboxChannel {
  const ch = channelArg(ctx);
  if (ch.isPrivate && !ch.members.has(ctx.actor.id)) throw new SlackApiError('channel_not_found');
  return ch;
}

function requireMember(ctx: MethodContext, ch: SandboxChannel): void {
  if (!ch.members.has(ctx.actor.id)) throw new SlackApiError('not_in_channel');
}

const create: MethodHandler = (ctx) => {
  const name = optionalString(ctx.args, 'name');
  if (name === undefined) throw new SlackApiError('invalid_name_required');
  if (name.length > 80) throw new SlackApiError('invalid_name_maxlength');
  if (!CHANNEL_NAME.test(name)) throw new SlackApiError('invalid_name_specials');
  if (ctx.workspace.channel(name)) throw new SlackApiError('name_taken');
  const ch = ctx.workspace.createChannel(name, optionalBoolean(ctx.args, 'is_private') ?? false, ctx.actor.id);
  return { channel: channelJson(ch, ctx.actor.id) };
};

const invite: MethodHandler = (ctx) => {
  const ch = visibleChannel(ctx);
  const users = requiredString(ctx.args, 'users', 'no_user')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  if (users.length === 0) throw new SlackApiError('no_user');
  if (users.length > 1000) throw new SlackApiError('too_many_users');
  requireMember(ctx, ch);
  if (ch.isIm) throw new SlackApiError('method_not_supported_for_channel_type');
  if (ch.isArchived) throw new SlackApiError('is_archived');
  for (const id of users) {
    if (id === ctx.actor.id) throw new SlackApiError('cant_invite_self');
    if (!ctx.workspace.user(id)) throw new SlackApiError('user_not_found');
    if (ch.members.has(id)) throw new SlackApiError('already_in_channel');
  }
  for (const id of users) ch.members.add(id);
  return { channel: channelJson(ch, ctx.actor.id) };
};

const setTopic: MethodHandler = (ctx) => {
  const ch = visibleChannel(ctx);
  const topic = optionalString(ctx.args, 'topic') ?? '';
  if (topic.length > MAX_TOPIC) throw new SlackApiError('too_long');
  requireMember(ctx, ch);
  if (ch.isArchived) throw new SlackApiError('is_archived');
  ch.topic = { value: topic, creator: ctx.actor.id, last_set: ctx.workspace.nowSeconds() };
  return { channel: channelJson(ch, ctx.actor.id) };
};

const open: MethodHandler = (ctx) => {
  const users = requiredString(ctx.args, 'users', 'users_list_not_supplied').split(',').map((u) => u.trim()).filter(Boolean);
  // Group DMs are out of scope for the sandbox; breachline only writes to one person at a time.
  if (users.length !== 1) throw new SlackApiError('not_enough_users');
  const user = ctx.workspace.user(users[0] as string);
  if (!user || user.isBot) throw new SlackApiError('user_not_found');
  const dm = ctx.workspace.directMessage(user.id);
  return { channel: { id: dm.id } };
};

const info: MethodHandler = (ctx) => ({ channel: channelJson(visibleChannel(ctx), ctx.actor.id) });

const join: MethodHandler = (ctx) => {
  const ch = visibleChannel(ctx);
  if (ch.isPrivate) throw new SlackApiError('method_not_supported_for_channel_type');
  if (ch.isArchived) throw new SlackApiError('is_archived');
  ch.members.add(ctx.actor.id);
  return { channel: channelJson(ch, ctx.actor.id) };
};

const history: MethodHandler = (ctx) => {
  const ch = visibleChannel(ctx);
  // A bot reads a channel's history only from inside it.
  requireMember(ctx, ch);
  const latest = optionalString(ctx.args, 'latest');
  const oldest = optionalString(ctx.args, 'oldest') ?? '0';
  const inclusive = optionalBoolean(ctx.args, 'inclusive') ?? false;
  const after = (ts: string): boolean => (inclusive ? Number(ts) >= Number(oldest) : Number(ts) > Number(oldest));
  const before = (ts: string): boolean => latest === undefined || (inclusive ? Number(ts) <= Number(latest) : Number(ts) < Number(latest));
  const visible = ctx.workspace
    .history(ch.id)
    // Thread replies live in conversations.replies; history shows only the top level.
    .filter((m) => m.threadTs === undefined || m.threadTs === m.ts)
    .filter((m) => after(m.ts) && before(m.ts))
    .reverse();
  const p = page(visible, ctx, 100, 999);
  return { messages: p.items.map(messageJson), has_more: p.nextCursor !== '', pin_count: ctx.workspace.pinnedIn(ch.id).length, response_metadata: { next_cursor: p.nextCursor } };
};

const list: MethodHandler = (ctx) => {
  const types = (optionalString(ctx.args, 'types') ?? 'public_channel').split(',').map((t) => t.trim());
  const excludeArchived = optionalBoolean(ctx.args, 'exclude_archived') ?? false;
  const matching = ctx.workspace.allChannels().filter((c) => {
    if (excludeArchived && c.isArchived) return false;
    if (c.isIm) return types.includes('im') && c.members.has(ctx.actor.id);
    if (c.isPrivate) return types.includes('private_channel') && c.members.has(ctx.actor.id);
    return types.includes('public_channel');
  });
  const p = page(matching, ctx, 100, 1000);
  return { channels: p.items.map((c) => channelJson(c, ctx.actor.id)), response_metadata: { next_cursor: p.nextCursor } };
};

const members: MethodHandler = (ctx) => {
  const ch = visibleChannel(ctx);
  const p = page([...ch.members], ctx, 100, 1000);
  return { members: p.items, response_metadata: { next_cursor: p.nextCursor } };
};

/** The `conversations.*` methods. */
export const CONVERSATION_METHODS: Readonly<Record<string, MethodHandler>> = {
  'conversations.create': create,
  'conversations.invite': invite,
  'conversations.setTopic': setTopic,
  'conversations.info': info,
  'conversations.open': open,
  'conversations.join': join,
  'conversations.history': history,
  'conversations.list': list,
  'conversations.members': members,
};
