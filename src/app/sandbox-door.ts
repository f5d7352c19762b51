import type { ServiceStandIn, SystemName } from '../config/systems';
import { createKafka, type KafkaConnection } from '../kafka/client';
import { silentLogger, type Logger } from '../log/logger';
import type { RunningKafkaSandbox, RunningSlackSandbox, RunningVaultSandbox, SandboxSet, SlackLogSource, TradingScenario, VaultTokenLeakScenario } from '../sandbox/up';
import type { PoisonedOrdersScenario } from '../sandbox/up';
import type { SandboxName } from '../sandbox/types';
import type { RunningServiceStandIn, ServiceStandInName } from '../sandbox/registry';
import type { SecretsPort } from '../vault/port';

/*
 * The one door from product code into `src/sandbox` (design §4, house style "One door"). Product
 * code never imports the sandbox: it asks here, and only behind an explicit request (the demo with
 * nothing configured, `--sandbox a,b`, `breachline sandbox …`, a drill's fresh cluster). The
 * sandbox code is loaded with a dynamic `import()` on first use, so a production process that
 * never asks does not even load it. A lint rule (`no-restricted-imports` in eslint.config.mjs)
 * forbids every other import of `src/sandbox` outside tests; type-only imports are allowed.
 */

export type { RunningKafkaSandbox, RunningSlackSandbox, RunningVaultSandbox, SandboxSet, TradingScenario, VaultTokenLeakScenario } from '../sandbox/up';
export type { RunningSandbox } from '../sandbox/types';
export type { SignedRequestClient } from '../sandbox/slack';

/** The sandbox's names are the system names: a new system needs both, and this fails to compile otherwise. */
const sameNames: [SandboxName, SystemName] extends [SystemName, SandboxName] ? true : never = true;
void sameNames;
/** Likewise the outside-service stand-ins' names (issue 17, "standins"). */
const sameServiceNames: [ServiceStandInName, ServiceStandIn] extends [ServiceStandIn, ServiceStandInName] ? true : never = true;
void sameServiceNames;

type SandboxModule = typeof import('../sandbox/up');

/**
 * Loads the sandbox code: the only runtime import of `src/sandbox` in product code, made on first
 * use. `bin/breachline` runs the sources under tsx's CommonJS hook, which a dynamic `import()`
 * bypasses (Node's ESM loader cannot read .ts), so there the same lazy load is a `require`; under
 * vitest and in the compiled build it is the dynamic `import()`.
 */
function sandbox(): Promise<SandboxModule> {
  if (typeof require === 'function' && require.extensions['.ts'] !== undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the lazy load under tsx's CommonJS hook, see above
    return Promise.resolve(require('../sandbox/up') as SandboxModule);
  }
  // The extension is the compiled file's; vitest maps it onto up.ts.
  return import('../sandbox/up.js');
}

/** Options of {@link startStandIns}. */
export interface StandInOptions {
  /** Each sandbox journals under `<dataDir>/<name>`; absent keeps everything in memory. */
  dataDir?: string;
  host?: string;
  logger?: Logger;
}

/** Starts sandboxes standing in for the named systems (and closes the started ones if one fails). */
export async function startStandIns(names: readonly SystemName[], options: StandInOptions = {}): Promise<SandboxSet> {
  const { startSandboxes } = await sandbox();
  return startSandboxes({ only: names, ...options });
}

/**
 * Fresh in-memory Kafka and Vault sandboxes for one drill (design §4: drills never touch
 * production). With `vaultAuditFile`, the Vault's audit device appends to that file, where a
 * scenario's runbook can read it like a real Vault's file audit device.
 */
export async function startDrillCluster(options: { vaultAuditFile?: string } = {}): Promise<{ kafka: RunningKafkaSandbox; vault: RunningVaultSandbox }> {
  const { startKafka, startVault } = await sandbox();
  const kafka = await startKafka({});
  try {
    return { kafka, vault: await startVault(options.vaultAuditFile !== undefined ? { auditFile: options.vaultAuditFile } : {}) };
  } catch (err) {
    await kafka.close().catch(() => undefined);
    throw err;
  }
}

/** The drill range's own in-memory Slack sandbox. */
export async function startDrillSlack(): Promise<RunningSlackSandbox> {
  const { startSlack } = await sandbox();
  return startSlack({});
}

