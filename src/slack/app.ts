import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, HTTPReceiverDeferredRequestError, SocketModeReceiver, type CustomRoute } from '@slack/bolt';
import type { RetryOptions } from '@slack/web-api';
import type { Logger } from '../log/logger';
import { closeServer } from '../net/close-server';
import { toSlackLogger } from './bolt-logger';
import { registerCommands } from './commands/index';
import { ReplayGuard, type ReplayGuardOptions } from '../security/replay-guard';
import { createRequestGate } from './request-gate';
import { webClientOptions } from './web-client';

/** Path Slack posts slash commands, interactions and events to. */
export const SLACK_EVENTS_PATH = '/slack/events';
/** Liveness route served beside the Slack endpoint. */
export const HEALTH_PATH = '/healthz';

/** Options for {@link createSlackApp}. */
export interface SlackAppOptions {
  readonly botToken: string;
  readonly signingSecret: string;
  /** Web API base URL. @default 'https://slack.com/api/' */
  readonly apiUrl?: string;
  /** Port to listen on; 0 picks a free one. @default 3000 */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  readonly logger: Logger;
  /** The slash command responders type (from config). @default '/ir' */
  readonly commandName?: string;
  /** Further routes on the same server (SIEM webhooks). */
  readonly customRoutes?: readonly CustomRoute[];
  /** Clock for request verification, in ms since the epoch. @default Date.now */
  readonly clock?: () => number;
  /** How long and how many request signatures are remembered against replays. */
  readonly replay?: ReplayGuardOptions;
  /** Web API retries. @default DEFAULT_RETRY */
  readonly retryConfig?: RetryOptions;
  /** Largest request body accepted from Slack. @default 1 MiB */
  readonly bodyLimitBytes?: number;
  /**
   * Socket Mode instead of the HTTP receiver: Slack delivers over a WebSocket the app opens with
   * this app-level token (`apps.connections.open`), so nothing listens on a public port and
   * `signingSecret` is not used. @default HTTP receiver
   */
  readonly socketMode?: { readonly appToken: string };
}

/** A built, not yet listening, Slack app. */
export interface SlackAppHandle {
  /** The Bolt app, for registering further listeners before `start()`. */
  readonly app: App;
  /** Verifies the bot token (auth.test) and starts listening; resolves to the base URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
  /** Base URL once started, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  /** The URL to configure as the Slack request URL. */
  readonly requestUrl: string;
}

/**
 * Builds breachline's Slack app: Bolt over its HTTP receiver with signature verification on, a
 * WebClient pointed at `apiUrl`, replay protection in front (a verified signature is accepted
 * once), a health route, and the slash command. The server is ours rather than the receiver's so
 * the replay check can run before Bolt sees the request.
 */
export function createSlackApp(options: SlackAppOptions): SlackAppHandle {
  if (options.socketMode) return createSocketModeApp(options, options.socketMode.appToken);
  const logger = options.logger;
  const secrets = [options.signingSecret, options.botToken];
  const slackLogger = toSlackLogger(logger, secrets);
  const health: CustomRoute = {
    path: HEALTH_PATH,
    method: ['GET'],
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
    },
  };
  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret,
    signatureVerification: true,
    endpoints: [SLACK_EVENTS_PATH],
    customRoutes: [health, ...(options.customRoutes ?? [])],
    logger: slackLogger,
  });
  const app = new App({
    receiver,
    token: options.botToken,
    logger: slackLogger,
    clientOptions: webClientOptions({ apiUrl: options.apiUrl, logger, retryConfig: options.retryConfig, secrets }),
    // auth.test runs in start(), where a failure can be awaited and reported.
    deferInitialization: true,
  });
  app.error(async (err) => {
    logger.error({ code: err.code }, `slack listener failed: ${err.message}`);
  });
  registerCommands(app, { commandName: options.commandName ?? '/ir' });

  const gate = createRequestGate(
    {
      signingSecret: options.signingSecret,
      endpoints: [SLACK_EVENTS_PATH],
      now: options.clock ?? Date.now,
      replayGuard: new ReplayGuard(options.replay),
      bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
      logger,
    },
    (req, res) => dispatch(receiver, req, res, logger),
  );

  let server: Server | undefined;
  let url = '';
  return {
    app,
    get url() {
      return url;
    },
    get requestUrl() {
      return url ? `${url}${SLACK_EVENTS_PATH}` : '';
    },
    async start() {
      if (server) return url;
      await app.init();
      const s = createServer((req, res) => {
        gate(req, res).catch((err: unknown) => {
          logger.error({ err }, 'slack request handling failed');
          if (!res.headersSent) {
            res.writeHead(500);
            res.end();
          }
        });
      });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(options.port ?? 3000, options.host ?? '127.0.0.1', () => {
          s.off('error', reject);
          resolve();
        });
      });
      server = s;
      const addr = s.address() as AddressInfo;
      url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
      logger.info({ url, command: options.commandName ?? '/ir' }, 'slack app listening');
      return url;
    },
    async stop() {
      const s = server;
      if (!s) return;
      server = undefined;
      await closeServer(s);
    },
  };
}

/**
 * The Socket Mode variant: Bolt's SocketModeReceiver, whose WebClient (for
 * `apps.connections.open`) uses the same API base as the bot's, so a stand-in Slack is reached too.
 * Bolt verifies nothing here: Slack authenticates the WebSocket by the app token.
 */
function createSocketModeApp(options: SlackAppOptions, appToken: string): SlackAppHandle {
  const logger = options.logger;
  const secrets = [appToken, options.botToken];
  const slackLogger = toSlackLogger(logger, secrets);
  const clientOptions = webClientOptions({ apiUrl: options.apiUrl, logger, retryConfig: options.retryConfig, secrets });
  const receiver = new SocketModeReceiver({ appToken, logger: slackLogger, installerOptions: { clientOptions } });
  const app = new App({ receiver, token: options.botToken, logger: slackLogger, clientOptions, deferInitialization: true });
  app.error(async (err) => {
    logger.error({ code: err.code }, `slack listener failed: ${err.message}`);
  });
  registerCommands(app, { commandName: options.commandName ?? '/ir' });
  let starting: Promise<unknown> | undefined;
  return {
    app,
    url: '',
    requestUrl: '',
    async start() {
      if (starting) return '';
      await app.init();
      // The socket client keeps retrying apps.connections.open until it connects or is stopped.
      starting = app.start();
      await starting;
      logger.info({ command: options.commandName ?? '/ir' }, 'slack app connected over Socket Mode');
      return '';
    },
    async stop() {
      if (!starting) return;
      starting = undefined;
      await app.stop();
    },
  };
}

/** Hands a request to Bolt; what Bolt does not route is a 404, anything it throws a 500. */
function dispatch(receiver: HTTPReceiver, req: IncomingMessage, res: ServerResponse, logger: Logger): void {
  try {
    receiver.requestListener(req, res);
  } catch (err) {
    if (err instanceof HTTPReceiverDeferredRequestError) {
      res.writeHead(404);
      res.end();
      return;
    }
    logger.error({ err }, 'bolt could not dispatch a request');
    res.writeHead(500);
    res.end();
  }
}
