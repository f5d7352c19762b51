import { join } from 'node:path';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnnotateActivities } from '../../../activities/annotate';
import { createNotifyActivities } from '../../../activities/notify';
import { DECIDE_ACTION_ID, DECIDE_BLOCK_PREFIX } from '../../../src/actions/wait-for';
import type { Alert } from '../../../src/domain/alert';
import { parseRunbook } from '../../../src/domain/runbook-loader';
import { silentLogger } from '../../../src/log/logger';
import { openIncident } from '../../../src/playbook/open-incident';
import type { SandboxMessage } from '../../../src/sandbox/slack/index';
import { NOBODY, OBSERVER, ROLES, startHarness, type Harness } from './harness';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ConsoleAuthorizer } from '../../../src/console/authorize';
import type { IncidentDetailBody, SessionBody } from '../../../src/console/contract';
import { LiveFeed } from '../../../src/console/live-feed';
import { createConsoleServer, type ConsoleServer } from '../../../src/console/server';
import { SessionStore } from '../../../src/console/sessions';
import { SigninLinks } from '../../../src/console/signin-links';
import { temporalDrillHistory, temporalIncidentDirectory } from '../../../src/console/temporal-sources';
import { loadPolicyEngine } from '../../../src/slack/policy/cedar-policy';
import { createRefusalRecorder } from '../../../src/slack/policy/refusals';

/**
 * wait-for from Slack (issue 17, item 3) against the real IncidentWorkflow: the step's question
 * reaches the incident channel with one button per answer; `/ir decide` and the buttons answer it
 * under the `approve` permission for the question's role, refused alike for real and unknown ids.
 */
const RUNBOOK = `
id: slack-ops-wait-for
version: 1
title: Ask before going on
scenario: generic
severity: high
steps:
  - id: ask
    action: wait-for
    with:
      question: Rewind risk-engine to before the forged trades?
      options: [rewind, hold, stop]
      timeout: 2h
  - id: note
    action: annotate
    with: { note: 'rewound risk-engine' }
  - id: close
    action: close
    with: { requireFilings: false }
`;

const QUEUE = 'slack-ops-wait-for';
let h: Harness;
let native: NativeConnection;
let worker: Worker;
let running: Promise<void>;
let consoleServer: ConsoleServer;
let base: string;
const links = new SigninLinks();
const staticDir = mkdtempSync(join(tmpdir(), 'wait-for-console-'));

beforeAll(async () => {
  h = await startHarness();
  native = await NativeConnection.connect({ address: h.temporal.address });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: join(__dirname, '..', '..', '..', 'workflows', 'index.ts'), logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
  worker = await Worker.create({
    connection: native,
    taskQueue: QUEUE,
    workflowBundle,
    activities: {
      ...createNotifyActivities({ conversation: h.cards.port, channel: '#incidents', logger: silentLogger }),
      ...createAnnotateActivities({ channel: '#incidents', logger: silentLogger }),
      async ensureAuditTopic() {},
      async appendAudit(input: { events: unknown[] }) {
        return { appended: input.events.length, skipped: 0 };
      },
    },
  });
  running = worker.run();
  // The incident console (issue 16) over the same incidents, for its answer buttons.
  consoleServer = createConsoleServer({
    incidents: h.incidents,
    directory: temporalIncidentDirectory(h.client),
    drills: temporalDrillHistory(h.client),
    register: { rows: () => Promise.resolve([]) },
    auth: new ConsoleAuthorizer(loadPolicyEngine(join(__dirname, '..', '..', '..', 'runbooks', 'policies'), ROLES), createRefusalRecorder({ logger: silentLogger })),
    sessions: new SessionStore(),
    live: new LiveFeed(),
    links,
    staticDir,
    logger: silentLogger,
  });
  base = await consoleServer.listen(0, '127.0.0.1');
}, 180_000);

afterAll(async () => {
  await consoleServer?.close();
  rmSync(staticDir, { recursive: true, force: true });
  worker?.shutdown();
  await running;
  await native?.close();
  await h?.close();
});

