import cluster, { type Worker } from 'node:cluster';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config/config';
import { createKafka, type KafkaConnection } from '../kafka/client';
import type { Logger } from '../log/logger';
import { createConfiguredAlertLog, type AlertLog } from './alert-log';
import { createMetrics } from './metrics';
import { RunbookCatalog } from './runbooks';
import { createIngressServer, loadIngressRunbooks, type ListeningAddress } from './server';

/**
 * The ingress as a process of its own (`breachline ingress`, issue 15 item 3), optionally several
 * behind one port with `node:cluster`. The processes share nothing but Kafka and Temporal: each
 * has its own coalescing cache, its own producer and, in durable mode, its own correlator in one
 * consumer group. Dedup stays right across them because the alerts topic is keyed by fingerprint
 * (one partition, so one correlator, per fingerprint), Temporal's workflow id is unique per
 * fingerprint, and the workflow records each SIEM alert id once.
 */

/** Where the ingress process finds Temporal and Kafka. */
export interface IngressProcessOptions {
  config: Config;
  logger: Logger;
  /** Where Temporal is, with its TLS / API key when configured. */
  temporal: { address: string; namespace: string } & Omit<ConnectionOptions, 'address'>;
  /** Required in durable mode. */
  kafka?: KafkaConnection;
  port: number;
  host: string;
  /** Processes behind the port; 1 serves in this process. @default config.ingress.workers */
  workers?: number;
  /** The payload encryption every breachline client uses (issue 15): alerts reach history encrypted. */
  dataConverter?: DataConverter;
  /**
   * Run a correlator in each ingress process (durable mode). False when correlators run as
   * processes of their own (`breachline correlator`), so the ingress only validates, authenticates,
   * dedupes and appends. @default true
   */
  correlate?: boolean;
}

/** A running ingress process (or cluster primary). */
export interface RunningIngressProcess {
  /** The address every process listens on. */
  address: ListeningAddress;
  /** Pids of the serving processes. */
  pids: number[];
  close(): Promise<void>;
}

interface ListeningMessage {
  kind: 'breachline-ingress-listening';
  address: ListeningAddress;
}

function isListening(message: unknown): message is ListeningMessage {
  return typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === 'breachline-ingress-listening';
}

/**
 * Starts the ingress. In a cluster primary with more than one worker it forks them (each re-runs
 * the same command and lands in the single-process branch), resolves once all listen, and replaces
 * a worker that dies until `close()`.
 */
export async function runIngressProcess(options: IngressProcessOptions): Promise<RunningIngressProcess> {
  const workers = options.workers ?? options.config.ingress.workers;
  if (cluster.isPrimary && workers > 1) return runPrimary(options, workers);
  const served = await serveHere(options);
  if (cluster.isWorker) process.send?.({ kind: 'breachline-ingress-listening', address: served.address } satisfies ListeningMessage);
  return served;
}

async function serveHere(options: IngressProcessOptions): Promise<RunningIngressProcess> {
  const { config, logger } = options;
  const { address: temporalAddress, namespace, ...security } = options.temporal;
  // Durable first, the 202 depends on Kafka alone: the process starts and accepts while Temporal is
  // unreachable (the correlator retries until it answers). Direct mode needs Temporal from the start.
  const connection = config.ingress.durable ? Connection.lazy({ address: temporalAddress, ...security }) : await Connection.connect({ address: temporalAddress, ...security });
  const client = new Client({ connection, namespace, ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}) });
  const runbooks = new RunbookCatalog(await loadIngressRunbooks(config));
  const metrics = createMetrics();
  let durable: { kafka: ReturnType<typeof createKafka>; alertLog: AlertLog } | undefined;
  if (config.ingress.durable) {
    if (options.kafka === undefined) throw new Error('durable ingress needs Kafka: set BREACHLINE_KAFKA_BROKERS and its credentials, or BREACHLINE_INGRESS_DURABLE=false for direct mode');
    const kafka = createKafka(options.kafka, { clientId: `breachline-ingress-${process.pid}`, logger });
    durable = { kafka, alertLog: await createConfiguredAlertLog(kafka, config.ingress, metrics) };
  }
  const server = createIngressServer({
    config,
    temporalClient: client,
    runbooks,
    logger: logger.child({ component: 'ingress', pid: process.pid }),
    metrics,
    ...(durable ? { alertLog: durable.alertLog, kafka: durable.kafka } : {}),
    correlate: options.correlate ?? true,
  });
  const address = await server.listen(options.port, options.host);
  return {
    address,
    pids: [process.pid],
    async close() {
      await server.close();
      await connection.close();
    },
  };
}

async function runPrimary(options: IngressProcessOptions, count: number): Promise<RunningIngressProcess> {
  let closing = false;
  const live = new Set<Worker>();
  const fork = (): Promise<{ worker: Worker; address: ListeningAddress }> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork();
      live.add(worker);
      const onMessage = (message: unknown): void => {
        if (!isListening(message)) return;
        worker.off('message', onMessage);
        resolve({ worker, address: message.address });
      };
      worker.on('message', onMessage);
      worker.once('exit', (code, signal) => {
        live.delete(worker);
        reject(new Error(`ingress worker ${String(worker.process.pid)} exited before listening (${signal ?? String(code)})`));
        if (closing) return;
        options.logger.error({ pid: worker.process.pid, code, signal }, 'ingress worker died; starting another');
        // The replacement's own failure is logged by its exit; the primary keeps serving with the rest.
        setTimeout(() => void fork().catch(() => undefined), 1_000).unref();
      });
    });
  const started = await Promise.all(Array.from({ length: count }, fork)).catch(async (error: unknown) => {
    closing = true;
    for (const w of live) w.kill('SIGTERM');
    throw error;
  });
  const address = started[0]?.address as ListeningAddress;
  options.logger.info({ workers: count, url: address.url }, 'ingress cluster listening');
  return {
    address,
    get pids() {
      return [...live].map((w) => w.process.pid).filter((p): p is number => p !== undefined);
    },
    async close() {
      closing = true;
      await Promise.all(
        [...live].map(
          (w) =>
            new Promise<void>((resolve) => {
              w.once('exit', () => resolve());
              w.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
