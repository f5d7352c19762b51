import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditActivities } from '../../../activities/audit';
import { ConsoleAuthorizer } from '../../../src/console/authorize';
import type { DrillsBody, IncidentDetailBody, IncidentListBody, SessionBody, TimelineBody } from '../../../src/console/contract';
import { LiveFeed } from '../../../src/console/live-feed';
import { createConsoleServer, type ConsoleServer, type ConsoleServerOptions } from '../../../src/console/server';
import { SessionStore } from '../../../src/console/sessions';
import { SigninLinks } from '../../../src/console/signin-links';
import { auditRegisterSource, temporalDrillHistory, temporalIncidentDirectory } from '../../../src/console/temporal-sources';
import type { DomainEvent } from '../../../src/domain/events';
import { createKafka } from '../../../src/kafka/client';
import { silentLogger } from '../../../src/log/logger';
import { start as startKafka, type RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { loadPolicyEngine } from '../../../src/slack/policy/cedar-policy';
import { createRefusalRecorder } from '../../../src/slack/policy/refusals';
import { startWarRoomFeed } from '../../../src/slack/war-room-feed';
import { NOBODY, OBSERVER, ROLES, startHarness, type Harness } from '../slack-ops/harness';
import { refusalsQuery } from '../slack-ops/workflows/index';
import { forensics, gdprClock, opened } from '../../unit/regimes/fixtures';

/*
 * The incident console's server as a browser uses it, over real sockets: the Temporal sandbox with
 * the stand-in incident workflow (real client, real updates), the Slack sandbox sending signed
 * `/ir console` commands to the real Bolt app, and the Kafka sandbox holding the hash-chained audit
 * topic that the live updates and the register read. The sign-in clock is injected.
 */

const TOPIC = 'breachline.audit';
const ROOT = join(__dirname, '..', '..', '..');
let h: Harness;
let kafka: RunningKafkaSandbox;
let server: ConsoleServer;
let serverOptions: ConsoleServerOptions;
let base: string;
let links: SigninLinks;
let live: LiveFeed;
let feed: { stop(): Promise<void> };
let append: (events: DomainEvent[]) => Promise<unknown>;
/** Added to the real clock by the sign-in links and sessions. */
let skewMs = 0;
const now = (): number => Date.now() + skewMs;
const scratch = mkdtempSync(join(tmpdir(), 'console-static-'));
/** The served front end; a file beside it must never be served. */
const staticDir = join(scratch, 'console');

beforeAll(async () => {
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>breachline console</title>');
  writeFileSync(join(staticDir, 'app.js'), 'console.log(1);');
  writeFileSync(join(scratch, 'outside.txt'), 'not for browsers');
  links = new SigninLinks({ now });
  h = await startHarness({
    extra: {
      consoleLinks: {
        link(userId) {
          const { token, expiresAt } = links.issue(userId);
          return { url: `${base}/#/signin/${token}`, expiresAt };
        },
      },
    },
  });
  kafka = await startKafka({ port: 0, groups: { initialRebalanceDelayMs: 0, minSessionTimeoutMs: 1000 } });
  const acts = createAuditActivities({ kafka: kafka.connection, auditTopic: TOPIC, logger: silentLogger });
  const env = new MockActivityEnvironment();
  await env.run(acts.ensureAuditTopic);
  append = (events) => env.run(acts.appendAudit, { events });
  await append(gdprClock(forensics(opened('inc-register-a'))).events);

  const policy = loadPolicyEngine(join(ROOT, 'runbooks', 'policies'), ROLES);
  const kafkaClient = createKafka(kafka.connection, { clientId: 'console-test', logger: silentLogger });
  live = new LiveFeed();
  serverOptions = {
    incidents: h.incidents,
    directory: temporalIncidentDirectory(h.client),
    drills: temporalDrillHistory(h.client),
    register: auditRegisterSource(kafkaClient, TOPIC),
    auth: new ConsoleAuthorizer(policy, createRefusalRecorder({ logger: silentLogger, toIncident: (workflowId, r) => h.incidents.refusal(workflowId, { ...r }) })),
    sessions: new SessionStore({ now }),
    live,
    links,
    staticDir,
    logger: silentLogger,
  };
  server = createConsoleServer(serverOptions);
  base = await server.listen(0, '127.0.0.1');
  feed = await startWarRoomFeed(kafkaClient, TOPIC, live, { pollMs: 100 });
}, 180_000);

afterAll(async () => {
  await feed?.stop();
  await server?.close();
  await kafka?.close();
  await h?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** A signed-in browser: its cookie and CSRF token. */
interface Browser {
  cookie: string;
  csrf: string;
  session: SessionBody;
}

async function postSession(token: unknown): Promise<Response> {
  return fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify({ token }) });
}

async function signIn(userId: string): Promise<Browser> {
  const res = await postSession(links.issue(userId).token);
  expect(res.status).toBe(200);
  const session = (await res.json()) as SessionBody;
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
  return { cookie, csrf: session.csrfToken, session };
}

function get(b: Browser | undefined, path: string): Promise<Response> {
  return fetch(`${base}${path}`, { headers: b ? { cookie: b.cookie } : {} });
}

function post(b: Browser, path: string, body: unknown, headers: Record<string, string> = { origin: base, 'x-csrf-token': b.csrf }): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: b.cookie, ...headers }, body: JSON.stringify(body) });
}

