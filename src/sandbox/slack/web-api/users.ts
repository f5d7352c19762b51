import type { SandboxUser } from '../workspace';
import { encodeCursor } from './conversations';
import { optionalInt, optionalString, requiredString, SlackApiError, type MethodHandler } from './context';

/** Slack's `user` object (the fields the app reads). */
function userJson(u: SandboxUser, teamId: string): Record<string, unknown> {
  return {
    id: u.id,
    team_id: teamId,
    name: u.name,
    real_name: u.realName,
    deleted: false,
    is_bot: u.isBot,
    is_app_user: false,
    tz: 'Etc/UTC',
    profile: {
      real_name: u.realName,
      display_name: u.name,
      ...(u.email ? { email: u.email } : {}),
      ...(u.botId ? { bot_id: u.botId } : {}),
    },
  };
}

const info: MethodHandler = (ctx) => {
  const id = requiredString(ctx.args, 'user', 'user_not_found');
  const u = ctx.workspace.user(id);
  if (!u) throw new SlackApiError('user_not_found');
  return { user: userJson(u, ctx.workspace.teamId) };
};

const list: MethodHandler = (ctx) => {
  const all = ctx.workspace.allUsers();
  const cursor = optionalString(ctx.args, 'cursor');
  let start = 0;
  if (cursor !== undefined) {
    const m = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
    if (!m) throw new SlackApiError('invalid_cursor');
    start = Number(m[1]);
  }
  const limit = optionalInt(ctx.args, 'limit', 1, 1000) ?? 200;
  const next = start + limit < all.length ? encodeCursor(start + limit) : '';
  return {
    members: all.slice(start, start + limit).map((u) => userJson(u, ctx.workspace.teamId)),
    cache_ts: ctx.workspace.nowSeconds(),
    response_metadata: { next_cursor: next },
  };
};

const authTest: MethodHandler = (ctx) => ({
  url: `https://${ctx.workspace.teamDomain}.slack.com/`,
  team: 'breachline sandbox',
  user: ctx.actor.name,
  team_id: ctx.workspace.teamId,
  user_id: ctx.actor.id,
  ...(ctx.actor.botId ? { bot_id: ctx.actor.botId } : {}),
  is_enterprise_install: false,
});

/** `users.*` and `auth.test`. */
export const USER_METHODS: Readonly<Record<string, MethodHandler>> = {
  'users.info': info,
  'users.list': list,
  'auth.test': authTest,
};
