import type { CallRecord, RecordedMessage } from './call-record';
import { signSlackRequest } from './request-signing';
import type { ResponseUrls } from './response-urls';
import { SocketModeDeliveryError, type SocketModeHub } from './socket-mode';
import type { MessageKind, SandboxChannel, SandboxUser, Workspace } from './workspace';

/** How to sign (or mis-sign) one request; the defaults are what Slack does. */
export interface SendOptions {
  /** `bad` signs with the wrong secret; `missing` leaves the signature header out. @default 'valid' */
  signature?: 'valid' | 'bad' | 'missing';
  /** Added to the current time for `X-Slack-Request-Timestamp`; -600 makes a stale request. @default 0 */
  timestampSkewSeconds?: number;
  /** Stop waiting once this many replies arrived. @default 1 */
  expectReplies?: number;
  /** Longest wait for replies after the HTTP answer. @default 2000 */
  replyTimeoutMs?: number;
}

/** A request exactly as it went on the wire, kept so it can be replayed verbatim. */
export interface SentRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly channelId: string;
  readonly userId: string;
  readonly responseUrlId?: string;
}

/** A reply the app gave to an interaction, whichever way it came. */
export interface InteractionReply {
  /** `response_url` for `respond()`, `web_api` for chat.postMessage / postEphemeral / update. */
  readonly via: 'response_url' | 'web_api';
  readonly event: RecordedMessage['event'];
  readonly kind: MessageKind;
  readonly channel: string;
  readonly ts: string;
  readonly text: string;
  readonly blocks?: unknown[];
  readonly visibleTo?: string;
  readonly responseType?: string;
}

/** The outcome of one signed request. */
export interface InteractionResult {
  /** HTTP status of the app's immediate answer (200 after `ack()`, 401 when verification failed). */
  readonly status: number;
  /** Raw body of the immediate answer ('' when the app acked without content). */
  readonly body: string;
  /** The body parsed as JSON, when it is JSON. */
  readonly json?: unknown;
  /** Replies that arrived within the wait. */
  readonly replies: readonly InteractionReply[];
  readonly request: SentRequest;
}

/** A slash command as a user types it. */
export interface SlashCommandInput {
  /** @default '/ir' */
  command?: string;
  text?: string;
  /** @default the first human in the workspace */
  userId?: string;
  /** Channel id or name. @default '#incidents' */
  channel?: string;
}

/** A click on an interactive element of a message. */
export interface BlockActionInput {
  actionId: string;
  blockId?: string;
  value?: string;
  userId?: string;
  channel?: string;
  /** The message the element belongs to. */
  messageTs?: string;
}

/** A modal's submit button. */
export interface ViewSubmissionInput {
  callbackId: string;
  /** `state.values`: block id → action id → element state (`{type, value}` etc.). */
  values?: Record<string, Record<string, Record<string, unknown>>>;
  privateMetadata?: string;
  viewId?: string;
  userId?: string;
}

/** What the client needs from the sandbox. */
export interface RequestClientDeps {
  readonly workspace: Workspace;
  readonly record: CallRecord;
  readonly responseUrls: ResponseUrls;
  readonly signingSecret: string;
  readonly verificationToken: string;
  readonly appId: string;
  /** Base URL of the sandbox server, e.g. `http://127.0.0.1:4321`. */
  readonly baseUrl: string;
  readonly now: () => number;
}

/**
 * Sends slash commands, block actions and view submissions to an app's request URL exactly as
 * Slack does: form-encoded, signed with the signing secret, with a response_url the sandbox
 * serves. Options produce the hostile variants an app must refuse.
 */
export class SignedRequestClient {
  constructor(
    private readonly deps: RequestClientDeps,
    /** The app's request URL, e.g. `http://127.0.0.1:3000/slack/events` ('' over Socket Mode). */
    readonly requestUrl: string,
    /** Deliver over the app's Socket Mode connection instead of an HTTP POST (signatures do not apply). */
    private readonly socketMode?: SocketModeHub,
  ) {}

