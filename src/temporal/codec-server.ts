import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { readBodyWithLimit } from '../ingress/body';
import { IngressError } from '../ingress/errors';
import type { Logger } from '../log/logger';
import { closeServer } from '../net/close-server';
import type { PolicyEngine } from '../slack/policy/cedar-policy';
import type { OpsAction } from '../slack/policy/roles';
import { PayloadDecryptionError, PayloadEncryptionError } from './payload-codec';

/*
 * Temporal's remote codec protocol, so its web UI and CLI (`--codec-endpoint`) can show what the
 * payload codec encrypted: `POST /encode` and `POST /decode` with `{"payloads": [...]}`, each
 * payload in protobuf JSON (`metadata` values and `data` base64), answered in the same shape.
 * Every request carries `Authorization: Bearer <token>`; the token names a user, and the same
 * Cedar policies as the Slack commands decide (`decode-payloads`, `encode-payloads`).
 */

/** A bearer token of the endpoint and the user (Slack user id with a role) who holds it. */
export interface CodecToken {
  readonly user: string;
  readonly token: string;
}

/** Options of {@link startCodecServer}. */
export interface CodecServerOptions {
  codec: PayloadCodec;
  tokens: readonly CodecToken[];
  policy: PolicyEngine;
  /** Origins allowed by CORS (the Temporal UI's). */
  corsOrigins: readonly string[];
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  logger: Logger;
  /** Largest request body. @default 8 MiB (a page of history holds several payloads of up to 2 MB) */
  bodyLimitBytes?: number;
}

/** A started codec endpoint. */
export interface RunningCodecServer {
  url: string;
  close(): Promise<void>;
}

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');
const payloadJson = z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() });
const requestJson = z.object({ payloads: z.array(payloadJson) });
type PayloadJson = z.infer<typeof payloadJson>;

const fromJson = (p: PayloadJson): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): PayloadJson => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** The user whose token `header` carries; compares against every token in constant time. */
function userOf(header: string | undefined, tokens: readonly CodecToken[]): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m?.[1]) return undefined;
  const given = digest(m[1]);
  let user: string | undefined;
  for (const t of tokens) if (timingSafeEqual(given, digest(t.token)) && user === undefined) user = t.user;
  return user;
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const ACTIONS: Readonly<Record<string, { action: OpsAction; op: 'encode' | 'decode' }>> = {
  '/encode': { action: 'encode-payloads', op: 'encode' },
  '/decode': { action: 'decode-payloads', op: 'decode' },
};

/** Answers one request; every refusal is a {@link HttpFailure}. */
async function handle(options: CodecServerOptions, req: IncomingMessage): Promise<unknown> {
  const path = new URL(req.url ?? '/', 'http://codec').pathname;
  const route = ACTIONS[path];
  if (!route) throw new HttpFailure(404, 'not_found', 'expected POST /encode or POST /decode');
  if (req.method !== 'POST') throw new HttpFailure(405, 'method_not_allowed', `${path} takes POST`, { allow: 'POST, OPTIONS' });
  // Authorise before reading the body: an unknown caller learns nothing and costs nothing.
  const user = userOf(req.headers.authorization, options.tokens);
  if (user === undefined) throw new HttpFailure(401, 'invalid_token', 'a valid bearer token is required', { 'www-authenticate': 'Bearer realm="breachline-codec"' });
  const decision = options.policy.decide({ userId: user, action: route.action });
  if (!decision.allowed) {
    options.logger.warn({ user, role: decision.role, action: route.action }, 'codec endpoint: refused');
    throw new HttpFailure(403, 'forbidden', `the ${decision.role === 'none' ? 'user' : decision.role} role may not ${route.action.replace('-', ' ')}`);
  }
  let body: Buffer;
  try {
    body = await readBodyWithLimit(req, options.bodyLimitBytes ?? 8 * 1024 * 1024);
  } catch (err) {
    if (err instanceof IngressError) throw new HttpFailure(err.status, err.code, err.message);
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpFailure(400, 'malformed_json', 'the body is not JSON');
  }
  const parsed = requestJson.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '';
    throw new HttpFailure(400, 'invalid_request', `${field || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  const payloads = parsed.data.payloads.map(fromJson);
  let out: Payload[];
  try {
    out = route.op === 'decode' ? await options.codec.decode(payloads) : await options.codec.encode(payloads);
  } catch (err) {
    if (err instanceof PayloadDecryptionError) throw new HttpFailure(422, 'undecodable_payload', err.message);
    if (err instanceof PayloadEncryptionError) throw new HttpFailure(503, 'encryption_unavailable', err.message);
    throw err;
  }
  options.logger.info({ user, action: route.action, payloads: payloads.length }, 'codec endpoint: answered');
  return { payloads: out.map(toJson) };
}

/** CORS headers for an allowed origin (the UI sends credentials and its namespace header). */
function corsHeaders(origin: string | undefined, allowed: readonly string[]): Record<string, string> {
  if (origin === undefined || !allowed.includes(origin)) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'POST, OPTIONS',
    'access-control-allow-headers': 'content-type, authorization, x-namespace',
    'access-control-max-age': '600',
    vary: 'Origin',
  };
}

/**
 * Serves the codec endpoint. Decoding shows what Temporal hides, so nothing is answered without a
 * token whose user the policies allow; payload contents are never logged, only who asked for how many.
 */
export async function startCodecServer(options: CodecServerOptions): Promise<RunningCodecServer> {
  const server: Server = createServer((req, res: ServerResponse) => {
    const cors = corsHeaders(req.headers.origin, options.corsOrigins);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...cors, ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'OPTIONS') {
      req.resume();
      res.writeHead(204, cors);
      res.end();
      return;
    }
    handle(options, req).then(
      (body) => answer(200, body),
      (err: unknown) => {
        if (err instanceof HttpFailure) {
          req.resume();
          return answer(err.status, { error: err.code, message: err.message }, err.headers);
        }
        options.logger.error({ err: { name: (err as Error).name, message: (err as Error).message } }, 'codec endpoint: failed');
        answer(500, { error: 'internal', message: 'the codec failed; see the server log' });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    // Closing twice (the server is no longer listening) is not an error here.
    close: () => closeServer(server).catch(() => undefined),
  };
}
