import { randomBytes } from 'node:crypto';
import { slackId, type SandboxView } from '../workspace';
import { optionalJson, optionalString, requiredString, SlackApiError, type MethodContext, type MethodHandler } from './context';

/** Checks a view payload the way Slack does before showing it; returns it as an object. */
function viewArg(ctx: MethodContext, allowedTypes: readonly string[]): Record<string, unknown> {
  const view = optionalJson(ctx.args, 'view', 'invalid_arguments');
  if (view === undefined) throw new SlackApiError('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: view'] } });
  if (typeof view !== 'object' || view === null || Array.isArray(view)) throw new SlackApiError('invalid_arguments');
  const v = view as Record<string, unknown>;
  if (typeof v.type !== 'string' || !allowedTypes.includes(v.type)) {
    throw new SlackApiError('invalid_arguments', { response_metadata: { messages: [`[ERROR] must be one of: ${allowedTypes.join(', ')} [json-pointer:/view/type]`] } });
  }
  if (!Array.isArray(v.blocks)) throw new SlackApiError('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: blocks [json-pointer:/view]'] } });
  if (v.type === 'modal' && (typeof v.title !== 'object' || v.title === null)) {
    throw new SlackApiError('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: title [json-pointer:/view]'] } });
  }
  return v;
}

function newHash(ctx: MethodContext): string {
  return `${ctx.workspace.nowSeconds()}.${randomBytes(4).toString('hex')}`;
}

/** Slack's `view` object as returned by every `views.*` method. */
function viewJson(ctx: MethodContext, v: SandboxView): Record<string, unknown> {
  return {
    id: v.id,
    team_id: v.teamId,
    callback_id: '',
    private_metadata: '',
    external_id: v.externalId ?? '',
    ...v.view,
    state: { values: {} },
    hash: v.hash,
    root_view_id: v.id,
    previous_view_id: null,
    bot_id: ctx.actor.botId ?? null,
  };
}

const open: MethodHandler = (ctx) => {
  const trigger = requiredString(ctx.args, 'trigger_id', 'invalid_trigger_id');
  const view = viewArg(ctx, ['modal']);
  const spent = ctx.workspace.consumeTrigger(trigger, ctx.triggerTtlMs);
  if (spent === 'invalid') throw new SlackApiError('invalid_trigger_id');
  if (spent === 'expired') throw new SlackApiError('expired_trigger_id');
  const externalId = typeof view.external_id === 'string' && view.external_id !== '' ? view.external_id : undefined;
  if (externalId && ctx.workspace.viewByExternalId(externalId)) throw new SlackApiError('duplicate_external_id');
  const stored = ctx.workspace.putView({ id: slackId('V'), teamId: ctx.workspace.teamId, view, hash: newHash(ctx), externalId });
  return { view: viewJson(ctx, stored) };
};

const update: MethodHandler = (ctx) => {
  const id = optionalString(ctx.args, 'view_id');
  const externalId = optionalString(ctx.args, 'external_id');
  if (!id && !externalId) throw new SlackApiError('invalid_arguments', { response_metadata: { messages: ['[ERROR] either view_id or external_id is required'] } });
  const view = viewArg(ctx, ['modal']);
  const existing = id ? ctx.workspace.view(id) : ctx.workspace.viewByExternalId(externalId as string);
  if (!existing) throw new SlackApiError('not_found');
  const hash = optionalString(ctx.args, 'hash');
  // The hash guards against a race between two updates of the same view.
  if (hash !== undefined && hash !== existing.hash) throw new SlackApiError('hash_conflict');
  existing.view = view;
  existing.hash = newHash(ctx);
  return { view: viewJson(ctx, existing) };
};

const publish: MethodHandler = (ctx) => {
  const userId = requiredString(ctx.args, 'user_id', 'invalid_arguments');
  if (!ctx.workspace.user(userId)) throw new SlackApiError('user_not_found');
  const view = viewArg(ctx, ['home']);
  const homeId = `home:${userId}`;
  const existing = ctx.workspace.viewByExternalId(homeId);
  const hash = optionalString(ctx.args, 'hash');
  if (existing && hash !== undefined && hash !== existing.hash) throw new SlackApiError('hash_conflict');
  const stored = existing ?? ctx.workspace.putView({ id: slackId('V'), teamId: ctx.workspace.teamId, userId, view, hash: '', externalId: homeId });
  stored.view = view;
  stored.hash = newHash(ctx);
  const json = viewJson(ctx, stored);
  // The home tab's lookup key is internal; Slack shows no external id for it.
  json.external_id = '';
  return { view: json };
};

/** The `views.*` methods. */
export const VIEW_METHODS: Readonly<Record<string, MethodHandler>> = {
  'views.open': open,
  'views.update': update,
  'views.publish': publish,
};
