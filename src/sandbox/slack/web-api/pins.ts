import type { SandboxChannel, SandboxMessage } from '../workspace';
import { channelArg, messageJson, optionalString, SlackApiError, type MethodContext, type MethodHandler } from './context';

/** Slack keeps at most this many pins per channel; one more is `too_many_pins`. */
const MAX_PINS = 100;

/** A message `ts`: Unix seconds, a dot, six digits. Anything else is `bad_timestamp`. */
const TS = /^\d{1,12}\.\d{6}$/;

/**
 * The channel of a pins call. A private channel the caller is not in does not exist for it
 * (`channel_not_found`); a public one it has not joined is `not_in_channel`.
 */
function pinChannel(ctx: MethodContext): SandboxChannel {
  const ch = channelArg(ctx);
  if (ch.isPrivate && !ch.members.has(ctx.actor.id)) throw new SlackApiError('channel_not_found');
  if (!ch.members.has(ctx.actor.id)) throw new SlackApiError('not_in_channel');
  return ch;
}

/** The message named by `timestamp`: missing is `no_item_specified`, malformed `bad_timestamp`. */
function pinTarget(ctx: MethodContext, ch: SandboxChannel): SandboxMessage {
  const ts = optionalString(ctx.args, 'timestamp');
  if (ts === undefined) throw new SlackApiError('no_item_specified');
  if (!TS.test(ts)) throw new SlackApiError('bad_timestamp');
  const m = ctx.workspace.findMessage(ch.id, ts);
  if (!m) throw new SlackApiError('message_not_found');
  return m;
}

const add: MethodHandler = (ctx) => {
  const ch = pinChannel(ctx);
  if (ch.isArchived) throw new SlackApiError('is_archived');
  const m = pinTarget(ctx, ch);
  if (m.pinned !== undefined) throw new SlackApiError('already_pinned');
  if (ctx.workspace.pinnedIn(ch.id).length >= MAX_PINS) throw new SlackApiError('too_many_pins');
  m.pinned = { by: ctx.actor.id, at: ctx.workspace.nowSeconds() };
  return {};
};

const remove: MethodHandler = (ctx) => {
  const ch = pinChannel(ctx);
  const m = pinTarget(ctx, ch);
  if (m.pinned === undefined) throw new SlackApiError('no_pin');
  m.pinned = undefined;
  return {};
};

const list: MethodHandler = (ctx) => {
  const ch = pinChannel(ctx);
  const items = ctx.workspace.pinnedIn(ch.id).map((m) => ({
    type: 'message',
    created: m.pinned?.at ?? 0,
    created_by: m.pinned?.by ?? '',
    channel: ch.id,
    message: { ...messageJson(m), permalink: `https://${ctx.workspace.teamDomain}.slack.com/archives/${ch.id}/p${m.ts.replace('.', '')}` },
  }));
  return { items };
};

/** The `pins.*` methods: a channel's pinned messages, as the war room keeps its card on top. */
export const PIN_METHODS: Readonly<Record<string, MethodHandler>> = {
  'pins.add': add,
  'pins.list': list,
  'pins.remove': remove,
};
