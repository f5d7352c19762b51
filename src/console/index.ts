import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { Kafka } from 'kafkajs';
import type { Logger } from '../log/logger';
import type { ConsoleLinkIssuer } from '../slack/commands/console';
import type { IncidentPort } from '../slack/commands/incident-port';
import type { PolicyEngine } from '../slack/policy/cedar-policy';
import type { RefusalRecorder } from '../slack/policy/refusals';
import { startWarRoomFeed } from '../slack/war-room-feed';
import { ConsoleAuthorizer } from './authorize';
import { LiveFeed } from './live-feed';
import { createConsoleServer } from './server';
import { SessionStore } from './sessions';
import { SigninLinks } from './signin-links';
import { auditRegisterSource, temporalDrillHistory, temporalIncidentDirectory } from './temporal-sources';

export type * from './contract';
export { createConsoleServer, SESSION_COOKIE, type ConsoleServer, type ConsoleServerOptions } from './server';
export { SigninLinks, SigninError } from './signin-links';
export { SessionStore } from './sessions';
export { LiveFeed } from './live-feed';
export { ConsoleAuthorizer } from './authorize';

/** The path of a sign-in link, after the public URL: the token is in the fragment. */
export const SIGNIN_FRAGMENT = '/#/signin/';

/** The package's own directory (where package.json is), from source and from `dist/` alike. */
function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** Where the built front end is by default. */
export function defaultStaticDir(): string {
  return join(packageRoot(), 'dist', 'console');
}

/** Options of {@link startConsole}. */
export interface StartConsoleOptions {
  readonly client: Client;
  readonly incidents: IncidentPort;
  readonly policy: PolicyEngine;
  readonly refusals: RefusalRecorder;
  /** The audit topic's Kafka client and name: live updates and the register. */
  readonly kafka: Kafka;
  readonly auditTopic: string;
  readonly port: number;
  readonly host: string;
  readonly publicUrl?: string;
  readonly sessionMinutes: number;
  readonly staticDir?: string;
  readonly logger: Logger;
}

/** A running console. */
export interface RunningConsole {
  /** The listening address. */
  readonly url: string;
  /** The base of sign-in links: `publicUrl`, else the listening address. */
  readonly publicUrl: string;
  /** What `/ir console` hands links out with. */
  readonly links: ConsoleLinkIssuer;
  close(): Promise<void>;
}

/**
 * Starts the incident console of the main process: the server on its own port, sign-in links for
 * `/ir console`, and the audit-topic tail feeding its live updates.
 */
export async function startConsole(o: StartConsoleOptions): Promise<RunningConsole> {
  const signin = new SigninLinks();
  const live = new LiveFeed();
  const server = createConsoleServer({
    incidents: o.incidents,
    directory: temporalIncidentDirectory(o.client),
    drills: temporalDrillHistory(o.client),
    register: auditRegisterSource(o.kafka, o.auditTopic),
    auth: new ConsoleAuthorizer(o.policy, o.refusals),
    sessions: new SessionStore({ ttlMs: o.sessionMinutes * 60_000 }),
    live,
    links: signin,
    staticDir: resolve(o.staticDir ?? defaultStaticDir()),
    ...(o.publicUrl !== undefined ? { publicUrl: o.publicUrl } : {}),
    logger: o.logger,
  });
  const url = await server.listen(o.port, o.host);
  const feed = await startWarRoomFeed(o.kafka, o.auditTopic, live, {
    onError: (err) => o.logger.warn({ err: { message: (err as Error).message } }, 'console: cannot tail the audit topic'),
  });
  const base = (o.publicUrl ?? url).replace(/\/+$/, '');
  o.logger.info({ url, publicUrl: base }, 'incident console listening');
  return {
    url,
    publicUrl: base,
    links: {
      link(userId) {
        const { token, expiresAt } = signin.issue(userId);
        return { url: `${base}${SIGNIN_FRAGMENT}${token}`, expiresAt };
      },
    },
    async close() {
      await feed.stop();
      await server.close();
    },
  };
}
