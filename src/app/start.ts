import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { buildDeps, resolveEndpoints } from '../../worker/deps';
import { ConfigError, ingressDurable, type Config } from '../config/config';
import { planSystems, type SystemName, type SystemPlan } from '../config/systems';
// Outside-service stand-ins (issue 17, "standins").
import { planServiceStandIns, type ServiceStandIn } from '../config/systems';
import { startServiceStandIns } from './sandbox-door';
import { seedStandInCredentials, withStandIns } from './stand-ins';
import { createDrillPort, type DrillPort } from '../drill/port';
import { createIngressServer, loadIngressRunbooks, RunbookCatalog, sharedMetrics } from '../ingress';
import { createConfiguredAlertLog, type AlertLog } from '../ingress/alert-log';
import { createKafka, type KafkaConnection } from '../kafka/client';
import type { Kafka } from 'kafkajs';
import type { Logger } from '../log/logger';
import { createSlackApp, createWebConversationPort } from '../slack';
import { createRefusalRecorder, createTemporalIncidentPort, loadPolicyEngine, MemoryCardStore, registerOperations } from '../slack/operations';
import type { RoleMap } from '../slack/policy/roles';
import { slackDrillPort } from '../drill/slack-port';
import { createVaultSecrets } from '../vault';
import { temporalConnectOptions } from './secured-connections';
import { startControlServer } from './control';
import { faultHook, parseFaultKillAt } from './fault-hook';
import { seedScenarioIfEmpty, startStandIns, type RunningSlackSandbox, type SandboxSet } from './sandbox-door';
import { removeRunState, writeRunState, type RunState } from './state-file';
import { startWorkers } from './workers';
// Policy packs (issue 17).
import { loadPolicyPacks } from '../slack/policy/policy-packs';
// The Slack war room (issue 16).
import { FileCardStore } from '../slack/cards/file-card-store';
import { WarRoom } from '../slack/war-room';
import { startWarRoomFeed } from '../slack/war-room-feed';
import { payloadEncryption, type PayloadEncryption } from '../temporal/data-converter';
import { startCodecServer } from '../temporal/codec-server';
// The incident console (issue 16, item 3).
import { startConsole, type RunningConsole } from '../console';

/** Options of {@link startBreachline}. */
export interface StartBreachlineOptions {
  config: Config;
  logger: Logger;
  /** @default config.ingress.port */
  ingressPort?: number;
  /** Port of the Slack app's request URL. @default 3000 */
  slackPort?: number;
  /** Port of the incident console (issue 16). @default config.console.port */
  consolePort?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Where to write the run state; `false` writes none. */
  stateFile: string | false;
  /** After-action reports of drills. */
  reportDir: string;
  /** Seed the trading-exfiltration scenario when Kafka and Vault are embedded. @default true */
  seed?: boolean;
  /**
   * Where the sandboxes journal their state, so a restart (after Ctrl-C or kill -9) resumes every
   * open incident. Absent: in memory (`--ephemeral`). The CLI defaults it to `.breachline/data`.
   */
  dataDir?: string;
  /** Systems a sandbox stands in for although others are configured (`--sandbox kafka,vault`). */
  sandbox?: readonly SystemName[];
  /** Outside-service stand-ins named in `--sandbox` (issue 17); the demo starts every unconfigured one. */
  sandboxServices?: readonly ServiceStandIn[];
  /**
   * Fault hook for the chaos tests, `<activity>:start|end` (`BREACHLINE_FAULT_KILL_AT`): the
   * process SIGKILLs itself the first time that activity starts or ends. Honoured only in the
   * sandbox demo with a data dir; anywhere else it is refused at start.
   */
  faultKillAt?: string;
  /** A prebuilt workflow bundle of `workflows/drill.ts` (`BREACHLINE_WORKFLOW_BUNDLE`); absent: bundled at start. */
  workflowBundlePath?: string;
}

/** A running breachline: every piece of the main command. */
export interface RunningBreachline {
  state: RunState;
  client: Client;
  drills: DrillPort;
  close(): Promise<void>;
}

/**
 * The composition root of `breachline start`. Sandboxes start only when asked (design §5): with
 * no address configured it is the sandbox demo, every system a sandbox journalling under the data
 * dir, and the trading-exfiltration scenario seeded into the fresh cluster (a restart finds it
 * present and seeds nothing); with some configured, every other system must be configured too or
 * named in `sandbox`, else start fails listing what is missing. Ingress and the Slack app listen
 * on two ports (ingress's own server and Bolt's receiver each keep their request gates).
 * `close()` stops in reverse order of start; a failure during start closes what had started.
 */
