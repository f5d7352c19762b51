import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { evidenceTaskQueue, type Config } from '../config/config';
import { loadRunbookDir, type LoadedRunbook } from '../domain/runbook-loader';
import type { Logger } from '../log/logger';
import { createIngressHandler, type IngressRequestHandler } from './handler';
import { createTemporalIncidentGateway, type IncidentGateway } from './incidents';
import { sharedMetrics, type BreachlineMetrics } from './metrics';
import { RunbookCatalog } from './runbooks';

/** Inputs of {@link createIngressServer}. */
export interface IngressServerOptions {
  config: Config;
  /** Client on `config.temporal.namespace`; the server never closes its connection. */
  temporalClient: Client;
  /** Validated runbooks (see {@link loadIngressRunbooks}); read once, never per request. */
  runbooks: readonly LoadedRunbook[] | RunbookCatalog;
  logger: Logger;
  /** Epoch milliseconds, for receipt times and the signature window. @default Date.now */
  clock?: () => number;
  /** @default the process-wide {@link sharedMetrics} */
  metrics?: BreachlineMetrics;
  /** Longest an alert waits for Temporal before a 503. @default 10000 */
  acceptTimeoutMs?: number;
  /** Replaces the Temporal gateway (benchmarks of the HTTP layer alone). */
  gateway?: IncidentGateway;
}

/** Where a started server listens. */
export interface ListeningAddress {
  host: string;
  port: number;
  /** `http://host:port` */
  url: string;
}

/** A SIEM ingress server. */
export interface IngressServer {
  /** The request handler, for mounting on a server shared with the Slack receiver. */
  readonly handler: IngressRequestHandler;
  readonly metrics: BreachlineMetrics;
  /** Binds and starts serving; port 0 picks a free one. */
  listen(port: number, host?: string): Promise<ListeningAddress>;
  /** Stops accepting, ends idle keep-alive connections and waits for in-flight requests. */
  close(): Promise<void>;
}

/** Loads and validates every runbook in `config.runbookDir`; call once at start. */
export async function loadIngressRunbooks(config: Pick<Config, 'runbookDir'>): Promise<LoadedRunbook[]> {
  return loadRunbookDir(config.runbookDir);
}

/**
 * Creates the SIEM ingress: `POST /v1/alerts/:source`, `/healthz`, `/readyz`, `/metrics` on node
 * `http`. Stateless apart from the per-process replay window: any number of replicas can serve
 * behind a load balancer, duplicates collapse on the incident workflow id in Temporal.
 */
export function createIngressServer(options: IngressServerOptions): IngressServer {
  const metrics = options.metrics ?? sharedMetrics();
  const catalog = options.runbooks instanceof RunbookCatalog ? options.runbooks : new RunbookCatalog(options.runbooks);
  const gateway =
    options.gateway ??
    createTemporalIncidentGateway(options.temporalClient, { taskQueue: options.config.temporal.taskQueue, evidenceTaskQueue: evidenceTaskQueue(options.config), acceptTimeoutMs: options.acceptTimeoutMs });
  const logger = options.logger;
  const handler = createIngressHandler({ config: options.config, gateway, catalog, logger, metrics, clock: options.clock });
  let server: Server | undefined;

  return {
    handler,
    metrics,
    listen(port, host = '127.0.0.1') {
      return new Promise<ListeningAddress>((resolve, reject) => {
        const s = createServer(handler);
        // Slow senders cannot hold a socket forever (headers within 10 s, whole request within 30 s).
        s.headersTimeout = 10_000;
        s.requestTimeout = 30_000;
        s.once('error', reject);
        s.listen(port, host, () => {
          s.off('error', reject);
          server = s;
          const address = s.address() as AddressInfo;
          logger.info({ host: address.address, port: address.port, runbooks: catalog.pinned }, 'ingress listening');
          resolve({ host: address.address, port: address.port, url: `http://${address.address}:${address.port}` });
        });
      });
    },
    close() {
      const s = server;
      server = undefined;
      if (!s) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        s.close((err) => (err ? reject(err) : resolve()));
        s.closeIdleConnections();
      });
    },
  };
}
