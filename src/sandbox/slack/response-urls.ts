import { randomBytes } from 'node:crypto';
import type { CallRecord } from './call-record';
import type { SandboxMessage, Workspace } from './workspace';

/** Where an interaction happened; a reply posted to its response_url lands there. */
export interface ResponseUrlTarget {
  readonly channelId: string;
  readonly userId: string;
}

interface Issued extends ResponseUrlTarget {
  readonly issuedAt: number;
  uses: number;
}

/** Slack lets an app use one response_url five times within thirty minutes. */
export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

/** The HTTP answer to a POST on a response_url. */
export interface ResponseUrlAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly message?: SandboxMessage;
}

/**
 * The response_urls the sandbox hands out with each slash command and interaction, and what the
 * app posts to them. `ephemeral` replies are visible to the invoking user only and stay out of
 * history; `in_channel` replies become ordinary channel messages, as in Slack.
 */
export class ResponseUrls {
  private readonly issued = new Map<string, Issued>();

  constructor(
    private readonly workspace: Workspace,
    private readonly record: CallRecord,
    private readonly now: () => number,
  ) {}

  /** Issues a new id for an interaction; the server exposes it as `<base>/_sandbox/response/<id>`. */
  issue(target: ResponseUrlTarget): string {
    const id = randomBytes(12).toString('hex');
    this.issued.set(id, { ...target, issuedAt: this.now(), uses: 0 });
    return id;
  }

  /** Handles a POST the app made to a response_url. */
  post(id: string, body: unknown): ResponseUrlAnswer {
    const entry = this.issued.get(id);
    if (!entry) return { status: 404, body: { ok: false, error: 'invalid_url' } };
    if (this.now() - entry.issuedAt > RESPONSE_URL_TTL_MS) return { status: 404, body: { ok: false, error: 'expired_url' } };
    if (entry.uses >= RESPONSE_URL_MAX_USES) return { status: 404, body: { ok: false, error: 'used_url' } };
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return { status: 400, body: { ok: false, error: 'invalid_payload' } };
    const b = body as Record<string, unknown>;
    const text = typeof b.text === 'string' ? b.text : undefined;
    const blocks = Array.isArray(b.blocks) ? (b.blocks as unknown[]) : undefined;
    if (text === undefined && blocks === undefined && b.delete_original !== true) return { status: 400, body: { ok: false, error: 'no_text' } };
    entry.uses += 1;
    const responseType = b.response_type === 'in_channel' ? 'in_channel' : 'ephemeral';
    const message = this.workspace.addMessage({
      kind: responseType === 'in_channel' ? 'message' : 'response_url',
      channel: entry.channelId,
      user: this.workspace.bot.id,
      botId: this.workspace.bot.botId,
      text: text ?? '',
      ...(blocks ? { blocks } : {}),
      visibleTo: responseType === 'ephemeral' ? entry.userId : undefined,
      responseType,
      responseUrlId: id,
    });
    this.record.noteMessage('posted', message, new Date(this.now()).toISOString());
    return { status: 200, body: { ok: true }, message };
  }
}