function alert(fingerprint: string): Alert {
  const now = new Date().toISOString();
  return {
    source: 'generic',
    alertId: `wait-${fingerprint}`,
    rule: 'slack-ops-test',
    severity: 'high',
    title: 'Forged trades on risk-engine',
    principal: 'User:risk-engine',
    asset: 'trades',
    scenario: 'generic',
    observedAt: now,
    receivedAt: now,
    fingerprint,
  };
}

type Block = { type: string; block_id?: string; elements?: Array<{ action_id: string; value: string; text: { text: string } }> };

/** The question message the step posted, once it is there. */
async function questionMessage(incidentId: string, stepId: string): Promise<SandboxMessage> {
  let found: SandboxMessage | undefined;
  await expect
    .poll(() => (found = h.slack.workspace.allMessages().find((m) => ((m.blocks ?? []) as Block[]).some((b) => b.block_id === `${DECIDE_BLOCK_PREFIX}${stepId}`) && JSON.stringify(m.blocks).includes(incidentId))), { timeout: 20_000 })
    .toBeDefined();
  return found as SandboxMessage;
}

const texts = (r: { replies: ReadonlyArray<{ text?: string }> }): string => r.replies.map((x) => x.text ?? '').join('\n');
/** The answer to the person who asked (the incident's own channel messages may arrive next to it). */
const answerOf = (r: { replies: ReadonlyArray<{ text?: string; via?: string }> }): string => r.replies.filter((x) => x.via === 'response_url').map((x) => x.text ?? '').join('\n');
const answering = { replyTimeoutMs: 10_000, expectReplies: 2 };
const opts = { replyTimeoutMs: 10_000 };

