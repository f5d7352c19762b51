import { join } from 'node:path';
import type { Logger } from '../log/logger';
import { SANDBOX_STARTERS } from './registry';
import { SANDBOX_NAMES, type RunningSandbox, type SandboxName } from './types';

/** Options for {@link startSandboxes}. */
export interface StartSandboxesOptions {
  /** Which servers to start. @default all of them */
  only?: readonly SandboxName[];
  /** Each server journals under `<dataDir>/<name>`; absent means in memory. */
  dataDir?: string;
  host?: string;
  logger?: Logger;
}

/** Servers started together; `close()` stops them in reverse order. */
export interface SandboxSet {
  readonly servers: readonly RunningSandbox[];
  get(name: SandboxName): RunningSandbox | undefined;
  close(): Promise<void>;
}

/** Parses `--only temporal,kafka` into sandbox names, rejecting unknown ones. */
export function parseSandboxNames(value: string): SandboxName[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(SANDBOX_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`unknown sandbox ${unknown.join(', ')}; expected one of ${SANDBOX_NAMES.join(', ')}`);
  return names as SandboxName[];
}

/**
 * Starts the requested sandbox servers. If one fails to start, the ones already running are
 * closed before the error is rethrown, so no port is left bound.
 */
export async function startSandboxes(options: StartSandboxesOptions = {}): Promise<SandboxSet> {
  const servers: RunningSandbox[] = [];
  const close = async (): Promise<void> => {
    for (const s of [...servers].reverse()) await s.close().catch(() => undefined);
  };
  try {
    for (const name of options.only ?? SANDBOX_NAMES) {
      const start = SANDBOX_STARTERS[name];
      servers.push(
        await start({
          host: options.host,
          dataDir: options.dataDir ? join(options.dataDir, name) : undefined,
          logger: options.logger?.child({ sandbox: name }),
        }),
      );
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { servers, get: (name) => servers.find((s) => s.name === name), close };
}

// The sandbox's one entry point for product code: `src/app/sandbox-door.ts` imports this module
// dynamically, and only behind an explicit request for a sandbox. Everything the door hands out
// is re-exported here so no other path into `src/sandbox` is needed.
export { start as startKafka, type RunningKafkaSandbox } from './kafka/index';
export { start as startVault, type RunningVaultSandbox } from './vault/index';
export { start as startSlack, type RunningSlackSandbox } from './slack/index';
export { seedTradingExfiltration, type TradingScenario } from './scenario/trading-exfiltration';
// Leaked-Vault-token scenario (issue 17, item 4).
export { seedVaultTokenLeak, type VaultTokenLeakScenario } from './scenario/vault-token-leak';
export { slackLogText, type SlackLogSource } from './slack/log-command';
// Issue 17 item 4 ("poison"): the poisoned-orders scenario.
export { seedPoisonedOrders, type PoisonedOrdersScenario, type PoisonSeedOptions } from './scenario/poisoned-orders';
// Outside-service stand-ins of the generic actions (issue 17, item 3).
export { SERVICE_STAND_IN_NAMES, SERVICE_STAND_IN_STARTERS, type RunningServiceStandIn, type ServiceStandInName } from './registry';
