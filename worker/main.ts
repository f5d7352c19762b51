import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { temporalConnectOptions } from '../src/app/secured-connections';
import { createActivities, type PlaybookDeps } from '../activities';
import { evidenceTaskQueue, loadConfig, type Config } from '../src/config/config';
import { workerVersioning } from '../src/config/worker-versioning';
import { createLogger, type Logger } from '../src/log/logger';
import { collectSecretValues } from '../src/log/redact';
import { payloadEncryption } from '../src/temporal/data-converter';
import { buildDeps, resolveEndpoints } from './deps';

/**
 * The breachline worker: runs `IncidentWorkflow` (and its clock children) and the playbook
 * activities on `config.temporal.taskQueue`. It never starts a sandbox: every system needs a
 * configured address, and a missing one fails the start listing each (design §5; the sandbox demo
 * is `breachline start`). Stops gracefully on SIGINT/SIGTERM: running activities finish or are
 * handed back to Temporal, which retries them on the next worker.
 */

/** Options of {@link runWorker}. */
export interface RunWorkerOptions {
  config: Config;
  logger: Logger;
  /** @default config.temporal.taskQueue */
  taskQueue?: string;
  /**
   * Which queues this process serves (issue 13): `all` (the playbook and the evidence replay) or
   * `evidence` only, to add evidence capacity without more playbook workers.
   * @default BREACHLINE_WORKER_QUEUES, else 'all'
   */
  queues?: 'all' | 'evidence';
  /** Stops the worker when aborted. */
  signal?: AbortSignal;
  /** A prebuilt workflow bundle (`bundleWorkflowCode` output); absent: bundle `workflows/` at start. */
  workflowBundlePath?: string;
}

/** Wraps each activity so its start, end and failure are logged with the incident id and step. */
function logged<T extends Record<string, (input: never) => Promise<unknown>>>(activities: T, logger: Logger): T {
  const out: Record<string, (input: never) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(activities)) {
    out[name] = async (input: never) => {
      const ids = (input ?? {}) as { incidentId?: unknown; stepId?: unknown };
      const log = logger.child({ activity: name, incidentId: ids.incidentId, step: ids.stepId });
      const started = Date.now();
      log.debug('activity started');
      try {
        const result = await fn(input);
        log.info({ ms: Date.now() - started }, 'activity completed');
        return result;
      } catch (err) {
        log.warn({ ms: Date.now() - started, err: { name: (err as Error).name, message: (err as Error).message } }, 'activity failed');
        throw err;
      }
    };
  }
  return out as T;
}

/** Parses `BREACHLINE_WORKER_QUEUES`; anything but `all`/`evidence` fails the start. */
export function workerQueues(value: string | undefined): 'all' | 'evidence' {
  if (value === undefined || value === '' || value === 'all') return 'all';
  if (value === 'evidence') return 'evidence';
  throw new Error(`BREACHLINE_WORKER_QUEUES=${value}: expected "all" or "evidence"`);
}

/** Runs a worker until `signal` aborts; resolves once it has shut down and everything is closed. */
export async function runWorker(options: RunWorkerOptions): Promise<void> {
  const { config, logger } = options;
  const endpoints = resolveEndpoints(config);
  const deps: PlaybookDeps = buildDeps(config, endpoints, logger);
  // The same payload encryption as the main command's clients (issue 15), or none when turned off.
  const { dataConverter } = payloadEncryption(config, endpoints.vault, logger);
  const connection = await NativeConnection.connect(temporalConnectOptions(endpoints.temporal));
  try {
    const taskQueue = options.taskQueue ?? config.temporal.taskQueue;
    const evidenceQueue = evidenceTaskQueue({ temporal: { ...config.temporal, taskQueue } });
    const queues = options.queues ?? workerQueues(process.env.BREACHLINE_WORKER_QUEUES);
    const bundlePath = options.workflowBundlePath;
    const activities = logged(createActivities(deps), logger);
    const workers: Worker[] = [];
    if (queues === 'all') {
      workers.push(
        await Worker.create({
          connection,
          namespace: endpoints.temporal.namespace,
          taskQueue,
          dataConverter,
          ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath: require.resolve('../workflows') }),
          activities,
          ...workerVersioning(config),
        }),
      );
    }
    // Activities only: the evidence queue never runs workflow tasks.
    workers.push(await Worker.create({ connection, namespace: endpoints.temporal.namespace, taskQueue: evidenceQueue, dataConverter, activities, ...workerVersioning(config) }));
    const stop = (): void => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    };
    options.signal?.addEventListener('abort', stop, { once: true });
    logger.info({ taskQueue: queues === 'all' ? taskQueue : undefined, evidenceTaskQueue: evidenceQueue, temporal: endpoints.temporal.address }, 'worker running');
    await Promise.all(workers.map((w) => w.run()));
    logger.info('worker stopped');
  } finally {
    await connection.close();
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ name: 'breachline-worker', level: config.logLevel, secretValues: [...collectSecretValues(config)] });
  // We handle the signals ourselves, so that the connections close after the
  // worker has drained (the SDK's own handler would re-raise the signal before that).
  Runtime.install({ shutdownSignals: [] });
  const controller = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      logger.info({ signal: sig }, 'shutting down');
      controller.abort();
    });
  }
  const workflowBundlePath = process.env.BREACHLINE_WORKFLOW_BUNDLE;
  await runWorker({ config, logger, signal: controller.signal, ...(workflowBundlePath ? { workflowBundlePath } : {}) });
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
