import type { CallRecord } from '../call-record';
import type { SandboxChannel, SandboxMessage, SandboxUser, Workspace } from '../workspace';

/** Arguments of one call: strings from a form or query, any JSON value from a JSON body. */
export type MethodArgs = Readonly<Record<string, unknown>>;

/** Everything a Web API method handler may touch. */
export interface MethodContext {
  readonly args: MethodArgs;
  readonly workspace: Workspace;
  readonly record: CallRecord;
  /** The user the token belongs to (the bot, for a bot token). */
  readonly actor: SandboxUser;
  /** How long a `trigger_id` stays valid. */
  readonly triggerTtlMs: number;
  nowIso(): string;
}

/** A Web API method: returns the fields of an `ok: true` answer or throws {@link SlackApiError}. */
export type MethodHandler = (ctx: MethodContext) => Record<string, unknown>;

/**
 * Slack's `{ok: false, error}` answer. Thrown by handlers; the server turns it into HTTP 200 with
 * that body, because Slack reports API errors in the body, not the status.
 */
export class SlackApiError extends Error {
  constructor(
    readonly error: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(error);
    this.name = 'SlackApiError';
  }
}

/** `invalid_arguments` with the `[ERROR]` message Slack puts in `response_metadata.messages`. */
export function invalidArguments(detail: string): SlackApiError {
  return new SlackApiError('invalid_arguments', { response_metadata: { messages: [`[ERROR] ${detail}`] } });
}

/** A string argument; numbers and booleans from JSON bodies are accepted in their text form. */
export function optionalString(args: MethodArgs, name: string): string | undefined {
  const v = args[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw invalidArguments(`invalid type for field: ${name}`);
}

/** A required string argument; a missing one is `invalid_arguments`, unless Slack names it otherwise. */
export function requiredString(args: MethodArgs, name: string, missingError?: string): string {
  const v = optionalString(args, name);
  if (v === undefined) throw missingError ? new SlackApiError(missingError) : invalidArguments(`missing required field: ${name}`);
  return v;
}

/** A boolean argument: form bodies send `true`/`1`. */
export function optionalBoolean(args: MethodArgs, name: string): boolean | undefined {
  const v = args[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1' || v === 1) return true;
  if (v === 'false' || v === '0' || v === 0) return false;
  throw invalidArguments(`invalid type for field: ${name}`);
}

/** An integer argument within bounds. */
export function optionalInt(args: MethodArgs, name: string, min: number, max: number): number | undefined {
  const raw = args[name];
  if (raw === undefined || raw === null || raw === '') return undefined;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n)) throw invalidArguments(`invalid type for field: ${name}`);
  return Math.min(max, Math.max(min, n));
}

/**
 * A JSON argument. Form bodies carry objects as JSON text (that is how @slack/web-api sends
 * `blocks` and `view`); JSON bodies carry them as values.
 */
export function optionalJson(args: MethodArgs, name: string, badError: string): unknown {
  const v = args[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    throw new SlackApiError(badError);
  }
}

/** Block Kit blocks: an array of objects each with a string `type`, at most 50 as Slack allows. */
export function optionalBlocks(args: MethodArgs): unknown[] | undefined {
  const blocks = optionalJson(args, 'blocks', 'invalid_blocks_format');
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks)) throw new SlackApiError('invalid_blocks_format');
  if (blocks.length > 50) throw new SlackApiError('invalid_blocks', { response_metadata: { messages: ['[ERROR] no more than 50 items allowed'] } });
  for (const b of blocks) {
    if (typeof b !== 'object' || b === null || typeof (b as { type?: unknown }).type !== 'string') {
      throw new SlackApiError('invalid_blocks', { response_metadata: { messages: ['[ERROR] missing required field: type'] } });
    }
  }
  return blocks;
}

/** Resolves a channel argument (id, `#name` or name) or fails with `channel_not_found`. */
export function channelArg(ctx: MethodContext, name = 'channel'): SandboxChannel {
  const ref = requiredString(ctx.args, name, 'channel_not_found');
  const ch = ctx.workspace.channel(ref);
  if (!ch) throw new SlackApiError('channel_not_found');
  return ch;
}

/** Slack's `channel` object, as `conversations.info` and `conversations.create` return it. */
export function channelJson(ch: SandboxChannel, viewer: string): Record<string, unknown> {
  if (ch.isIm) return { id: ch.id, created: ch.created, is_im: true, is_org_shared: false, user: ch.name, is_user_deleted: false };
  return {
    id: ch.id,
    name: ch.name,
    name_normalized: ch.name,
    is_channel: !ch.isPrivate,
    is_group: ch.isPrivate,
    is_im: false,
    is_private: ch.isPrivate,
    is_archived: ch.isArchived,
    is_general: ch.name === 'general',
    is_member: ch.members.has(viewer),
    created: ch.created,
    creator: ch.creator,
    num_members: ch.members.size,
    topic: { ...ch.topic },
    purpose: { ...ch.purpose },
  };
}

/** Slack's `message` object. */
export function messageJson(m: SandboxMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { type: 'message', ts: m.ts, user: m.user, text: m.text };
  if (m.botId) out.bot_id = m.botId;
  if (m.blocks) out.blocks = m.blocks;
  if (m.threadTs) out.thread_ts = m.threadTs;
  if (m.edited) out.edited = { ...m.edited };
  if (m.pinned) out.pinned_to = [m.channel];
  return out;
}
