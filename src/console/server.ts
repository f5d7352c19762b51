import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../log/logger';
import { closeServer } from '../net/close-server';
import { API_ROUTES, type ApiDeps } from './api-routes';
import type { SessionBody } from './contract';
import { cookieValue, HttpError, readJsonObject, sendError, sendJson } from './http-kit';
import { csrfMatches, type ConsoleSession } from './sessions';
import { SigninError, type SigninLinks } from './signin-links';
import { serveStatic } from './static-files';

/** The session cookie's name. */
export const SESSION_COOKIE = 'bl_session';

/** Options of {@link createConsoleServer}. */
export interface ConsoleServerOptions extends ApiDeps {
  readonly links: SigninLinks;
  /** The built front end (`dist/console`). */
  readonly staticDir: string;
  /**
   * The console's public base URL (config `console.publicUrl`): its origin is accepted in `Origin`,
   * beside the origin of the request's own Host; an `https:` one marks the cookie Secure.
   */
  readonly publicUrl?: string;
  readonly logger: Logger;
}

/** A console server, not yet listening. */
export interface ConsoleServer {
  listen(port: number, host: string): Promise<string>;
  /** Ends every event stream, then stops the server. */
  close(): Promise<void>;
  readonly url: string;
}

/**
 * The incident console's HTTP server (issue 16): sign-in by a one-time link from `/ir console`,
 * a session cookie bound to the Slack user, the JSON API (every decision by the Slack commands'
 * policies), server-sent events, and the built front end. Every POST/DELETE but the sign-in
 * itself needs the session's CSRF token in `X-CSRF-Token` and an `Origin` of the console.
 */
export function createConsoleServer(options: ConsoleServerOptions): ConsoleServer {
  const { logger } = options;
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;
  const secureCookie = publicOrigin?.startsWith('https:') ?? false;
  let server: Server | undefined;
  let url = '';

  const sessionOf = (req: IncomingMessage): ConsoleSession | undefined => options.sessions.get(cookieValue(req.headers.cookie, SESSION_COOKIE));
  const ownOrigins = (req: IncomingMessage): string[] => {
    const tls = (req.socket as Partial<TLSSocket>).encrypted === true;
    const host = req.headers.host;
    return [...(publicOrigin ? [publicOrigin] : []), ...(host ? [`${tls ? 'https' : 'http'}://${host}`] : [])];
  };
  const originOk = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    return typeof origin === 'string' && ownOrigins(req).includes(origin);
  };
  const cookie = (req: IncomingMessage, value: string, maxAgeS: number): string => {
    const secure = secureCookie || (req.socket as Partial<TLSSocket>).encrypted === true;
    return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`;
  };
  const sessionBody = (s: ConsoleSession): SessionBody => {
    const role = options.auth.roleOf(s.userId);
    return { user: s.userId, roles: role === 'none' ? [] : [role], csrfToken: s.csrfToken, expiresAt: new Date(s.expiresAt).toISOString() };
  };

  const handleSession = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method === 'POST') {
      // No session yet, so no CSRF token; a browser's Origin is still checked (no signing in a victim from elsewhere).
      if (req.headers.origin !== undefined && !originOk(req)) throw new HttpError(403, 'the request comes from another origin');
      const body = await readJsonObject(req);
      let userId: string;
      try {
        userId = options.links.redeem(body.token);
      } catch (err) {
        if (err instanceof SigninError) throw new HttpError(401, err.message, 'token');
        throw err;
      }
      // Roles may have changed since the link was sent: the same refusal as a Slack command.
      await options.auth.require(userId, 'list', 'console: sign in');
      const session = options.sessions.open(userId);
      logger.info({ audit: 'console-signin', userId }, 'console session opened');
      sendJson(res, 200, sessionBody(session), { 'set-cookie': cookie(req, session.id, Math.floor((session.expiresAt - options.sessions.now()) / 1000)) });
      return;
    }
    const session = sessionOf(req);
    if (session === undefined) throw new HttpError(401, 'not signed in (or the session has expired): ask for a link with /ir console');
    if (req.method === 'GET') return sendJson(res, 200, sessionBody(session));
    if (req.method === 'DELETE') {
      checkCsrf(req, session);
      options.sessions.close(session.id);
      sendJson(res, 200, { signedOut: true }, { 'set-cookie': cookie(req, '', 0) });
      return;
    }
    throw new HttpError(405, 'use GET, POST or DELETE');
  };

  const checkCsrf = (req: IncomingMessage, session: ConsoleSession): void => {
    if (!originOk(req)) throw new HttpError(403, 'the request must come from the console (Origin)');
    const given = req.headers['x-csrf-token'];
    if (!csrfMatches(session, typeof given === 'string' ? given : undefined)) throw new HttpError(403, 'the X-CSRF-Token header is missing or wrong');
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> => {
    if (path === '/api/session') return handleSession(req, res);
    let allowed: string[] = [];
    for (const route of API_ROUTES) {
      const m = route.path.exec(path);
      if (m === null) continue;
      if (route.method !== req.method) {
        allowed.push(route.method);
        continue;
      }
      const session = sessionOf(req);
      if (session === undefined) throw new HttpError(401, 'not signed in (or the session has expired): ask for a link with /ir console');
      if (route.csrf) checkCsrf(req, session);
      await route.handle(options, { req, res, session, params: m.slice(1), query });
      return;
    }
    allowed = [...new Set(allowed)];
    if (allowed.length > 0) throw new HttpError(405, `use ${allowed.join(' or ')}`);
    throw new HttpError(404, `no API at ${path}`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const parsed = new URL(req.url ?? '/', 'http://console.invalid');
    const path = parsed.pathname;
    if (path === '/api' || path.startsWith('/api/')) {
      try {
        await handleApi(req, res, path, parsed.searchParams);
      } catch (err) {
        if (err instanceof HttpError) return sendError(res, err.status, err.message, err.field);
        // The path only: a query string may hold user text.
        logger.error({ err: { message: (err as Error).message }, method: req.method, path }, 'console API request failed');
        if (!res.headersSent) sendError(res, 500, 'the console could not answer; see the breachline log');
        else res.end();
      }
      return;
    }
    await serveStatic(options.staticDir, req, res, path);
  };

  return {
    get url() {
      return url;
    },
    async listen(port, host) {
      const s = createServer((req, res) => {
        handle(req, res).catch((err: unknown) => {
          logger.error({ err: { message: (err as Error).message } }, 'console request failed');
          if (!res.headersSent) sendError(res, 500, 'the console could not answer');
          else res.end();
        });
      });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => {
          s.off('error', reject);
          resolve();
        });
      });
      server = s;
      const addr = s.address() as AddressInfo;
      url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
      return url;
    },
    async close() {
      options.live.close();
      const s = server;
      if (!s) return;
      server = undefined;
      await closeServer(s);
    },
  };
}
