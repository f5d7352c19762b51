import { timingSafeEqual, createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/logger';
import { closeServer } from '../net/close-server';
import type { SignedRequestClient } from './sandbox-door';

/** Answer of `POST /slack/command`: the app's immediate answer and the replies it posted. */
export interface SlashCommandAnswer {
  status: number;
  body: string;
  replies: Array<{ via: string; text: string }>;
}

/** A started control server. */
export interface ControlServer {
  url: string;
  close(): Promise<void>;
}

const sameToken = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

/**
 * The running instance's local control endpoint, on 127.0.0.1 only, behind a bearer token from
 * the state file. It exists because the Slack sandbox's signed-request client lives in the
 * sandbox's process (it issues the response_url the app answers on); `breachline slack` asks
 * this endpoint to send the command through it.
 */
export async function startControlServer(options: { token: string; slack: SignedRequestClient; command: string; logger: Logger }): Promise<ControlServer> {
  const server: Server = createServer((req, res) => {
    const answer = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/slack/command') return answer(404, { error: 'not_found' });
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !sameToken(auth.slice(7), options.token)) return answer(401, { error: 'invalid_token' });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 64 * 1024) chunks.push(c);
    });
    req.on('end', () => {
      if (size > 64 * 1024) return answer(413, { error: 'payload_too_large' });
      let input: { text?: unknown; userId?: unknown; channel?: unknown };
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof input;
      } catch {
        return answer(400, { error: 'malformed_json' });
      }
      if (typeof input.text !== 'string') return answer(400, { error: 'text_required' });
      options.slack
        .slashCommand(
          {
            command: options.command,
            text: input.text,
            ...(typeof input.userId === 'string' ? { userId: input.userId } : {}),
            ...(typeof input.channel === 'string' ? { channel: input.channel } : {}),
          },
          { replyTimeoutMs: 5_000 },
        )
        .then((r) => answer(200, { status: r.status, body: r.body, replies: r.replies.map((x) => ({ via: x.via, text: x.text })) } satisfies SlashCommandAnswer))
        .catch((err: unknown) => {
          options.logger.warn({ err: { message: (err as Error).message } }, 'control: slash command failed');
          answer(502, { error: 'slash_command_failed', message: (err as Error).message });
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${addr.port}`,
    // Closing twice (the server is no longer listening) is not an error here.
    close: () => closeServer(server).catch(() => undefined),
  };
}
