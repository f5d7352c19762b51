import type * as grpc from '@grpc/grpc-js';
import { silentLogger, type Logger } from '../../log/logger';
import { ServerClock, type ClockMode } from './clock';
import { Engine } from './engine';
import { FaultInjector } from './faults';
import { Journal } from './journal';
import { resolveLimits, type TemporalLimits } from './limits';
import { operatorServiceHandlers } from './operator-service';
import { restoreFromJournal } from './restore';
import { createScheduleHandlers, type ScheduleHandlers } from './schedule-handlers';
import { bind, createGrpcServer, type GrpcTls } from './server';
import { testServiceHandlers } from './test-service';
import { workflowServiceHandlers } from './workflow-service';

/** Options for {@link TemporalSandboxServer.start}. */
export interface TemporalSandboxServerOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** Journal directory; absent keeps everything in memory. */
  dataDir?: string;
  /** `manual` freezes the clock until `clock.advance()`. @default 'wall' */
  clock?: ClockMode;
  /** Jump to the next timer whenever nothing is in flight (TestService semantics). @default false */
  timeSkipping?: boolean;
  /** @default silentLogger */
  logger?: Logger;
  /** Size and history limits; each defaults to the real server's (see `limits.ts`). Tests lower them. */
  limits?: Partial<TemporalLimits>;
  /** Serve TLS (and, with `requireClientCert`, mTLS) instead of plaintext. @default plaintext */
  tls?: GrpcTls;
  /** Accepted API keys; set, every call needs `authorization: Bearer <key>`. @default no check */
  apiKeys?: readonly string[];
}

/** The sandbox Temporal server: engine, gRPC server, journal. */
export class TemporalSandboxServer {
  private constructor(
    readonly engine: Engine,
    readonly clock: ServerClock,
    readonly faults: FaultInjector,
    private readonly grpcServer: grpc.Server,
    private readonly journal: Journal | undefined,
    /** Schedule manager and handlers; `restored` settles once journaled schedules are back. */
    readonly schedules: ScheduleHandlers,
    readonly host: string,
    readonly port: number,
  ) {}

  /** Starts the server (replaying the journal first when a data directory is given). */
  static async start(options: TemporalSandboxServerOptions = {}): Promise<TemporalSandboxServer> {
    const logger = options.logger ?? silentLogger;
    const limits = resolveLimits(options.limits);
    const opened = options.dataDir ? Journal.open(options.dataDir) : undefined;
    const records = opened?.records ?? [];
    let lastOffset = 0;
    for (const r of records) if (r.k === 'clock') lastOffset = r.offset;
    const holder: { engine?: Engine } = {};
    const clock = new ServerClock({
      mode: options.clock ?? 'wall',
      timeSkipping: options.timeSkipping ?? false,
      offsetMs: lastOffset,
      onOffsetChange: (offset) => holder.engine?.record({ k: 'clock', offset }),
      onTimerError: (err) => logger.error({ err }, 'temporal sandbox timer failed'),
    });
    const engine = new Engine(clock, logger, opened?.journal, limits);
    holder.engine = engine;
    const { schedules } = restoreFromJournal(engine, records);
    engine.namespace('default');
    const faults = new FaultInjector();
    const schedulesHandle = createScheduleHandlers(engine, schedules);
    const grpcServer = createGrpcServer(
      [
        { service: 'temporal.api.workflowservice.v1.WorkflowService', handlers: { ...workflowServiceHandlers(engine), ...schedulesHandle.handlers } },
        { service: 'temporal.api.operatorservice.v1.OperatorService', handlers: operatorServiceHandlers(engine) },
        { service: 'temporal.api.testservice.v1.TestService', handlers: testServiceHandlers(clock) },
      ],
      faults,
      logger,
      { maxReceiveBytes: limits.grpcMaxReceiveBytes, guard: { ...(options.apiKeys ? { apiKeys: options.apiKeys } : {}) } },
    );
    const host = options.host ?? '127.0.0.1';
    let port: number;
    try {
      port = await bind(grpcServer, host, options.port ?? 0, options.tls);
    } catch (err) {
      await schedulesHandle.manager.close();
      clock.close();
      opened?.journal.close();
      throw err;
    }
    logger.info({ host, port, dataDir: options.dataDir, timeSkipping: clock.timeSkipping, tls: options.tls !== undefined, apiKey: (options.apiKeys?.length ?? 0) > 0 }, 'temporal sandbox listening');
    return new TemporalSandboxServer(engine, clock, faults, grpcServer, opened?.journal, schedulesHandle, host, port);
  }

  /** `host:port` for clients. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** Stops serving, answers waiting polls, stops timers and flushes the journal. */
  async close(): Promise<void> {
    await this.schedules.manager.close();
    this.engine.shutdown();
    this.clock.close();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.grpcServer.forceShutdown();
        resolve();
      }, 2_000);
      this.grpcServer.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.journal?.close();
  }
}
