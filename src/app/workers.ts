import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import { createActivities, type PlaybookDeps } from '../../activities';
import { createDrillActivities } from '../../activities/drill';
import { workerVersioning } from '../config/worker-versioning';
import { evidenceTaskQueue, type Config } from '../config/config';
import { DrillRange, type PlaybookActivities } from '../drill/range';
import type { RunbookCatalog } from '../ingress/runbooks';
import type { Logger } from '../log/logger';
import type { TemporalConnectOptions } from './secured-connections';
import { failureConverterPath } from '../temporal/data-converter';

/** The in-process workers of the main command. */
export interface RunningWorkers {
  range: DrillRange;
  /** Resolves when both workers have stopped. */
  readonly done: Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link startWorkers}. */
export interface StartWorkersOptions {
  config: Config;
  temporalAddress: string;
  /** TLS and API key for that address (configured frontends); absent = plaintext. */
  temporalConnection?: TemporalConnectOptions;
  namespace: string;
  /** Production (or main-sandbox) deps of the playbook. */
  deps: PlaybookDeps;
  /** Drills start their incident through this client. */
  client: Client;
  runbooks: RunbookCatalog;
  reportDir: string;
  logger: Logger;
  /**
   * A prebuilt bundle of `workflows/drill.ts` (`bundleWorkflows()` output written to a file), as
   * `BREACHLINE_WORKFLOW_BUNDLE` gives it; absent: bundle at start (the slowest part of a start).
   */
  workflowBundlePath?: string;
  /** Wraps the main playbook activity set (the chaos tests' fault hook); the drill set is never wrapped. */
  wrapActivities?: (activities: PlaybookActivities) => PlaybookActivities;
  /** The payload codec of `src/temporal/data-converter.ts`, the same as the client's. @default SDK defaults */
  dataConverter?: DataConverter;
}

let runtimeInstalled = false;

/** Routes the SDK's core logs into ours at warn and above, once per process. */
function installRuntime(logger: Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const log = logger.child({ component: 'temporal-sdk' });
  const noop = (): void => undefined;
  try {
    Runtime.install({
      logger: {
        log: noop,
        trace: noop,
        debug: noop,
        info: noop,
        warn: (message, meta) => log.warn(meta ?? {}, message),
        error: (message, meta) => log.error(meta ?? {}, message),
      },
    });
  } catch {
    // Installed earlier in this process (tests).
  }
}

/** The bundle entry: the TypeScript source when run with tsx or vitest, the compiled file in a build. */
function drillWorkflowsPath(): string {
  const base = join(__dirname, '..', '..', 'workflows', 'drill');
  return existsSync(`${base}.ts`) ? `${base}.ts` : `${base}.js`;
}

/**
 * Bundles the workflows once for both task queues (workflows/drill.ts re-exports the playbook's),
 * with our failure converter (issue 15: failure messages leave the sandbox as encoded payloads).
 */
export function bundleWorkflows(): Promise<WorkflowBundle> {
  const noop = (): void => undefined;
  return bundleWorkflowCode({
    workflowsPath: drillWorkflowsPath(),
    failureConverterPath: failureConverterPath(),
    logger: { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop },
  });
}

/** Options of {@link createDrillWorker}. */
export interface DrillWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** `config.temporal.drillTaskQueue`. */
  taskQueue: string;
  bundle: WorkflowBundle;
  range: DrillRange;
  client: Client;
  runbooks: RunbookCatalog;
  reportDir: string;
  logger: Logger;
  /** @default SDK defaults */
  dataConverter?: DataConverter;
}

/**
 * The drill worker: DrillWorkflow and the playbook's workflows, with the drill activities and a
 * playbook activity set built on the drill range (embedded sandboxes), on the drill task queue.
 */
export function createDrillWorker(options: DrillWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: options.bundle,
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    activities: {
      ...options.range.activities,
      ...createDrillActivities({
        range: options.range,
        client: options.client,
        drillTaskQueue: options.taskQueue,
        runbooks: options.runbooks,
        reportDir: options.reportDir,
        logger: options.logger.child({ component: 'drill' }),
      }),
    },
  });
}

/**
 * Starts the two workers of design §4: the playbook on `temporal.taskQueue` with the given deps,
 * and on `temporal.drillTaskQueue` the drill workflow plus a second playbook activity set built on
 * the drill range's embedded sandboxes, whatever production is configured.
 */
export async function startWorkers(options: StartWorkersOptions): Promise<RunningWorkers> {
  installRuntime(options.logger);
  const { config, logger } = options;
  const [bundle, connection, range] = await Promise.all([
    options.workflowBundlePath !== undefined ? Promise.resolve({ code: readFileSync(options.workflowBundlePath, 'utf8') }) : bundleWorkflows(),
    NativeConnection.connect(options.temporalConnection ?? { address: options.temporalAddress }),
    DrillRange.start({ logger: logger.child({ component: 'drill-range' }), auditTopic: config.kafka.auditTopic }),
  ]);
  const main = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowBundle: bundle,
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    activities: (options.wrapActivities ?? ((a: PlaybookActivities) => a))(createActivities(options.deps)),
    ...workerVersioning(config),
  });
  // issue 13: the evidence replay's own queue, served here too (more processes can join it).
  const evidence = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: evidenceTaskQueue(config),
    // The same payload encryption as the other workers: the evidence activities' input is encrypted too.
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    workflowBundle: bundle,
    activities: (options.wrapActivities ?? ((a: PlaybookActivities) => a))(createActivities(options.deps)),
    ...workerVersioning(config),
  });
  const drill = await createDrillWorker({
    connection,
    namespace: options.namespace,
    taskQueue: config.temporal.drillTaskQueue,
    bundle,
    range,
    client: options.client,
    runbooks: options.runbooks,
    reportDir: options.reportDir,
    logger,
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
  });
  const running = [main, evidence, drill].map((w) =>
    w.run().catch((err: unknown) => {
      logger.error({ err: { message: (err as Error).message }, taskQueue: w.options.taskQueue }, 'worker stopped with an error');
    }),
  );
  const done = Promise.all(running).then(() => undefined);
  let closed = false;
  return {
    range,
    done,
    async close() {
      if (closed) return done;
      closed = true;
      for (const w of [main, evidence, drill]) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
      await connection.close().catch(() => undefined);
      await range.close().catch(() => undefined);
    },
  };
}
