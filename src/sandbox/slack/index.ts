import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../log/logger';
import { closeServer } from '../../net/close-server';
import type { RunningSandbox, SandboxStartOptions } from '../types';
import { CallRecord } from './call-record';
import { FaultInjector } from './faults';
import { handleFaults, handleLog, handleResponseUrl, handleWebApi, sendJson, type SlackHttpDeps } from './http-api';
import { SignedRequestClient } from './request-client';
import { SocketModeHub } from './socket-mode';
import { loadSavedSandbox, saveSandbox } from './state-file';
import { ResponseUrls } from './response-urls';
import { defaultSeed, Workspace, type SandboxUser, type WorkspaceSeed } from './workspace';

export type { RecordedCall, RecordedMessage, SlackRecordSnapshot } from './call-record';
export type { InteractionReply, InteractionResult, SendOptions, SentRequest } from './request-client';
export { SignedRequestClient } from './request-client';
export { SocketModeDeliveryError, SocketModeHub } from './socket-mode';
export { signSlackRequest } from './request-signing';
export type { SandboxMessage, SandboxUser, WorkspaceSeed } from './workspace';

/** Options for the Slack sandbox beyond the common ones. */
export interface SlackSandboxOptions extends SandboxStartOptions {
  /** Bot token to accept. @default a fresh `xoxb-…` per start */
  botToken?: string;
  /** Secret used to sign requests to the app. @default a fresh random hex string */
  signingSecret?: string;
  /** App-level token for Socket Mode (`apps.connections.open`). @default a fresh `xapp-…` per start */
  appToken?: string;
  /** Users and channels present at start. @default {@link defaultSeed} */
  seed?: WorkspaceSeed;
  /** Milliseconds since the epoch; tests inject a clock to make requests stale without waiting. @default Date.now */
  clock?: () => number;
  /** How long a `trigger_id` can open a modal. @default 3000 (Slack's limit) */
  triggerTtlMs?: number;
}

/** The Slack sandbox with the handles tests and drills use. */
export interface RunningSlackSandbox extends RunningSandbox {
  readonly name: 'slack';
  /** Web API base URL ending in `/api/`, for `slackApiUrl`. */
  readonly apiUrl: string;
  /** Server root, e.g. `http://127.0.0.1:4321`. */
  readonly baseUrl: string;
  readonly botToken: string;
  readonly signingSecret: string;
  /** App-level token (`xapp-…`) that opens a Socket Mode connection. */
  readonly appToken: string;
  /** Socket Mode: connected apps, envelope delivery, `disconnect`. */
  readonly socketMode: SocketModeHub;
  /** The workspace's users, channels, messages and views. */
  readonly workspace: Workspace;
  /** Every call and message. */
  readonly record: CallRecord;
  /** Rate limits, HTTP errors and latency on demand. */
  readonly faults: FaultInjector;
  /** A client that sends correctly signed requests (and deliberately bad ones) to an app. */
  requestClient(requestUrl: string): SignedRequestClient;
  /** The same client delivering over the app's Socket Mode connection instead of HTTP. */
  socketModeClient(): SignedRequestClient;
}

/**
 * Starts the Slack sandbox: the Web API subset breachline calls under `/api/`, response_urls
 * under `/_sandbox/response/`, the record at `GET /_sandbox/log`, and faults at
 * `POST /_sandbox/faults`.
 */
export async function start(options: SlackSandboxOptions = {}): Promise<RunningSlackSandbox> {
  const now = options.clock ?? Date.now;
  const logger = options.logger ?? silentLogger;
  // A restart on the same data directory resumes the workspace and keeps the credentials valid.
  const saved = options.dataDir ? loadSavedSandbox(options.dataDir) : undefined;
  const botToken = options.botToken ?? saved?.botToken ?? `xoxb-${randomDigits(12)}-${randomDigits(13)}-${randomBytes(12).toString('hex')}`;
  const signingSecret = options.signingSecret ?? saved?.signingSecret ?? randomBytes(16).toString('hex');
  const appToken = options.appToken ?? saved?.appToken ?? `xapp-1-${APP_ID}-${randomDigits(13)}-${randomBytes(32).toString('hex')}`;
  const workspace = saved ? Workspace.fromState(saved.workspace, now) : new Workspace(options.seed ?? defaultSeed(), now);
  const record = new CallRecord(options.dataDir);
  const faults = new FaultInjector();
  const responseUrls = new ResponseUrls(workspace, record, now);
  const tokens = new Map<string, SandboxUser>([[botToken, workspace.bot]]);
  // Created once the port is known (its URLs name it); requests cannot arrive before.
  const socket: { hub?: SocketModeHub } = {};
  const deps: SlackHttpDeps = { workspace, record, faults, responseUrls, tokens, triggerTtlMs: options.triggerTtlMs ?? 3000, now, logger, socketMode: () => socket.hub };

  const server = createServer((req, res) => {
    route(deps, req, res).catch((err: unknown) => {
      // A broken request must not take the server down; answer it and keep serving the others.
      logger.warn({ err }, 'slack sandbox request failed');
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal_error' });
      else res.destroy();
    });
  });
  server.on('upgrade', (req, conn, head: Buffer) => {
    if (!socket.hub?.handleUpgrade(req, conn, head)) conn.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const baseUrl = `http://${host}:${addr.port}`;
  const apiUrl = `${baseUrl}/api/`;
  const socketMode = new SocketModeHub({ appTokens: [appToken], appId: APP_ID, wsBase: `ws://${host}:${addr.port}`, logger, now });
  socket.hub = socketMode;
  const clientDeps = { workspace, record, responseUrls, signingSecret, verificationToken: 'sandbox-verification-token', appId: APP_ID, baseUrl, now };
  logger.info({ apiUrl }, 'slack sandbox listening');

  return {
    name: 'slack',
    address: apiUrl,
    apiUrl,
    baseUrl,
    botToken,
    signingSecret,
    appToken,
    socketMode,
    connection: { apiUrl, botToken, signingSecret, appToken },
    workspace,
    record,
    faults,
    requestClient: (requestUrl) => new SignedRequestClient(clientDeps, requestUrl),
    socketModeClient: () => new SignedRequestClient(clientDeps, '', socketMode),
    close: async () => {
      socketMode.close();
      await closeServer(server);
      if (options.dataDir) saveSandbox(options.dataDir, { botToken, signingSecret, appToken, workspace: workspace.toState() });
    },
  };
}

/** The app the sandbox delivers to (`api_app_id`). */
const APP_ID = 'A0BREACHAPP';

async function route(deps: SlackHttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
  const api = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname);
  if (api && (req.method === 'POST' || req.method === 'GET')) return handleWebApi(deps, req, res, url, api[1] as string);
  const response = /^\/_sandbox\/response\/([a-f0-9]+)$/.exec(url.pathname);
  if (response && req.method === 'POST') return handleResponseUrl(deps, req, res, response[1] as string);
  if (url.pathname === '/_sandbox/log' && req.method === 'GET') return handleLog(deps, res);
  if (url.pathname === '/_sandbox/faults' && req.method === 'POST') return handleFaults(deps, req, res);
  if (url.pathname === '/_sandbox/health' && req.method === 'GET') return sendJson(res, 200, { ok: true });
  req.resume();
  sendJson(res, 404, { ok: false, error: 'not_found' });
}

function randomDigits(n: number): string {
  let out = '';
  for (const b of randomBytes(n)) out += String(b % 10);
  return out;
}
