import type { RunningSandbox, SandboxStartOptions } from '../types';
import type { ClockMode } from './clock';
import type { FaultInjector } from './faults';
import type { TemporalLimits } from './limits';
import { TemporalSandboxServer, type TemporalSandboxServerOptions } from './sandbox';

export { TemporalSandboxServer } from './sandbox';
export type { TemporalSandboxServerOptions } from './sandbox';
export { DEFAULT_LIMITS, type TemporalLimits } from './limits';

/** Options for the temporal sandbox beyond the common ones. */
export interface TemporalSandboxStartOptions extends SandboxStartOptions {
  /** Skip time to the next timer whenever nothing is in flight. @default false */
  timeSkipping?: boolean;
  /** `manual`: the clock stands still until `clock.advance()`. @default 'wall' */
  clock?: ClockMode;
  /** Size and history limits; each defaults to the real server's. Tests lower them to reach them quickly. */
  limits?: Partial<TemporalLimits>;
  /** Serve TLS, optionally requiring client certificates (mTLS). @default plaintext */
  tls?: TemporalSandboxServerOptions['tls'];
  /** Accepted API keys (`authorization: Bearer <key>` on every call). @default no check */
  apiKeys?: readonly string[];
}

/** Handles tests use to steer the server's time. */
export interface SandboxClockControl {
  /** Server time, epoch ms. */
  now(): number;
  /** Moves server time forward, firing due timers. */
  advance(ms: number): void;
  /** Drops one time-skipping lock (the server starts with one, as the Java test server does). */
  unlockTimeSkipping(): void;
  /** Takes one time-skipping lock. */
  lockTimeSkipping(): void;
}

/** A running temporal sandbox with its test handles. */
export interface RunningTemporalSandbox extends RunningSandbox {
  readonly name: 'temporal';
  readonly connection: Readonly<{ address: string; namespace: string }>;
  readonly clock: SandboxClockControl;
  /** Fail or slow down named RPCs. */
  readonly faults: FaultInjector;
  readonly server: TemporalSandboxServer;
}

/** Starts the temporal sandbox: a Temporal-compatible gRPC server for the real SDK. */
export async function start(options: TemporalSandboxStartOptions = {}): Promise<RunningTemporalSandbox> {
  const server = await TemporalSandboxServer.start(options);
  const clock = server.clock;
  return {
    name: 'temporal',
    address: server.address,
    connection: { address: server.address, namespace: 'default' },
    clock: {
      now: () => clock.now(),
      advance: (ms) => clock.advance(ms),
      unlockTimeSkipping: () => void clock.unlockExternal(),
      lockTimeSkipping: () => clock.lockExternal(),
    },
    faults: server.faults,
    server,
    close: () => server.close(),
  };
}