  /** Sends a slash command (`/ir help`). */
  async slashCommand(input: SlashCommandInput, options: SendOptions = {}): Promise<InteractionResult> {
    const user = this.user(input.userId);
    const channel = this.channel(input.channel);
    const responseUrlId = this.deps.responseUrls.issue({ channelId: channel.id, userId: user.id });
    const fields: Array<[string, string]> = [
      ['token', this.deps.verificationToken],
      ['team_id', this.deps.workspace.teamId],
      ['team_domain', this.deps.workspace.teamDomain],
      ['channel_id', channel.id],
      ['channel_name', channel.name],
      ['user_id', user.id],
      ['user_name', user.name],
      ['command', input.command ?? '/ir'],
      ['text', input.text ?? ''],
      ['api_app_id', this.deps.appId],
      ['is_enterprise_install', 'false'],
      ['response_url', this.responseUrl(responseUrlId)],
      ['trigger_id', this.deps.workspace.issueTrigger(user.id)],
    ];
    const body = new URLSearchParams(fields).toString();
    return this.send({ body, channelId: channel.id, userId: user.id, responseUrlId }, options);
  }

  /** Sends a `block_actions` interaction for a button or menu in a channel message. */
  async blockAction(input: BlockActionInput, options: SendOptions = {}): Promise<InteractionResult> {
    const user = this.user(input.userId);
    const channel = this.channel(input.channel);
    const responseUrlId = this.deps.responseUrls.issue({ channelId: channel.id, userId: user.id });
    const actionTs = this.nowSeconds(0).toFixed(6);
    const payload = {
      type: 'block_actions',
      user: { id: user.id, username: user.name, name: user.name, team_id: this.deps.workspace.teamId },
      api_app_id: this.deps.appId,
      token: this.deps.verificationToken,
      container: { type: 'message', message_ts: input.messageTs ?? actionTs, channel_id: channel.id, is_ephemeral: false },
      trigger_id: this.deps.workspace.issueTrigger(user.id),
      team: { id: this.deps.workspace.teamId, domain: this.deps.workspace.teamDomain },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: channel.id, name: channel.name },
      message: this.messageFor(channel.id, input.messageTs),
      state: { values: {} },
      response_url: this.responseUrl(responseUrlId),
      actions: [
        {
          action_id: input.actionId,
          block_id: input.blockId ?? input.actionId,
          type: 'button',
          text: { type: 'plain_text', text: input.actionId, emoji: true },
          ...(input.value !== undefined ? { value: input.value } : {}),
          action_ts: actionTs,
        },
      ],
    };
    return this.send({ body: payloadBody(payload), channelId: channel.id, userId: user.id, responseUrlId }, options);
  }

  /** Sends a `view_submission` for a modal the app opened. */
  async viewSubmission(input: ViewSubmissionInput, options: SendOptions = {}): Promise<InteractionResult> {
    const user = this.user(input.userId);
    const payload = {
      type: 'view_submission',
      team: { id: this.deps.workspace.teamId, domain: this.deps.workspace.teamDomain },
      user: { id: user.id, username: user.name, name: user.name, team_id: this.deps.workspace.teamId },
      api_app_id: this.deps.appId,
      token: this.deps.verificationToken,
      trigger_id: this.deps.workspace.issueTrigger(user.id),
      view: {
        id: input.viewId ?? 'V0SANDBOXVW',
        team_id: this.deps.workspace.teamId,
        type: 'modal',
        callback_id: input.callbackId,
        private_metadata: input.privateMetadata ?? '',
        state: { values: input.values ?? {} },
        hash: `${this.nowSeconds(0)}.sandbox`,
        title: { type: 'plain_text', text: 'breachline' },
        blocks: [],
        app_id: this.deps.appId,
      },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
    // A modal has no channel; replies through the Web API go wherever the app chooses.
    return this.send({ body: payloadBody(payload), channelId: '', userId: user.id }, { expectReplies: 0, ...options });
  }

  /** Sends an earlier request again, byte for byte: same body, timestamp and signature. */
  async replay(previous: SentRequest, options: SendOptions = {}): Promise<InteractionResult> {
    return this.deliver(previous, options);
  }

  private async send(draft: Omit<SentRequest, 'url' | 'headers'>, options: SendOptions): Promise<InteractionResult> {
    // Over Socket Mode there is no request to sign: the socket itself is authenticated.
    if (this.socketMode) return this.deliver({ ...draft, url: '', headers: {} }, options);
    const ts = Math.floor(this.nowSeconds(options.timestampSkewSeconds ?? 0));
    const signing = options.signature === 'bad' ? `${this.deps.signingSecret}-wrong` : this.deps.signingSecret;
    const signed = signSlackRequest(signing, ts, draft.body);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'x-slack-request-timestamp': signed['x-slack-request-timestamp'],
    };
    if (options.signature !== 'missing') headers['x-slack-signature'] = signed['x-slack-signature'];
    return this.deliver({ ...draft, url: this.requestUrl, headers }, options);
  }

  private async deliver(request: SentRequest, options: SendOptions): Promise<InteractionResult> {
    const replies: InteractionReply[] = [];
    const expect = options.expectReplies ?? 1;
    let wake: (() => void) | undefined;
    const unsubscribe = this.deps.record.onMessage((entry) => {
      const reply = this.asReply(entry, request);
      if (!reply) return;
      replies.push(reply);
      if (replies.length >= expect) wake?.();
    });
    try {
      const res = this.socketMode ? await overSocket(this.socketMode, request.body) : await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body });
      const body = await res.text();
      if (res.status === 200 && replies.length < expect) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, options.replyTimeoutMs ?? 2000);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      return { status: res.status, body, json: parseJson(body), replies: [...replies], request };
    } finally {
      unsubscribe();
    }
  }

  private asReply(entry: RecordedMessage, request: SentRequest): InteractionReply | undefined {
    const m = entry.message;
    const viaResponseUrl = m.responseUrlId !== undefined;
    if (viaResponseUrl ? m.responseUrlId !== request.responseUrlId : m.channel !== request.channelId) return undefined;
    if (m.visibleTo !== undefined && m.visibleTo !== request.userId) return undefined;
    if (m.user !== this.deps.workspace.bot.id) return undefined;
    return {
      via: viaResponseUrl ? 'response_url' : 'web_api',
      event: entry.event,
      kind: m.kind,
      channel: m.channel,
      ts: m.ts,
      text: m.text,
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ...(m.visibleTo ? { visibleTo: m.visibleTo } : {}),
      ...(m.responseType ? { responseType: m.responseType } : {}),
    };
  }

  private messageFor(channelId: string, ts: string | undefined): Record<string, unknown> | undefined {
    if (!ts) return undefined;
    const m = this.deps.workspace.findMessage(channelId, ts);
    if (!m) return undefined;
    return { type: 'message', ts: m.ts, user: m.user, text: m.text, ...(m.blocks ? { blocks: m.blocks } : {}) };
  }

  private responseUrl(id: string): string {
    return `${this.deps.baseUrl}/_sandbox/response/${id}`;
  }

  private nowSeconds(skew: number): number {
    return this.deps.now() / 1000 + skew;
  }

  private user(id: string | undefined): SandboxUser {
    const humans = this.deps.workspace.allUsers().filter((u) => !u.isBot);
    const u = id ? this.deps.workspace.user(id) : humans[0];
    if (!u) throw new Error(`no such sandbox user: ${id ?? '(default)'}`);
    return u;
  }

  private channel(ref: string | undefined): SandboxChannel {
    const ch = this.deps.workspace.channel(ref ?? '#incidents');
    if (!ch) throw new Error(`no such sandbox channel: ${ref ?? '#incidents'}`);
    return ch;
  }
}

/**
 * Delivers a request body over Socket Mode, answered like the HTTP receiver would be: the form of a
 * slash command becomes a `slash_commands` envelope's payload, an interaction's `payload` field an
 * `interactive` one; the acknowledgement's payload is the 200 answer's body ('' when empty). No
 * connected app is a 503, no acknowledgement within 3 s a 504 (Slack shows the user a timeout).
 */
async function overSocket(hub: SocketModeHub, body: string): Promise<{ status: number; text(): Promise<string> }> {
  const form = Object.fromEntries(new URLSearchParams(body));
  const interactive = form.payload !== undefined;
  try {
    const ack = await hub.deliver(interactive ? 'interactive' : 'slash_commands', interactive ? (JSON.parse(form.payload as string) as Record<string, unknown>) : form);
    const text = Object.keys(ack.payload).length === 0 ? '' : JSON.stringify(ack.payload);
    return { status: 200, text: async () => text };
  } catch (err) {
    if (!(err instanceof SocketModeDeliveryError)) throw err;
    return { status: err.reason === 'not_connected' ? 503 : 504, text: async () => err.reason };
  }
}

function payloadBody(payload: unknown): string {
  return new URLSearchParams([['payload', JSON.stringify(payload)]]).toString();
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