/** The link `/ir console` answers `userId` with, through the Slack sandbox and the real Bolt app. */
async function slackLink(userId: string): Promise<string> {
  const answer = await h.signed.slashCommand({ text: 'console', userId }, { replyTimeoutMs: 10_000 });
  return answer.replies.map((r) => r.text ?? '').join('\n');
}

describe('sign-in', () => {
  it('/ir console sends a one-time link with the token in the fragment; it opens a session once, the second time it is refused', async () => {
    const text = await slackLink('U0COMMANDER');
    const match = new RegExp(`${base.replace(/[.]/g, '\\.')}/#/signin/([A-Za-z0-9_.-]+)`).exec(text);
    expect(match, text).not.toBeNull();
    const token = match?.[1] as string;

    const first = await postSession(token);
    expect(first.status).toBe(200);
    const body = (await first.json()) as SessionBody;
    expect(body).toMatchObject({ user: 'U0COMMANDER', roles: ['incident-commander'] });
    expect(body.csrfToken.length).toBeGreaterThanOrEqual(40);
    expect(Date.parse(body.expiresAt) - now()).toBeGreaterThan(8 * 3_600_000 - 60_000);
    const setCookie = first.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^bl_session=[A-Za-z0-9_-]{40,}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+$/);
    expect(first.headers.get('cache-control')).toBe('no-store');

    const again = await postSession(token);
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual({ error: 'the sign-in link has been used already: ask for a new one with /ir console', field: 'token' });

    const cookie = setCookie.split(';')[0] as string;
    const me = await fetch(`${base}/api/session`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as SessionBody).user).toBe('U0COMMANDER');
  });

  it('a user with no role gets the same refusal as for any other command, and no link', async () => {
    const text = await slackLink(NOBODY);
    expect(text).toContain('this needs the `list` permission, and you have no breachline role');
    expect(text).not.toContain('/#/signin/');
  });

  it('a link of someone who lost their role, or posted from another origin, opens no session', async () => {
    const lost = await postSession(links.issue(NOBODY).token);
    expect(lost.status).toBe(403);
    expect(await lost.json()).toEqual({ error: 'Not allowed: this needs the `list` permission, and you have no breachline role. The refusal has been recorded.' });
    expect(lost.headers.get('set-cookie')).toBeNull();
    const { token } = links.issue('U0COMMANDER');
    const elsewhere = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://attacker.example' }, body: JSON.stringify({ token }) });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.headers.get('set-cookie')).toBeNull();
    // Refused before it was redeemed: the commander's own browser can still use it.
    expect((await postSession(token)).status).toBe(200);
  });

  it('a link is refused 15 minutes after it was sent', async () => {
    const { token } = links.issue('U0COMMANDER');
    skewMs = 15 * 60_000 + 1;
    try {
      const res = await postSession(token);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: string }).error).toMatch(/expired/);
    } finally {
      skewMs = 0;
    }
  });

  it('a forged, a foreign and a malformed token are refused, each saying why', async () => {
    const { token } = links.issue('U0OBSERVER1');
    const [id, , expiry, mac] = token.split('.') as [string, string, string, string];
    // The user swapped for the commander, the signature kept.
    const swapped = `${id}.${Buffer.from('U0COMMANDER').toString('base64url')}.${expiry}.${mac}`;
    const foreign = new SigninLinks().issue('U0COMMANDER').token;
    for (const forged of [swapped, foreign]) {
      const res = await postSession(forged);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'the sign-in token was not issued by this console', field: 'token' });
    }
    for (const bad of ['', 'abc', 42, 'a.b.c.d.e', `${token}!`]) {
      const res = await postSession(bad);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: string }).error).toBe('the sign-in token is malformed');
    }
  });

  it('without a session the API answers 401, and signing out ends the session', async () => {
    expect((await get(undefined, '/api/incidents')).status).toBe(401);
    expect((await get({ cookie: 'bl_session=made-up', csrf: '', session: {} as SessionBody }, '/api/incidents')).status).toBe(401);
    const b = await signIn('U0RESPONDER');
    const out = await fetch(`${base}/api/session`, { method: 'DELETE', headers: { cookie: b.cookie, origin: base, 'x-csrf-token': b.csrf } });
    expect(out.status).toBe(200);
    expect((await get(b, '/api/session')).status).toBe(401);
  });

  it('a session ends when its 8 hours are over', async () => {
    const b = await signIn('U0RESPONDER');
    skewMs = 8 * 3_600_000;
    try {
      expect((await get(b, '/api/incidents')).status).toBe(401);
    } finally {
      skewMs = 0;
    }
  });
});