describe('wait-for answered from Slack', () => {
  it('posts the question with one button per answer; refuses those without the say alike for real and unknown ids; the commander answers', async () => {
    const { workflowId } = await openIncident({ client: h.client, taskQueue: QUEUE, alert: alert('waitforslack'), runbook: parseRunbook(RUNBOOK, 'wait.yaml') });
    const m = await questionMessage(workflowId, 'ask');
    expect(m.text).toContain('Step "ask" asks the incident-commander: Rewind risk-engine to before the forged trades? (rewind / hold / stop)');
    const row = ((m.blocks ?? []) as Block[]).find((b) => b.type === 'actions');
    expect(row?.elements?.map((e) => e.text.text)).toEqual(['rewind', 'hold', 'stop']);

    // Refused before any lookup: an unknown incident id reads exactly like a real one.
    const real = texts(await h.signed.slashCommand({ text: `decide ${workflowId} ask rewind`, userId: NOBODY }, opts));
    const unknown = texts(await h.signed.slashCommand({ text: 'decide incident-nosuchthing ask rewind', userId: NOBODY }, opts));
    expect(real).toContain('`approve` permission');
    expect(unknown).toBe(real);
    // A responder may not answer a question left to the commander.
    expect(texts(await h.signed.slashCommand({ text: `decide ${workflowId} ask rewind`, userId: 'U0RESPONDER' }, opts))).toContain('`approve` permission on a step gated on `incident-commander`');
    // An observer's click is refused too, and nothing was recorded.
    const stop = row?.elements?.find((e) => e.text.text === 'stop');
    const click = await h.signed.blockAction({ actionId: stop?.action_id ?? '', value: stop?.value ?? '', userId: OBSERVER, channel: '#incidents', messageTs: m.ts }, opts);
    expect(click.replies[0]?.text).toContain('`approve` permission');
    // The workflow's own refusal, with the field named.
    expect(texts(await h.signed.slashCommand({ text: `decide ${workflowId} ask yolo`, userId: 'U0COMMANDER' }, opts))).toContain('refused: answer: "yolo" is not one of rewind, hold, stop');
    expect((await h.incidents.state(workflowId)).pendingDecisions).toHaveLength(1);

    // The commander's click on "stop": answered, the playbook stops, the incident closes.
    expect(stop?.action_id.startsWith(DECIDE_ACTION_ID)).toBe(true);
    const answered = await h.signed.blockAction({ actionId: stop?.action_id ?? '', value: stop?.value ?? '', userId: 'U0COMMANDER', channel: '#incidents', messageTs: m.ts }, answering);
    expect(answerOf(answered)).toContain('<@U0COMMANDER> answered "stop"; the playbook stops');
    await expect.poll(async () => (await h.incidents.state(workflowId)).status, { timeout: 20_000 }).toBe('closed');
    const s = await h.incidents.state(workflowId);
    expect(s.answers?.ask).toMatchObject({ answer: 'stop', decidedBy: 'U0COMMANDER' });
    expect(s.steps.map((st) => `${st.id}:${st.status}`)).toEqual(['ask:completed', 'note:skipped', 'close:completed']);
  });

  it('`/ir decide` with a reason answers and the playbook goes on', async () => {
    const { workflowId } = await openIncident({ client: h.client, taskQueue: QUEUE, alert: alert('waitforslack2'), runbook: parseRunbook(RUNBOOK, 'wait.yaml') });
    await questionMessage(workflowId, 'ask');
    await expect.poll(async () => (await h.incidents.state(workflowId)).pendingDecisions?.length, { timeout: 20_000 }).toBe(1);
    const r = await h.signed.slashCommand({ text: `decide ${workflowId} ask rewind positions reconciled`, userId: 'U0COMMANDER' }, answering);
    expect(answerOf(r)).toContain('<@U0COMMANDER> answered "rewind".');
    await expect.poll(async () => (await h.incidents.state(workflowId)).status, { timeout: 20_000 }).toBe('closed');
    const s = await h.incidents.state(workflowId);
    expect(s.answers?.ask).toMatchObject({ answer: 'rewind', reason: 'positions reconciled' });
    expect(s.steps.map((st) => `${st.id}:${st.status}`)).toEqual(['ask:completed', 'note:completed', 'close:completed']);
  });

  it('the console shows the question with its answers to those who may answer, and answers it', async () => {
    const { workflowId } = await openIncident({ client: h.client, taskQueue: QUEUE, alert: alert('waitforconsole'), runbook: parseRunbook(RUNBOOK, 'wait.yaml') });
    await expect.poll(async () => (await h.incidents.state(workflowId)).pendingDecisions?.length, { timeout: 20_000 }).toBe(1);
    const signIn = async (userId: string) => {
      const res = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify({ token: links.issue(userId).token }) });
      const session = (await res.json()) as SessionBody;
      return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] as string, csrf: session.csrfToken };
    };
    const detail = async (b: { cookie: string }) => (await (await fetch(`${base}/api/incidents/${workflowId}`, { headers: { cookie: b.cookie } })).json()) as IncidentDetailBody;
    const post = (b: { cookie: string; csrf: string }, body: unknown) =>
      fetch(`${base}/api/incidents/${workflowId}/decide`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: b.cookie, origin: base, 'x-csrf-token': b.csrf }, body: JSON.stringify(body) });
    const commander = await signIn('U0COMMANDER');
    const responder = await signIn('U0RESPONDER');
    expect((await detail(commander)).questions).toEqual([expect.objectContaining({ stepId: 'ask', options: ['rewind', 'hold', 'stop'], requiredRole: 'incident-commander', canAnswer: true })]);
    expect((await detail(responder)).questions?.[0]?.canAnswer).toBe(false);
    const refused = await post(responder, { stepId: 'ask', answer: 'rewind' });
    expect(refused.status).toBe(403);
    const missing = await post(commander, { stepId: 'ask' });
    expect(missing.status).toBe(400);
    const wrong = await post(commander, { stepId: 'ask', answer: 'yolo' });
    expect(wrong.status).toBe(409);
    expect(await wrong.json()).toMatchObject({ error: expect.stringContaining('answer: "yolo" is not one of rewind, hold, stop') });
    const ok = await post(commander, { stepId: 'ask', answer: 'hold', reason: 'waiting for the desk' });
    expect(ok.status).toBe(200);
    await expect.poll(async () => (await h.incidents.state(workflowId)).status, { timeout: 20_000 }).toBe('closed');
    expect((await h.incidents.state(workflowId)).answers?.ask).toMatchObject({ answer: 'hold', decidedBy: 'U0COMMANDER', reason: 'waiting for the desk' });
  });
});