export async function startBreachline(options: StartBreachlineOptions): Promise<RunningBreachline> {
  const { config, logger } = options;
  const host = options.host ?? '127.0.0.1';
  const closers: Array<() => Promise<void>> = [];
  const close = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) await c().catch((err: unknown) => logger.warn({ err: { message: (err as Error).message } }, 'shutdown step failed'));
  };
  try {
    const plan = planSystems(config, options.sandbox);
    const kill = faultKillPoint(options, plan);
    let sandboxes: SandboxSet | undefined;
    if (plan.standIns.length > 0) {
      const set = await startStandIns(plan.standIns, { logger: logger.child({ component: 'sandbox' }), ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
      sandboxes = set;
      closers.push(() => set.close());
    }
    const endpoints = resolveEndpoints(config, sandboxes);
    const embedded: string[] = [...plan.standIns];
    const services = await startServiceStandIns(planServiceStandIns(config, plan.mode, options.sandboxServices), { host });
    for (const s of services) closers.push(() => s.close());

    let scenario: RunState['scenario'];
    if ((options.seed ?? true) && embedded.includes('kafka') && embedded.includes('vault')) {
      // The embedded Vault always has its root token.
      const token = endpoints.vault.token ?? '';
      const secrets = createVaultSecrets({ address: endpoints.vault.address, token, logger });
      scenario = await seedScenarioIfEmpty({ kafka: endpoints.kafka, secrets, vault: { address: endpoints.vault.address, token }, logger });
    }
    if (embedded.includes('vault') && services.length > 0) {
      await seedStandInCredentials(createVaultSecrets({ address: endpoints.vault.address, token: endpoints.vault.token ?? '', logger }), services);
    }

    // Every payload Temporal stores is encrypted (issue 15): one codec for the client and both workers.
    const encryption = payloadEncryption(config, endpoints.vault, logger);
    const connection = await Connection.connect(temporalConnectOptions(endpoints.temporal));
    closers.push(() => connection.close());
    const client = new Client({ connection, namespace: endpoints.temporal.namespace, dataConverter: encryption.dataConverter });
    const runbooks = new RunbookCatalog(await loadIngressRunbooks(config));

    const workers = await startWorkers({
      config,
      temporalAddress: endpoints.temporal.address,
      temporalConnection: temporalConnectOptions(endpoints.temporal),
      namespace: endpoints.temporal.namespace,
      deps: withStandIns(buildDeps(config, endpoints, logger), services),
      client,
      runbooks,
      reportDir: options.reportDir,
      logger,
      dataConverter: encryption.dataConverter,
      ...(kill && options.dataDir ? { wrapActivities: faultHook(kill, options.dataDir, logger) } : {}),
      ...(options.workflowBundlePath !== undefined ? { workflowBundlePath: options.workflowBundlePath } : {}),
    });
    closers.push(() => workers.close());

    // Without configured SIEM credentials, the generic source gets a fresh HMAC secret so the
    // scripted alert (and only holders of the state file) can reach ingress.
    const sources = Object.keys(config.ingress.sources).length > 0 ? config.ingress.sources : { generic: { hmacSecret: randomBytes(24).toString('hex') } };
    const ingressConfig: Config = { ...config, ingress: { ...config.ingress, sources } };
    // Alert storms (issue 15): durable mode puts the alerts topic before Temporal; the default,
    // since there is always a Kafka here (configured or the sandbox). BREACHLINE_INGRESS_DURABLE=false: direct.
    const durable = ingressDurable(config, true) ? await durableIngress(config, endpoints.kafka, logger) : {};
    const ingress = createIngressServer({ config: ingressConfig, temporalClient: client, runbooks, logger: logger.child({ component: 'ingress' }), ...durable });
    const listening = await ingress.listen(options.ingressPort ?? config.ingress.port, host);
    closers.push(() => ingress.close());

    const codec = await serveCodec({ config, encryption, transitMount: endpoints.vault.transitMount, demo: plan.mode === 'demo', roles: rolesFor(config, embedded.includes('slack')), logger });
    if (codec.close) closers.push(codec.close);

    const drills = createDrillPort({ client, drillTaskQueue: config.temporal.drillTaskQueue });
    let slackState: RunState['slack'];
    let control: RunState['control'];
    let consoleApp: RunningConsole | undefined;
    if (endpoints.slack) {
      const app = createSlackApp({
        botToken: endpoints.slack.botToken,
        signingSecret: endpoints.slack.signingSecret,
        apiUrl: endpoints.slack.apiUrl,
        port: options.slackPort ?? 3000,
        host,
        logger: logger.child({ component: 'slack' }),
        commandName: config.slack.command,
        ...(endpoints.slack.appToken !== undefined ? { socketMode: { appToken: endpoints.slack.appToken } } : {}),
      });
      const incidents = createTemporalIncidentPort(client);
      // Each incident is decided by its runbook's policy pack (issue 17), else by runbooks/policies.
      const policy = loadPolicyPacks(config.runbookDir, runbooks.runbooks.map((l) => l.runbook), rolesFor(config, embedded.includes('slack')));
      const refusals = createRefusalRecorder({ logger, toIncident: (workflowId, r) => incidents.refusal(workflowId, { ...r }) });
      // The incident console: its sign-in links come from `/ir console`, so it runs beside the Slack app.
      consoleApp = config.console.enabled ? await startIncidentConsole({ config, client, incidents, policy, refusals, kafka: endpoints.kafka, host, port: options.consolePort ?? config.console.port, logger }) : undefined;
      if (consoleApp) closers.push(consoleApp.close);
      registerOperations(app.app, {
        commandName: config.slack.command,
        incidents,
        policy,
        refusals,
        ...(consoleApp ? { consoleLinks: consoleApp.links } : {}),
        drills: slackDrillPort(drills),
        cards: {
          port: createWebConversationPort({ apiUrl: endpoints.slack.apiUrl, botToken: endpoints.slack.botToken, logger }),
          channel: config.slack.incidentChannel,
          store: new MemoryCardStore(),
        },
        logger: logger.child({ component: 'slack-ops' }),
      });
      await app.start();
      closers.push(() => app.stop());
      // Each incident's own channel with its card, edited in place from the audit topic.
      const roles = rolesFor(config, embedded.includes('slack'));
      const room = new WarRoom({
        port: createWebConversationPort({ apiUrl: endpoints.slack.apiUrl, botToken: endpoints.slack.botToken, logger }),
        store: options.dataDir ? new FileCardStore(join(options.dataDir, 'war-room-cards.json')) : new MemoryCardStore(),
        members: () => Object.keys(roles).filter((user) => roles[user] !== 'observer'),
        logger: logger.child({ component: 'war-room' }),
      });
      const feed = await startWarRoomFeed(createKafka(endpoints.kafka, { clientId: 'breachline-war-room', logger }), config.kafka.auditTopic, room, {
        onError: (err) => logger.warn({ err: { message: (err as Error).message } }, 'war room: cannot tail the audit topic'),
      });
      closers.push(() => feed.stop());
      const slackSandbox = sandboxes?.get('slack') as RunningSlackSandbox | undefined;
      slackState = { requestUrl: app.requestUrl, command: config.slack.command, embedded: slackSandbox !== undefined };
      if (slackSandbox) {
        const token = randomBytes(24).toString('hex');
        // `breachline slack` goes the way the app listens: its request URL, or its Socket Mode connection.
        const commands = endpoints.slack.appToken !== undefined ? slackSandbox.socketModeClient() : slackSandbox.requestClient(app.requestUrl);
        const server = await startControlServer({ token, slack: commands, command: config.slack.command, logger });
        closers.push(() => server.close());
        control = { url: server.url, token };
      }
    }

    const genericSource = (sources as RunState['ingress']['sources']).generic;
    const state: RunState = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      mode: plan.mode,
      ...(options.dataDir && plan.standIns.length > 0 ? { dataDir: options.dataDir } : {}),
      temporal: { address: endpoints.temporal.address, namespace: endpoints.temporal.namespace, taskQueue: config.temporal.taskQueue, drillTaskQueue: config.temporal.drillTaskQueue, embedded: embedded.includes('temporal') },
      ingress: { url: listening.url, sources: genericSource ? { generic: genericSource } : {} },
      ...(slackState ? { slack: slackState } : {}),
      ...(control ? { control } : {}),
      ...(scenario ? { scenario } : {}),
      ...(embedded.includes('kafka') ? { kafka: { ...endpoints.kafka, auditTopic: config.kafka.auditTopic } } : {}),
      ...(embedded.includes('vault') ? { vault: { address: endpoints.vault.address, token: endpoints.vault.token ?? '' } } : {}),
      embedded,
      ...(codec.state ? { codec: codec.state } : {}),
      ...(consoleApp ? { console: { url: consoleApp.url, publicUrl: consoleApp.publicUrl } } : {}),
      ...(services.length > 0 ? { standIns: Object.fromEntries(services.map((s) => [s.name, s.address])) } : {}),
    };
    if (options.stateFile !== false) {
      const path = options.stateFile;
      await writeRunState(path, state);
      closers.push(() => removeRunState(path));
    }
    return { state, client, drills, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The incident console (issue 16, item 3) on its own port, on ingress's host. */
async function startIncidentConsole(o: {
  config: Config;
  client: Client;
  incidents: ReturnType<typeof createTemporalIncidentPort>;
  policy: ReturnType<typeof loadPolicyEngine>;
  refusals: ReturnType<typeof createRefusalRecorder>;
  kafka: KafkaConnection;
  host: string;
  port: number;
  logger: Logger;
}): Promise<RunningConsole> {
  const settings = o.config.console;
  const logger = o.logger.child({ component: 'console' });
  return startConsole({
    client: o.client,
    incidents: o.incidents,
    policy: o.policy,
    refusals: o.refusals,
    kafka: createKafka(o.kafka, { clientId: 'breachline-console', logger }),
    auditTopic: o.config.kafka.auditTopic,
    port: o.port,
    host: o.host,
    ...(settings.publicUrl !== undefined ? { publicUrl: settings.publicUrl } : {}),
    sessionMinutes: settings.sessionMinutes,
    ...(settings.staticDir !== undefined ? { staticDir: settings.staticDir } : {}),
    logger,
  });
}

/** The alerts topic and the correlator's Kafka client of durable ingress; the ingress server closes the log. */
async function durableIngress(config: Config, kafkaConnection: KafkaConnection, logger: Logger): Promise<{ alertLog: AlertLog; kafka: Kafka }> {
  const kafka = createKafka(kafkaConnection, { clientId: 'breachline-ingress', logger: logger.child({ component: 'ingress' }) });
  const alertLog = await createConfiguredAlertLog(kafka, config.ingress, sharedMetrics());
  return { alertLog, kafka };
}

/** The fault hook's kill point, refused outside the sandbox demo with a data dir (it kills the process). */
function faultKillPoint(options: StartBreachlineOptions, plan: SystemPlan): ReturnType<typeof parseFaultKillAt> | undefined {
  if (options.faultKillAt === undefined || options.faultKillAt === '') return undefined;
  if (plan.mode !== 'demo' || !options.dataDir) {
    throw new ConfigError(['BREACHLINE_FAULT_KILL_AT is a chaos-test hook honoured only in the sandbox demo with a data dir; unset it']);
  }
  return parseFaultKillAt(options.faultKillAt);
}

/**
 * The codec endpoint of the main process (issue 15), when encryption is on and a port is
 * configured; in the demo also without one (any free port), with a fresh token for the sandbox's
 * incident commander written to the state file. A configured port without tokens is refused: no
 * one could use it, and an endpoint without tokens must never mean "open to all".
 */
async function serveCodec(o: { config: Config; encryption: PayloadEncryption; transitMount: string; demo: boolean; roles: RoleMap; logger: Logger }): Promise<{ state?: RunState['codec']; close?: () => Promise<void> }> {
  const { codec } = o.encryption;
  if (!codec) return {};
  const settings = o.config.temporal.codec;
  const state: NonNullable<RunState['codec']> = { transitKey: codec.transitKey, transitMount: o.transitMount };
  const demoToken = o.demo && settings.tokens.length === 0 ? { user: 'U0COMMANDER', token: randomBytes(24).toString('hex') } : undefined;
  const port = settings.port ?? (demoToken ? 0 : undefined);
  if (port === undefined) return { state };
  const tokens = demoToken ? [demoToken] : settings.tokens;
  if (tokens.length === 0) throw new ConfigError(['temporal.codec.port (BREACHLINE_CODEC_PORT) is set but no token is: set BREACHLINE_CODEC_TOKENS to [{"user":"<Slack user id>","token":"<secret>"}]']);
  const server = await startCodecServer({
    codec,
    tokens,
    policy: loadPolicyEngine(join(o.config.runbookDir, 'policies'), o.roles),
    corsOrigins: settings.corsOrigins,
    port,
    host: settings.host,
    logger: o.logger.child({ component: 'codec-server' }),
  });
  state.endpoint = { url: server.url, ...(demoToken ?? {}) };
  return { state, close: () => server.close() };
}

/**
 * Slack user → role. With the Slack sandbox, its seeded people hold the roles their names say, so
 * the demo can approve and file; configured roles win.
 */
function rolesFor(config: Config, slackEmbedded: boolean): RoleMap {
  const sandboxRoles: RoleMap = slackEmbedded ? { U0COMMANDER: 'incident-commander', U0RESPONDER: 'responder', U0DPOFFICER: 'dpo' } : {};
  return { ...sandboxRoles, ...config.roles };
}

/** The after-action report directory under a working directory. */
export function defaultReportDir(cwd = process.cwd()): string {
  return join(cwd, '.breachline', 'drills');
}