describe('incidents', () => {
  let workflowId: string;
  beforeAll(async () => {
    workflowId = await h.startIncident('console-approve');
    // Waits for the proving state: both approvals requested.
    const deadline = Date.now() + 20_000;
    while ((await h.incidents.state(workflowId).catch(() => undefined))?.pendingApprovals.length !== 2) {
      if (Date.now() > deadline) throw new Error('the stand-in incident never asked for its approvals');
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('lists incidents by status, severity and text, and names a bad filter', async () => {
    const b = await signIn('U0OBSERVER1');
    const list = async (query: string): Promise<string[]> => {
      const res = await get(b, `/api/incidents${query}`);
      expect(res.status).toBe(200);
      return ((await res.json()) as IncidentListBody).incidents.map((i) => i.incidentId);
    };
    expect(await list('')).toContain(workflowId);
    expect(await list('?status=open&severity=critical&q=EXFILTRATION')).toContain(workflowId);
    expect(await list('?severity=low')).not.toContain(workflowId);
    expect(await list('?q=no-such-words')).toEqual([]);
    expect(await list('?status=closed')).not.toContain(workflowId);
    const one = ((await (await get(b, '/api/incidents')).json()) as IncidentListBody).incidents.find((i) => i.incidentId === workflowId);
    expect(one).toMatchObject({ workflowId, title: 'Exfiltration from orders', severity: 'critical', status: 'open', pendingApprovals: 2, principal: 'User:report-exporter' });

    const bad = await get(b, '/api/incidents?status=deleted');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'status must be one of open, closed, all', field: 'status' });
  });

  it('shows the incident page with steps, clocks, window and what the user may do', async () => {
    const commander = await signIn('U0COMMANDER');
    const res = await get(commander, `/api/incidents/${workflowId}`);
    expect(res.status).toBe(200);
    const d = (await res.json()) as IncidentDetailBody;
    expect(d.incident).toMatchObject({ incidentId: workflowId, workflowId, title: 'Exfiltration from orders', severity: 'critical', principal: 'User:report-exporter' });
    expect(d.steps.map((s) => [s.id, s.state, s.approval])).toEqual([
      ['contain', 'awaiting-approval', 'incident-commander'],
      ['rotate', 'pending', 'none'],
      ['notify-authority', 'awaiting-approval', 'dpo'],
    ]);
    expect(d.clocks).toEqual([expect.objectContaining({ regime: 'gdpr', stage: 'authority', dueAt: '2099-01-01T00:00:00.000Z', state: 'pending' })]);
    expect(d.pending.map((p) => [p.stepId, p.requiredRole])).toEqual([
      ['contain', 'incident-commander'],
      ['notify-authority', 'dpo'],
    ]);
    expect(d.can).toEqual({ approve: true, deny: true, file: true, close: true });

    const observer = await signIn(OBSERVER);
    const seen = (await (await get(observer, `/api/incidents/${workflowId}`)).json()) as IncidentDetailBody;
    expect(seen.can).toEqual({ approve: false, deny: false, file: false, close: false });
    expect(seen.clocks).toEqual([]);
    expect((await get(observer, `/api/incidents/${workflowId}/timeline`)).status).toBe(403);
    expect((await get(commander, '/api/incidents/no-such-incident')).status).toBe(404);
    const badId = await get(commander, '/api/incidents/%3Cscript%3E');
    expect(badId.status).toBe(400);
    expect(((await badId.json()) as { field: string }).field).toBe('id');
  });

  it('refuses an action without the CSRF header or from another origin', async () => {
    const b = await signIn('U0COMMANDER');
    const noHeader = await post(b, `/api/incidents/${workflowId}/approve`, { stepId: 'contain' }, { origin: base });
    expect(noHeader.status).toBe(403);
    expect(((await noHeader.json()) as { error: string }).error).toMatch(/X-CSRF-Token/);
    const wrongToken = await post(b, `/api/incidents/${workflowId}/approve`, { stepId: 'contain' }, { origin: base, 'x-csrf-token': `${b.csrf.slice(0, -1)}${b.csrf.endsWith('x') ? 'y' : 'x'}` });
    expect(wrongToken.status).toBe(403);
    const elsewhere = await post(b, `/api/incidents/${workflowId}/approve`, { stepId: 'contain' }, { origin: 'https://attacker.example', 'x-csrf-token': b.csrf });
    expect(elsewhere.status).toBe(403);
    expect(((await elsewhere.json()) as { error: string }).error).toMatch(/Origin/);
    const noOrigin = await post(b, `/api/incidents/${workflowId}/approve`, { stepId: 'contain' }, { 'x-csrf-token': b.csrf });
    expect(noOrigin.status).toBe(403);
    expect((await h.incidents.state(workflowId)).pendingApprovals.map((p) => p.stepId)).toContain('contain');
  });

  it("refuses an observer's approve with the policies' text and records it; the commander's moves the step on", async () => {
    const observer = await signIn(OBSERVER);
    const refused = await post(observer, `/api/incidents/${workflowId}/approve`, { stepId: 'contain' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: 'Not allowed: this needs the `approve` permission, and your role is `observer`. The refusal has been recorded.' });

    const commander = await signIn('U0COMMANDER');
    const missing = await post(commander, `/api/incidents/${workflowId}/approve`, {});
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: 'stepId is required', field: 'stepId' });
    // The DPO's step is not the commander's to approve: the policies say so, with the step's role.
    const notMine = await post(commander, `/api/incidents/${workflowId}/approve`, { stepId: 'notify-authority' });
    expect(notMine.status).toBe(403);
    expect(((await notMine.json()) as { error: string }).error).toContain('on a step gated on `dpo`');

    const ok = await post(commander, `/api/incidents/${workflowId}/approve`, { stepId: 'contain' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ accepted: true, message: 'step "contain" approved by U0COMMANDER' });
    const state = await h.incidents.state(workflowId);
    expect(state.steps.find((s) => s.id === 'contain')?.status).toBe('approved');
    // Both refusals reached the incident (the real workflow records them as ActionRefused).
    const recorded = await h.client.workflow.getHandle(workflowId).query(refusalsQuery);
    expect(recorded.filter((r) => r.action === 'approve').map((r) => [r.userId, r.action])).toEqual([
      [OBSERVER, 'approve'],
      ['U0COMMANDER', 'approve'],
    ]);
    expect(state.decisions).toEqual([expect.objectContaining({ stepId: 'contain', approver: 'U0COMMANDER', granted: true })]);

    // Approved already: the workflow's own answer is a conflict.
    const twice = await post(commander, `/api/incidents/${workflowId}/approve`, { stepId: 'contain' });
    expect(twice.status).toBe(409);

    const timeline = (await (await get(commander, `/api/incidents/${workflowId}/timeline`)).json()) as TimelineBody;
    expect(timeline.entries.at(-1)).toMatchObject({ type: 'ApprovalGranted', actor: 'U0COMMANDER' });
    expect(timeline.entries.at(-1)?.summary).toContain('approved by U0COMMANDER');
  });

  it('the DPO denies with a reason, files a stage; a bad filing is the workflow refusing it', async () => {
    const dpo = await signIn('U0DPOFFICER');
    const noReason = await post(dpo, `/api/incidents/${workflowId}/deny`, { stepId: 'notify-authority' });
    expect(await noReason.json()).toEqual({ error: 'reason is required', field: 'reason' });
    const denied = await post(dpo, `/api/incidents/${workflowId}/deny`, { stepId: 'notify-authority', reason: 'filed by hand' });
    expect(denied.status).toBe(200);
    const filed = await post(dpo, `/api/incidents/${workflowId}/file`, { regime: 'gdpr', stage: 'authority', reference: 'ICO-2026-77' });
    expect(filed.status).toBe(200);
    expect(((await filed.json()) as { message: string }).message).toContain('ICO-2026-77');
    const unknown = await post(dpo, `/api/incidents/${workflowId}/file`, { regime: 'nosuch', stage: 'x', reference: 'r' });
    expect(unknown.status).toBe(409);
    const d = (await (await get(dpo, `/api/incidents/${workflowId}`)).json()) as IncidentDetailBody;
    expect(d.clocks[0]).toMatchObject({ state: 'filed', reference: 'ICO-2026-77' });
  });
  it('a responder may not close; the commander closes the incident and it moves to the closed list', async () => {
    const responder = await signIn('U0RESPONDER');
    const refused = await post(responder, `/api/incidents/${workflowId}/close`, { resolution: 'done here' });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toContain('`close` permission');
    const commander = await signIn('U0COMMANDER');
    expect(await (await post(commander, `/api/incidents/${workflowId}/close`, { resolution: ' ' })).json()).toEqual({ error: 'resolution must not be empty', field: 'resolution' });
    const closed = await post(commander, `/api/incidents/${workflowId}/close`, { resolution: 'contained, ICO notified' });
    expect(closed.status).toBe(200);
    expect(await closed.json()).toEqual({ accepted: true, message: 'closed by U0COMMANDER' });
    const ids = async (status: string): Promise<string[]> => ((await (await get(commander, `/api/incidents?status=${status}`)).json()) as IncidentListBody).incidents.map((i) => i.incidentId);
    await expect.poll(() => ids('closed'), { timeout: 20_000 }).toContain(workflowId);
    expect(await ids('open')).not.toContain(workflowId);
    expect(await ids('all')).toContain(workflowId);
    const page = (await (await get(commander, `/api/incidents/${workflowId}`)).json()) as IncidentDetailBody;
    expect(page.incident.status).toBe('closed');
    expect(page.incident.closedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

describe('register, drills, live updates, front end', () => {
  it('downloads the register as CSV, and refuses it to an observer', async () => {
    const b = await signIn('U0DPOFFICER');
    const res = await get(b, '/api/register.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="breach-register.csv"');
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^incidentId,title,severity,status,/);
    expect(lines.some((l) => l.startsWith('inc-register-a,report-exporter reading orders,critical,'))).toBe(true);
    const json = (await (await get(b, '/api/register')).json()) as { rows: Array<{ incidentId: string }> };
    expect(json.rows.map((r) => r.incidentId)).toContain('inc-register-a');
    expect((await get(await signIn(OBSERVER), '/api/register.csv')).status).toBe(403);
  });

  it('lists drills oldest first with score and pass, and none for a drill that failed; an observer may not see them', async () => {
    const b = await signIn('U0COMMANDER');
    expect(await (await get(b, '/api/drills')).json()).toEqual({ drills: [] });
    const native = await NativeConnection.connect({ address: h.temporal.address });
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: join(__dirname, 'workflows', 'drill.ts'), logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
    const worker = await Worker.create({ connection: native, taskQueue: 'console-drills', workflowBundle });
    const running = worker.run();
    try {
      for (const [id, points] of [['drill-trading-exfiltration-a', 85], ['drill-trading-exfiltration-b', 40], ['drill-trading-exfiltration-c', null]] as const) {
        const handle = await h.client.workflow.start('DrillWorkflow', { taskQueue: 'console-drills', workflowId: id, args: [{ scenario: 'trading-exfiltration', points }] });
        await handle.result().catch(() => undefined);
      }
    } finally {
      worker.shutdown();
      await running;
      await native.close();
    }
    const { drills } = (await (await get(b, '/api/drills')).json()) as DrillsBody;
    expect(drills.map((d) => [d.id, d.scenario, d.score, d.passed])).toEqual([
      ['drill-trading-exfiltration-a', 'trading-exfiltration', 85, true],
      ['drill-trading-exfiltration-b', 'trading-exfiltration', 40, false],
      ['drill-trading-exfiltration-c', 'trading-exfiltration', null, null],
    ]);
    expect(drills.every((d) => !Number.isNaN(Date.parse(d.startedAt)))).toBe(true);
    expect((await get(await signIn(OBSERVER), '/api/drills')).status).toBe(403);
  });

  it('streams an event appended to the audit topic after the stream opened', async () => {
    const b = await signIn('U0RESPONDER');
    const controller = new AbortController();
    const res = await fetch(`${base}/api/stream`, { headers: { cookie: b.cookie }, signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string): Promise<void> => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}:\n${text}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    try {
      await readUntil(': breachline console stream');
      await append(opened('inc-live-1', 'appeared while watching').events);
      await readUntil('"incidentId":"inc-live-1"');
      const frame = text.split('\n\n').find((f) => f.includes('"incidentId":"inc-live-1"')) as string;
      expect(frame.split('\n')[0]).toBe('event: incident');
      expect(JSON.parse(frame.split('\n')[1]?.replace(/^data: /, '') ?? '')).toMatchObject({ incidentId: 'inc-live-1', type: 'IncidentOpened', seq: 1 });
    } finally {
      controller.abort();
    }
  });

  it('ends the stream when the session expires', async () => {
    const b = await signIn('U0RESPONDER');
    skewMs = 8 * 3_600_000 - 2000;
    try {
      const res = await fetch(`${base}/api/stream`, { headers: { cookie: b.cookie } });
      expect(res.status).toBe(200);
      // The proof is the end of the stream itself, which comes at the session's expiry.
      const text = await res.text();
      expect(text.startsWith(': breachline console stream')).toBe(true);
    } finally {
      skewMs = 0;
    }
  });

  it('serves the front end with the security headers, index.html for page paths, and nothing outside its directory', async () => {
    for (const path of ['/', '/incidents/x']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<title>breachline console</title>');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
    const js = await fetch(`${base}/app.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log(1);');
    // A raw request: fetch would normalise the dots away before they reach the server.
    for (const path of ['/../outside.txt', '/%2e%2e/outside.txt', '/..%2foutside.txt']) {
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(`${base}${path}`, { path }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString('utf8')));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      });
      expect(body, path).not.toContain('not for browsers');
    }
    expect((await fetch(`${base}/api/nothing-here`)).status).toBe(404);
  });

  it('answers 503 while the front end is not built, and ends its streams when it shuts down', async () => {
    const unbuilt = createConsoleServer({ ...serverOptions, live: new LiveFeed(), staticDir: join(scratch, 'missing') });
    const url = await unbuilt.listen(0, '127.0.0.1');
    let closed: Promise<void> | undefined;
    try {
      const res = await fetch(`${url}/`);
      expect(res.status).toBe(503);
      expect(await res.text()).toBe('console front end not built (npm run build)');
      // Same session store: a session opened on one console is good on this one.
      const b = await signIn('U0RESPONDER');
      const stream = await fetch(`${url}/api/stream`, { headers: { cookie: b.cookie } });
      const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      closed = unbuilt.close();
      let done = false;
      while (!done) done = (await reader.read()).done;
      expect(done).toBe(true);
    } finally {
      await (closed ?? unbuilt.close());
    }
  });
});
