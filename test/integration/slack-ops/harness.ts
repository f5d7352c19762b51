import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { silentLogger } from '../../../src/log/logger';
import { start as startSlack, type RunningSlackSandbox, type SignedRequestClient } from '../../../src/sandbox/slack/index';
import { defaultSeed } from '../../../src/sandbox/slack/workspace';
import { start as startTemporal, type RunningTemporalSandbox } from '../../../src/sandbox/temporal/index';
import { createSlackApp, type SlackAppHandle } from '../../../src/slack/app';
import { MemoryCardStore, type CardConversation } from '../../../src/slack/cards/card-conversation';
import type { DrillInfo, DrillPort } from '../../../src/slack/commands/drill-port';
import type { IncidentPort } from '../../../src/slack/commands/incident-port';
import { createTemporalIncidentPort } from '../../../src/slack/commands/temporal-incidents';
import { registerOperations, type OperationsDeps } from '../../../src/slack/operations';
import { loadPolicyEngine } from '../../../src/slack/policy/cedar-policy';
import { createRefusalRecorder, type Refusal } from '../../../src/slack/policy/refusals';
import type { OpsRole } from '../../../src/slack/policy/roles';
import { createWebConversationPort } from '../../../src/slack/web-conversation-port';
import { incidentEvents } from '../../unit/slack-ops/incident-fixture';

/** A user the default seed lacks: someone who only follows incidents. */
export const OBSERVER = 'U0OBSERVER1';
export const ROLES: Record<string, OpsRole> = {
  U0COMMANDER: 'incident-commander',
  U0RESPONDER: 'responder',
  U0DPOFFICER: 'dpo',
  [OBSERVER]: 'observer',
};
export const TASK_QUEUE = 'slack-ops-test';
/** A workspace member the role map does not name: no breachline role at all. */
export const NOBODY = 'U0NOROLE001';

/** A drill port that remembers what it was asked. */
export class FakeDrills implements DrillPort {
  readonly calls: string[] = [];
  private readonly drills: DrillInfo[] = [];
  async start(scenario: string): Promise<DrillInfo> {
    this.calls.push(`start ${scenario}`);
    const d = { id: `drill-${this.drills.length + 1}`, scenario, status: 'running' };
    this.drills.push(d);
    return d;
  }
  async schedule(cron: string, scenario: string): Promise<DrillInfo> {
    this.calls.push(`schedule ${cron} ${scenario}`);
    const d = { id: `drill-schedule-${this.drills.length + 1}`, scenario, status: 'scheduled', cron };
    this.drills.push(d);
    return d;
  }
  async list(): Promise<DrillInfo[]> {
    this.calls.push('list');
    return [...this.drills];
  }
}

/** Both sandboxes, a worker running the stand-in incident workflow, and the Slack app with the operations registered. */
export interface Harness {
  readonly temporal: RunningTemporalSandbox;
  readonly slack: RunningSlackSandbox;
  readonly client: Client;
  readonly app: SlackAppHandle;
  readonly signed: SignedRequestClient;
  readonly incidents: IncidentPort;
  readonly refusals: Refusal[];
  readonly drills: FakeDrills;
  readonly cards: CardConversation;
  /** Starts a stand-in incident; resolves to its workflow id (= incident id). */
  startIncident(name: string, gdprDeadlineAt?: string): Promise<string>;
  close(): Promise<void>;
}

function quiet() {
  const noop = (): void => undefined;
  return { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
}

/** Options of {@link startHarness}. */
export interface HarnessOptions {
  /** The app listens over Socket Mode with the sandbox's app token, and `signed` delivers over it. @default false (HTTP) */
  socketMode?: boolean;
  /** Further operations deps, e.g. the console's sign-in links (issue 16). */
  extra?: Partial<OperationsDeps>;
}

/** Starts everything on port 0 of 127.0.0.1. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const extra = options.extra ?? {};
  try {
    Runtime.install({ logger: quiet() });
  } catch {
    // Installed already in this process.
  }
  const temporal = await startTemporal({ host: '127.0.0.1', port: 0 });
  const seed = defaultSeed();
  seed.humans.push({ id: OBSERVER, name: 'olga', realName: 'Olga Observer', isBot: false, email: 'olga@example.test' });
  seed.humans.push({ id: NOBODY, name: 'nina', realName: 'Nina Nobody', isBot: false, email: 'nina@example.test' });
  const slack = await startSlack({ seed });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: temporal.address });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: join(__dirname, 'workflows', 'index.ts'), logger: quiet() });
  const worker = await Worker.create({ connection: native, taskQueue: TASK_QUEUE, workflowBundle });
  const running = worker.run();

  const incidents = createTemporalIncidentPort(client);
  const refusals: Refusal[] = [];
  const logged = createRefusalRecorder({ logger: silentLogger, toIncident: async (workflowId, r) => incidents.refusal(workflowId, { ...r }) });
  const drills = new FakeDrills();
  const cards: CardConversation = {
    port: createWebConversationPort({ botToken: slack.botToken, apiUrl: slack.apiUrl, logger: silentLogger, retryConfig: { retries: 0 } }),
    channel: '#incidents',
    store: new MemoryCardStore(),
  };
  const app = createSlackApp({
    botToken: slack.botToken,
    signingSecret: slack.signingSecret,
    apiUrl: slack.apiUrl,
    port: 0,
    logger: silentLogger,
    commandName: '/ir',
    ...(options.socketMode ? { socketMode: { appToken: slack.appToken } } : {}),
  });
  registerOperations(app.app, {
    commandName: '/ir',
    incidents,
    policy: loadPolicyEngine(join(__dirname, '..', '..', '..', 'runbooks', 'policies'), ROLES),
    refusals: {
      async record(r) {
        refusals.push(r);
        await logged.record(r);
      },
    },
    drills,
    cards,
    logger: silentLogger,
    settleMs: 5000,
    ...extra,
  });
  await app.start();
  return {
    temporal,
    slack,
    client,
    app,
    signed: options.socketMode ? slack.socketModeClient() : slack.requestClient(app.requestUrl),
    incidents,
    refusals,
    drills,
    cards,
    async startIncident(name, gdprDeadlineAt) {
      const workflowId = `incident-${name}`;
      await client.workflow.start('IncidentWorkflow', { taskQueue: TASK_QUEUE, workflowId, args: [incidentEvents(workflowId, gdprDeadlineAt)] });
      return workflowId;
    },
    async close() {
      await app.stop();
      worker.shutdown();
      await running;
      await native.close();
      await connection.close();
      await slack.close();
      await temporal.close();
    },
  };
}
