import { randomBytes } from 'node:crypto';

/** A member of the sandbox workspace, shaped like the `user` object of `users.info`. */
export interface SandboxUser {
  readonly id: string;
  readonly name: string;
  readonly realName: string;
  readonly isBot: boolean;
  /** Set for the app's bot user only. */
  readonly botId?: string;
  readonly email?: string;
}

/** A channel; members are user ids. */
export interface SandboxChannel {
  readonly id: string;
  name: string;
  readonly isPrivate: boolean;
  /** A direct message between the bot and one user; `name` is the user id. */
  readonly isIm?: boolean;
  /** Unix seconds. */
  readonly created: number;
  readonly creator: string;
  readonly members: Set<string>;
  topic: { value: string; creator: string; last_set: number };
  purpose: { value: string; creator: string; last_set: number };
  isArchived: boolean;
}

/** How a message reached the workspace. Ephemeral and response_url replies never enter history. */
export type MessageKind = 'message' | 'ephemeral' | 'response_url';

/** One message as the sandbox holds it; `edits` keeps the earlier versions for the record. */
export interface SandboxMessage {
  readonly kind: MessageKind;
  readonly channel: string;
  readonly ts: string;
  readonly user: string;
  readonly botId?: string;
  text: string;
  blocks?: unknown[];
  readonly threadTs?: string;
  /** For ephemeral messages: the only user who sees it. */
  readonly visibleTo?: string;
  /** For response_url replies: 'ephemeral' or 'in_channel' as the app asked. */
  readonly responseType?: string;
  /** The response_url id the reply arrived on. */
  readonly responseUrlId?: string;
  edited?: { user: string; ts: string };
  /** Set while the message is pinned to its channel (`pins.add`): who pinned it and when (Unix seconds). */
  pinned?: { by: string; at: number };
  readonly edits: Array<{ text: string; blocks?: unknown[]; replacedAt: string }>;
}

/** A modal or home tab opened through `views.*`. */
export interface SandboxView {
  readonly id: string;
  readonly teamId: string;
  readonly userId?: string;
  view: Record<string, unknown>;
  hash: string;
  externalId?: string;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A Slack-looking id: a type letter and ten upper-case alphanumerics (`C0123456789`). */
export function slackId(prefix: string): string {
  const bytes = randomBytes(10);
  let out = prefix;
  for (const b of bytes) out += ID_ALPHABET[b % ID_ALPHABET.length];
  return out;
}

/** Channel names Slack accepts: lower case letters, digits, `-` and `_`, at most 80 characters. */
export const CHANNEL_NAME = /^[a-z0-9][a-z0-9_-]{0,79}$/;

/** Seed identities: the app's bot and the humans a drill needs. */
export interface WorkspaceSeed {
  teamId: string;
  teamDomain: string;
  bot: SandboxUser;
  humans: SandboxUser[];
  channels: Array<{ name: string; members: 'all' | 'humans' }>;
}

/** The default seed: an incident commander, a responder and a DPO, with #incidents and #general. */
export function defaultSeed(): WorkspaceSeed {
  return {
    teamId: 'T0SANDBOX01',
    teamDomain: 'breachline-sandbox',
    bot: { id: 'U0BREACHBOT', name: 'breachline', realName: 'breachline', isBot: true, botId: 'B0BREACHBOT' },
    humans: [
      { id: 'U0COMMANDER', name: 'ic', realName: 'Ines Commander', isBot: false, email: 'ic@example.test' },
      { id: 'U0RESPONDER', name: 'rita', realName: 'Rita Responder', isBot: false, email: 'rita@example.test' },
      { id: 'U0DPOFFICER', name: 'dpo', realName: 'Dara Privacy', isBot: false, email: 'dpo@example.test' },
    ],
    channels: [
      { name: 'incidents', members: 'all' },
      { name: 'general', members: 'humans' },
    ],
  };
}

/** Everything a workspace holds, as JSON; written to the data directory so a restart keeps it. */
export interface WorkspaceState {
  readonly teamId: string;
  readonly teamDomain: string;
  readonly botId: string;
  readonly users: readonly SandboxUser[];
  readonly channels: ReadonlyArray<Omit<SandboxChannel, 'members'> & { members: string[] }>;
  readonly messages: readonly SandboxMessage[];
  readonly views: readonly SandboxView[];
  readonly lastTsMicros: number;
}

/**
 * The state behind the sandbox Web API: users, channels, messages and views. It knows nothing
 * about HTTP; the method handlers translate between it and Slack's wire shapes.
 */
export class Workspace {
  readonly teamId: string;
  readonly teamDomain: string;
  readonly bot: SandboxUser;
  private readonly users = new Map<string, SandboxUser>();
  private readonly channels = new Map<string, SandboxChannel>();
  private readonly messages: SandboxMessage[] = [];
  private readonly views = new Map<string, SandboxView>();
  private readonly triggers = new Map<string, { userId: string; issuedAt: number }>();
  private lastTsMicros = 0;

  constructor(
    seed: WorkspaceSeed,
    private readonly now: () => number,
  ) {
    this.teamId = seed.teamId;
    this.teamDomain = seed.teamDomain;
    this.bot = seed.bot;
    for (const u of [seed.bot, ...seed.humans]) this.users.set(u.id, u);
    for (const c of seed.channels) {
      const members = c.members === 'all' ? [seed.bot, ...seed.humans] : seed.humans;
      const ch = this.createChannel(c.name, false, seed.bot.id);
      ch.members.clear();
      for (const m of members) ch.members.add(m.id);
    }
  }

