import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { evidenceTaskQueue, type Config } from '../config/config';
import { loadRunbookDir, type LoadedRunbook } from '../domain/runbook-loader';
import type { Logger } from '../log/logger';
import { createIngressHandler, type IngressRequestHandler } from './handler';
import type { Kafka } from 'kafkajs';
import type { AlertLog } from './alert-log';
import { createCoalescingGateway, type CoalescingGateway } from './coalescer';
import { startCorrelator, type Correlator } from './correlator';
import { createDurableGateway } from './durable-gateway';
import { IncidentCache } from './incident-cache';
import { createTemporalBatchSignaller, createTemporalIncidentGateway, type IncidentGateway, type TemporalCall } from './incidents';
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
  // Alert storms (issue 15, item 3).
  /**
   * Durable mode (`config.ingress.durable`): the alerts topic every new alert is appended to before
   * its 202 (see `createAlertLog`). The server closes it on `close()`.
   */
  alertLog?: AlertLog;
  /** The Kafka client the correlator consumes the alerts topic with; required with `alertLog`. */
  kafka?: Kafka;
  /** Run a correlator in this process (durable mode). @default true */
  correlate?: boolean;
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

/**
 * The gateway to Temporal: the plain one, or (by default) wrapped in the coalescer so duplicates of
 * an open incident cost no Temporal call. A gateway given in the options is used as it is. Also the
 * gateway of a correlator running in a process of its own (`breachline correlator`).
 */
export function temporalPath(
  options: Pick<IngressServerOptions, 'config' | 'temporalClient' | 'acceptTimeoutMs' | 'gateway' | 'clock'>,
  metrics: BreachlineMetrics,
): { temporal: IncidentGateway; coalescer?: CoalescingGateway } {
  if (options.gateway !== undefined) return { temporal: options.gateway };
  const onCall = (call: TemporalCall): void => metrics.temporalCalls.inc({ call });
  const common = { acceptTimeoutMs: options.acceptTimeoutMs, onCall };
  const plain = createTemporalIncidentGateway(options.temporalClient, { taskQueue: options.config.temporal.taskQueue, evidenceTaskQueue: evidenceTaskQueue(options.config), ...common });
  const settings = options.config.ingress.coalesce;
  if (!settings.enabled) return { temporal: plain };
  const coalescer = createCoalescingGateway(plain, {
    signalBatch: createTemporalBatchSignaller(options.temporalClient, common),
    cache: new IncidentCache({ maxIncidents: settings.maxIncidents, ttlMs: settings.ttlMs }),
    batchIntervalMs: settings.batchIntervalMs,
    maxBatch: settings.maxBatch,
    ...(options.clock ? { clock: options.clock } : {}),
    onCoalesced: (alert) => metrics.coalesced.inc({ source: alert.source }),
  });
  return { temporal: coalescer, coalescer };
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
  const logger = options.logger;
  const { temporal: temporalGateway, coalescer } = temporalPath(options, metrics);
  const alertLog = options.alertLog;
  if (alertLog !== undefined && coalescer === undefined) throw new Error('durable ingress needs coalescing (ingress.coalesce.enabled): the correlator batches through it');
  const gateway = alertLog !== undefined && coalescer !== undefined ? createDurableGateway(alertLog, coalescer) : temporalGateway;
  const handler = createIngressHandler({ config: options.config, gateway, catalog, logger, metrics, clock: options.clock });
  let server: Server | undefined;
  let correlator: Correlator | undefined;

  return {
    handler,
    metrics,
    async listen(port, host = '127.0.0.1') {
      if (alertLog !== undefined && (options.correlate ?? true) && correlator === undefined) {
        if (options.kafka === undefined) throw new Error('durable ingress with a correlator needs the Kafka client (options.kafka)');
        correlator = await startCorrelator({
          kafka: options.kafka,
          topic: alertLog.topic,
          groupId: options.config.ingress.correlatorGroup,
          gateway: temporalGateway,
          catalog,
          logger: logger.child({ component: 'correlator' }),
          metrics,
        });
      }
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
    async close() {
      const s = server;
      server = undefined;
      if (s) {
        await new Promise<void>((resolve, reject) => {
          s.close((err) => (err ? reject(err) : resolve()));
          s.closeIdleConnections();
        });
      }
      // Requests are answered; what they queued for Temporal goes out before the process leaves.
      await coalescer?.drain();
      const c = correlator;
      correlator = undefined;
      await c?.stop();
      await alertLog?.close();
    },
  };
}
