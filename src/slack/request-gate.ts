import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log/logger';
import type { ReplayGuard } from '../security/replay-guard';
import { verifySlackSignature } from './request-verification';

/** Options for {@link createRequestGate}. */
export interface RequestGateOptions {
  readonly signingSecret: string;
  /** Paths Slack posts to (Bolt's `endpoints`). */
  readonly endpoints: readonly string[];
  readonly now: () => number;
  readonly replayGuard: ReplayGuard;
  readonly bodyLimitBytes: number;
  readonly logger: Logger;
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

class BodyTooLarge extends Error {}

/**
 * Wraps Bolt's request listener with our own verification in front of it: signature and
 * timestamp by {@link verifySlackSignature} on an injectable clock, then the replay check, which
 * Bolt does not have. A refused request gets 401 and never reaches a listener. The buffered body
 * is handed on as `rawBody`, which Bolt reuses instead of reading the stream again.
 */
export function createRequestGate(options: RequestGateOptions, next: Listener): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://app.invalid').pathname;
    if (req.method !== 'POST' || !options.endpoints.includes(path)) return next(req, res);
    let raw: Buffer;
    try {
      raw = await readLimited(req, options.bodyLimitBytes);
    } catch (err) {
      refuse(res, err instanceof BodyTooLarge ? 413 : 400);
      return;
    }
    const body = raw.toString('utf8');
    Object.assign(req, { rawBody: raw });
    // Slack's SSL probe is unsigned; Bolt answers it and strips anything else from the body.
    if (isSslCheck(req, body)) return next(req, res);
    const result = verifySlackSignature({
      signingSecret: options.signingSecret,
      body,
      timestamp: header(req, 'x-slack-request-timestamp'),
      signature: header(req, 'x-slack-signature'),
      nowMs: options.now(),
    });
    if (!result.ok) {
      options.logger.warn({ reason: result.reason, path }, 'refused a Slack request that failed verification');
      refuse(res, 401);
      return;
    }
    if (!options.replayGuard.admit(result.digest, options.now())) {
      options.logger.warn({ reason: 'replay', path }, 'refused a replayed Slack request');
      refuse(res, 401);
      return;
    }
    next(req, res);
  };
}

async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    // Keep draining past the limit: abandoning the stream would reset the socket before the 413.
    if (size <= limit) chunks.push(buf);
  }
  if (size > limit) throw new BodyTooLarge();
  return Buffer.concat(chunks);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

function isSslCheck(req: IncomingMessage, body: string): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
  return type === 'application/x-www-form-urlencoded' && new URLSearchParams(body).get('ssl_check') === '1';
}

function refuse(res: ServerResponse, status: number): void {
  if (res.headersSent) return;
  res.writeHead(status);
  res.end();
}