  /** A copy of the whole state, for the data directory. */
  toState(): WorkspaceState {
    return {
      teamId: this.teamId,
      teamDomain: this.teamDomain,
      botId: this.bot.id,
      users: this.allUsers(),
      channels: this.allChannels().map((c) => ({ ...c, members: [...c.members] })),
      messages: [...this.messages],
      views: [...this.views.values()],
      lastTsMicros: this.lastTsMicros,
    };
  }

  /** Rebuilds a workspace saved by {@link toState}. */
  static fromState(state: WorkspaceState, now: () => number): Workspace {
    const bot = state.users.find((u) => u.id === state.botId);
    if (!bot) throw new Error('saved Slack workspace has no bot user');
    const ws = new Workspace({ teamId: state.teamId, teamDomain: state.teamDomain, bot, humans: state.users.filter((u) => u.id !== bot.id), channels: [] }, now);
    for (const c of state.channels) ws.channels.set(c.id, { ...c, members: new Set(c.members) });
    ws.messages.push(...state.messages);
    for (const v of state.views) ws.views.set(v.id, v);
    ws.lastTsMicros = state.lastTsMicros;
    return ws;
  }

  /**
   * A message timestamp: Unix seconds and six digits, strictly increasing so that it is unique
   * across the workspace and sorts in posting order, as Slack's `ts` does.
   */
  nextTs(): string {
    const micros = Math.max(this.now() * 1000, this.lastTsMicros + 1);
    this.lastTsMicros = micros;
    const seconds = Math.floor(micros / 1_000_000);
    const frac = micros % 1_000_000;
    return `${seconds}.${String(frac).padStart(6, '0')}`;
  }

  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  user(id: string): SandboxUser | undefined {
    return this.users.get(id);
  }

  allUsers(): SandboxUser[] {
    return [...this.users.values()];
  }

  /**
   * Finds a channel by id (`C…`), by `#name` or by bare name, as Slack accepts for posting. A user
   * id stands for the bot's direct message with that user, opened on first use as Slack does.
   */
  channel(ref: string): SandboxChannel | undefined {
    const byId = this.channels.get(ref);
    if (byId) return byId;
    const user = this.users.get(ref);
    if (user && !user.isBot) return this.directMessage(user.id);
    const name = ref.startsWith('#') ? ref.slice(1) : ref;
    for (const c of this.channels.values()) if (c.name === name) return c;
    return undefined;
  }

  allChannels(): SandboxChannel[] {
    return [...this.channels.values()];
  }

  createChannel(name: string, isPrivate: boolean, creator: string): SandboxChannel {
    const at = this.nowSeconds();
    const ch: SandboxChannel = {
      id: slackId(isPrivate ? 'G' : 'C'),
      name,
      isPrivate,
      created: at,
      creator,
      members: new Set([creator]),
      topic: { value: '', creator: '', last_set: 0 },
      purpose: { value: '', creator: '', last_set: 0 },
      isArchived: false,
    };
    this.channels.set(ch.id, ch);
    return ch;
  }

  /** The bot's DM channel with a user, created on first use. */
  directMessage(userId: string): SandboxChannel {
    for (const c of this.channels.values()) if (c.isIm && c.name === userId) return c;
    const dm: SandboxChannel = {
      id: slackId('D'),
      name: userId,
      isPrivate: true,
      isIm: true,
      created: this.nowSeconds(),
      creator: this.bot.id,
      members: new Set([this.bot.id, userId]),
      topic: { value: '', creator: '', last_set: 0 },
      purpose: { value: '', creator: '', last_set: 0 },
      isArchived: false,
    };
    this.channels.set(dm.id, dm);
    return dm;
  }

  addMessage(message: Omit<SandboxMessage, 'ts' | 'edits'>): SandboxMessage {
    const stored: SandboxMessage = { ...message, ts: this.nextTs(), edits: [] };
    this.messages.push(stored);
    return stored;
  }

  /** Messages a channel's history shows: real messages only, oldest first. */
  history(channelId: string): SandboxMessage[] {
    return this.messages.filter((m) => m.kind === 'message' && m.channel === channelId);
  }

  findMessage(channelId: string, ts: string): SandboxMessage | undefined {
    return this.messages.find((m) => m.kind === 'message' && m.channel === channelId && m.ts === ts);
  }

  /** The channel's pinned messages, most recently pinned first, as `pins.list` orders them. */
  pinnedIn(channelId: string): SandboxMessage[] {
    return this.history(channelId)
      .filter((m) => m.pinned !== undefined)
      .sort((a, b) => (b.pinned?.at ?? 0) - (a.pinned?.at ?? 0) || Number(b.ts) - Number(a.ts));
  }

  /** Every message of every kind, in arrival order. */
  allMessages(): readonly SandboxMessage[] {
    return this.messages;
  }

  /** Issues a `trigger_id` as Slack does with every interaction; it lets the app open one modal. */
  issueTrigger(userId: string): string {
    const id = `${this.nowSeconds()}.${randomBytes(4).readUInt32BE()}.${randomBytes(16).toString('hex')}`;
    this.triggers.set(id, { userId, issuedAt: this.now() });
    return id;
  }

  /**
   * Spends a trigger id. Slack lets a trigger open a view once and only within three seconds;
   * the answer says which rule failed so `views.open` can return Slack's error code.
   */
  consumeTrigger(id: string, ttlMs: number): 'ok' | 'invalid' | 'expired' {
    const t = this.triggers.get(id);
    if (!t) return 'invalid';
    this.triggers.delete(id);
    return this.now() - t.issuedAt > ttlMs ? 'expired' : 'ok';
  }

  putView(view: SandboxView): SandboxView {
    this.views.set(view.id, view);
    return view;
  }

  view(id: string): SandboxView | undefined {
    return this.views.get(id);
  }

  viewByExternalId(externalId: string): SandboxView | undefined {
    for (const v of this.views.values()) if (v.externalId === externalId) return v;
    return undefined;
  }
}