/** Options of {@link seedScenario}. */
export interface SeedScenarioOptions {
  kafka: KafkaConnection;
  secrets: SecretsPort;
  vault: { address: string; token: string };
  /** End of the scenario's day of traffic. @default now */
  scenarioEnd?: Date;
  logger?: Logger;
}

/** Seeds the trading-exfiltration scenario into a cluster known to be fresh (a drill's). */
export async function seedScenario(options: SeedScenarioOptions): Promise<TradingScenario> {
  const { seedTradingExfiltration } = await sandbox();
  return seedTradingExfiltration({ ...options, volume: 'test' });
}

/** Seeds the vault-token-leak scenario into a drill's fresh Kafka and Vault (leaked-token playbook). */
export async function seedVaultTokenLeakScenario(options: Omit<SeedScenarioOptions, 'vault'> & { vault: { address: string; token: string; auditLogFile?: string } }): Promise<VaultTokenLeakScenario> {
  const { seedVaultTokenLeak } = await sandbox();
  return seedVaultTokenLeak(options);
}

/** What {@link seedScenarioIfEmpty} did. */
export interface DemoScenario {
  name: 'trading-exfiltration';
  topic: string;
  compromised: string;
  /** False: the cluster already had the scenario's topics (a restart on a kept data dir), nothing was written. */
  seeded: boolean;
}

/** The topic whose presence says the scenario was seeded before. */
const SCENARIO_TOPIC = 'orders';

/**
 * Seeds the demo's scenario only into an empty cluster: when its topic exists (the demo restarted
 * on its data dir, with open incidents reading that topic), seeding again would fail and would
 * add traffic the incidents' ground truth does not know, so nothing is written.
 */
export async function seedScenarioIfEmpty(options: SeedScenarioOptions): Promise<DemoScenario> {
  const logger = options.logger ?? silentLogger;
  const admin = createKafka(options.kafka, { clientId: 'breachline-demo', logger }).admin();
  await admin.connect();
  let present: boolean;
  try {
    present = (await admin.listTopics()).includes(SCENARIO_TOPIC);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  if (present) return { name: 'trading-exfiltration', topic: SCENARIO_TOPIC, compromised: 'User:report-exporter', seeded: false };
  const seeded = await seedScenario(options);
  return { name: 'trading-exfiltration', topic: seeded.topic, compromised: `User:${seeded.compromised}`, seeded: true };
}

/** Reads what a Slack sandbox recorded (running, or from its journal) and formats it for `sandbox slack-log`. */
export async function slackLog(source: SlackLogSource, format: { method?: string; messages?: boolean; json?: boolean }): Promise<string> {
  const { slackLogText } = await sandbox();
  return slackLogText(source, format);
}

// Issue 17 item 4 ("poison"): the poisoned-orders scenario, seeded on a drill's fresh cluster.
/** Seeds the poisoned-orders scenario (a rogue producer's forged trades in `orders`) into a fresh cluster. */
export async function seedPoisonedOrdersScenario(options: { kafka: KafkaConnection; secrets: SecretsPort; scenarioEnd?: Date; logger?: Logger }): Promise<PoisonedOrdersScenario> {
  const { seedPoisonedOrders } = await sandbox();
  return seedPoisonedOrders(options);
}

// Issue 17 ("standins"): the outside-service stand-ins of the generic actions, for `--sandbox
// pagerduty,jira` and the demo.
export type { RunningServiceStandIn } from '../sandbox/registry';

/** Starts the named outside-service stand-ins in memory on free ports (and closes the started ones if one fails). */
export async function startServiceStandIns(names: readonly ServiceStandIn[], options: { host?: string } = {}): Promise<RunningServiceStandIn[]> {
  // Nothing named: the sandbox code stays unloaded, as for a production start that asks for nothing.
  if (names.length === 0) return [];
  const { SERVICE_STAND_IN_STARTERS } = await sandbox();
  const started: RunningServiceStandIn[] = [];
  try {
    for (const name of names) started.push(await SERVICE_STAND_IN_STARTERS[name](options.host !== undefined ? { host: options.host } : {}));
    return started;
  } catch (err) {
    await Promise.all(started.map((s) => s.close().catch(() => undefined)));
    throw err;
  }
}
