import type { IncomingMessage, ServerResponse } from 'node:http';
import { registerToCsv } from '../domain/breach-register';
import { pendingDecisionOf } from '../domain/incident-decisions';
import type { IncidentState, PendingApproval } from '../domain/incident';
import type { Logger } from '../log/logger';
import type { IncidentPort } from '../slack/commands/incident-port';
import type { ConsoleAuthorizer } from './authorize';
import type { ActionBody, DrillsBody, IncidentDetailBody, IncidentListBody, IncidentStatusFilter, Severity, TimelineBody } from './contract';
import { HttpError, optionalStringField, readJsonObject, SECURITY_HEADERS, sendJson, stringField } from './http-kit';
import { detailBody, listItem, timelineEntries } from './incident-views';
import type { LiveFeed } from './live-feed';
import type { ConsoleSession, SessionStore } from './sessions';
import type { DrillHistory, IncidentDirectory, RegisterSource } from './temporal-sources';

/** What the API handlers read and act through. */
export interface ApiDeps {
  readonly incidents: IncidentPort;
  readonly directory: IncidentDirectory;
  readonly drills: DrillHistory;
  readonly register: RegisterSource;
  readonly auth: ConsoleAuthorizer;
  readonly sessions: SessionStore;
  readonly live: LiveFeed;
  readonly logger: Logger;
}

/** One signed-in request. */
export interface ApiRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly session: ConsoleSession;
  /** Path parameters in order (`:id`). */
  readonly params: readonly string[];
  readonly query: URLSearchParams;
}

/** A route that needs a session; `csrf` routes also need the CSRF token and a matching Origin. */
export interface ApiRoute {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: RegExp;
  readonly csrf: boolean;
  readonly handle: (deps: ApiDeps, r: ApiRequest) => Promise<void>;
}

/** Incident ids and workflow ids (with `::runId` for earlier generations): nothing else reaches Temporal. */
const ID = /^[A-Za-z0-9._:-]{1,200}$/;
const STATUSES: readonly IncidentStatusFilter[] = ['open', 'closed', 'all'];
const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

function idParam(r: ApiRequest): string {
  let id: string;
  try {
    id = decodeURIComponent(r.params[0] ?? '');
  } catch {
    throw new HttpError(400, 'the incident id is not valid', 'id');
  }
  if (!ID.test(id)) throw new HttpError(400, 'the incident id may hold only letters, digits and . _ : -', 'id');
  return id;
}

/** Checks the attempt, resolves the id (404 when unknown), then checks again on the incident found. */
async function incidentFor(deps: ApiDeps, r: ApiRequest, action: 'status' | 'timeline' | 'approve' | 'deny' | 'notify' | 'close'): Promise<string> {
  const id = idParam(r);
  const request = `console: ${r.req.method} ${r.req.url ?? ''}`;
  await deps.auth.requireAttempt(r.session.userId, action, id, request, () => deps.incidents.resolve(id));
  const workflowId = await deps.incidents.resolve(id);
  if (workflowId === undefined) throw new HttpError(404, `no incident ${id}`);
  if (action !== 'approve' && action !== 'deny') await deps.auth.require(r.session.userId, action, request, { workflowId });
  return workflowId;
}

function one<T extends string>(query: URLSearchParams, name: string, allowed: readonly T[], fallback: T | undefined): T | undefined {
  const value = query.get(name);
  if (value === null || value === '') return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new HttpError(400, `${name} must be one of ${allowed.join(', ')}`, name);
  return value as T;
}

async function listIncidents(deps: ApiDeps, r: ApiRequest): Promise<void> {
  const status = one(r.query, 'status', STATUSES, 'open') as IncidentStatusFilter;
  const severity = one(r.query, 'severity', SEVERITIES, undefined);
  const q = (r.query.get('q') ?? '').trim().toLowerCase();
  if (q.length > 200) throw new HttpError(400, 'q must be at most 200 characters', 'q');
  await deps.auth.require(r.session.userId, 'list', 'console: GET /api/incidents');
  const listed = await deps.directory.list(status);
  const incidents = listed
    .filter(({ state }) => severity === undefined || state.severity === severity)
    .filter(({ workflowId, state }) => q === '' || [state.incidentId, workflowId, state.title, state.principal].some((f) => f.toLowerCase().includes(q)))
    .map(({ workflowId, state }) => listItem(workflowId, state));
  const body: IncidentListBody = { incidents };
  sendJson(r.res, 200, body);
}

async function incidentDetail(deps: ApiDeps, r: ApiRequest): Promise<void> {
  const workflowId = await incidentFor(deps, r, 'status');
  const user = r.session.userId;
  const state = await deps.incidents.state(workflowId);
  // Clocks are the `clocks` permission's (observers see status only, as in Slack).
  const clocks = deps.auth.allows(user, 'clocks', { workflowId }) ? await deps.incidents.clocks(workflowId) : [];
  const evidence = deps.incidents.evidenceProgress ? await deps.incidents.evidenceProgress(workflowId).catch(() => null) : null;
  const decidable = (action: 'approve' | 'deny') => state.pendingApprovals.some((p) => deps.auth.allows(user, action, { workflowId, stepRole: p.role }));
  const can = {
    approve: decidable('approve'),
    deny: decidable('deny'),
    file: deps.auth.allows(user, 'notify', { workflowId }),
    close: deps.auth.allows(user, 'close', { workflowId }),
  };
  // A run-qualified reference (`<workflowId>::<runId>`, an earlier generation) is not something to hand out: its incident id resolves back to it.
  const ref = workflowId.includes('::') ? state.incidentId : workflowId;
  const body: IncidentDetailBody = detailBody(ref, state, { clocks, evidence, can });
  // wait-for (issue 17): open questions, each with whether this user may answer it.
  const questions = (state.status === 'closed' ? [] : (state.pendingDecisions ?? [])).map((q) => ({
    stepId: q.stepId,
    question: q.question,
    options: q.options,
    requiredRole: q.role,
    onTimeout: q.onTimeout,
    deadline: q.deadline,
    canAnswer: deps.auth.allows(user, 'approve', { workflowId, stepRole: q.role }),
  }));
  sendJson(r.res, 200, questions.length > 0 ? { ...body, questions } : body);
}

async function incidentTimeline(deps: ApiDeps, r: ApiRequest): Promise<void> {
  const workflowId = await incidentFor(deps, r, 'timeline');
  const body: TimelineBody = { entries: timelineEntries(await deps.incidents.events(workflowId)) };
  sendJson(r.res, 200, body);
}

function pendingFor(state: IncidentState, stepId: string): PendingApproval {
  const hit = state.pendingApprovals.find((a) => a.stepId === stepId || a.approvalId === stepId);
  if (hit !== undefined) return hit;
  const pending = state.pendingApprovals.map((a) => a.stepId);
  throw new HttpError(409, `no approval is pending for step ${stepId}${pending.length > 0 ? ` (pending: ${pending.join(', ')})` : ''}`);
}

function answer(r: ApiRequest, result: { accepted: boolean; message: string }): void {
  if (!result.accepted) throw new HttpError(409, result.message);
  const body: ActionBody = { accepted: true, message: result.message };
  sendJson(r.res, 200, body);
}

async function decideStep(deps: ApiDeps, r: ApiRequest, granted: boolean): Promise<void> {
  const body = await readJsonObject(r.req);
  const stepId = stringField(body, 'stepId', 200);
  const reason = granted ? undefined : stringField(body, 'reason', 2000);
  const action = granted ? 'approve' : 'deny';
  const workflowId = await incidentFor(deps, r, action);
  const pending = pendingFor(await deps.incidents.state(workflowId), stepId);
  await deps.auth.require(r.session.userId, action, `console: ${action} ${stepId} of ${workflowId}`, { workflowId, stepRole: pending.role });
  const request = { stepId: pending.stepId, approver: r.session.userId, role: pending.role };
  answer(r, reason === undefined ? await deps.incidents.approve(workflowId, request) : await deps.incidents.deny(workflowId, { ...request, reason }));
}

/** `POST /api/incidents/:id/decide` `{stepId, answer, reason?}`: answers a wait-for question (issue 17). */
async function decideQuestion(deps: ApiDeps, r: ApiRequest): Promise<void> {
  const body = await readJsonObject(r.req);
  const stepId = stringField(body, 'stepId', 200);
  const answerGiven = stringField(body, 'answer', 200);
  const reason = optionalStringField(body, 'reason', 1000);
  // The approve permission for some role before any lookup, as in Slack.
  const workflowId = await incidentFor(deps, r, 'approve');
  const pending = pendingDecisionOf(await deps.incidents.state(workflowId), stepId);
  if (pending === undefined) throw new HttpError(409, `step ${stepId} asks nothing now`);
  await deps.auth.require(r.session.userId, 'approve', `console: decide ${stepId} of ${workflowId}`, { workflowId, stepRole: pending.role });
  if (deps.incidents.decide === undefined) throw new HttpError(409, 'this breachline cannot send answers to wait-for steps');
  answer(r, await deps.incidents.decide(workflowId, { stepId, answer: answerGiven, decidedBy: r.session.userId, role: pending.role, ...(reason !== undefined ? { reason } : {}) }));
}

async function fileStage(deps: ApiDeps, r: ApiRequest): Promise<void> {
  const body = await readJsonObject(r.req);
  const regime = stringField(body, 'regime', 50).toLowerCase();
  const stage = stringField(body, 'stage', 100).toLowerCase();
  const reference = stringField(body, 'reference', 200);
  const lateReason = optionalStringField(body, 'lateReason', 2000);
  const workflowId = await incidentFor(deps, r, 'notify');
  const role = deps.auth.roleOf(r.session.userId);
  answer(r, await deps.incidents.file(workflowId, { regime, stage, reference, filer: r.session.userId, role, ...(lateReason !== undefined ? { lateReason } : {}) }));
}

async function closeIncident(deps: ApiDeps, r: ApiRequest): Promise<void> {
  const body = await readJsonObject(r.req);
  const resolution = stringField(body, 'resolution', 2000);
  const workflowId = await incidentFor(deps, r, 'close');
  const role = deps.auth.roleOf(r.session.userId);
  answer(r, await deps.incidents.close(workflowId, { closedBy: r.session.userId, role, resolution }));
}

async function registerJson(deps: ApiDeps, r: ApiRequest): Promise<void> {
  await deps.auth.require(r.session.userId, 'report', 'console: GET /api/register');
  sendJson(r.res, 200, { rows: await deps.register.rows() });
}

async function registerCsv(deps: ApiDeps, r: ApiRequest): Promise<void> {
  await deps.auth.require(r.session.userId, 'report', 'console: GET /api/register.csv');
  const csv = registerToCsv(await deps.register.rows());
  r.res.writeHead(200, {
    ...SECURITY_HEADERS,
    'cache-control': 'no-store',
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': 'attachment; filename="breach-register.csv"',
    'content-length': Buffer.byteLength(csv),
  });
  r.res.end(csv);
}

async function drillList(deps: ApiDeps, r: ApiRequest): Promise<void> {
  await deps.auth.require(r.session.userId, 'drill-list', 'console: GET /api/drills');
  const body: DrillsBody = { drills: await deps.drills.list() };
  sendJson(r.res, 200, body);
}

async function stream(deps: ApiDeps, r: ApiRequest): Promise<void> {
  await deps.auth.require(r.session.userId, 'list', 'console: GET /api/stream');
  deps.live.open(r.res, r.session.expiresAt, deps.sessions.now);
}

/** Every API route but the session's own. */
export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'GET', path: /^\/api\/incidents$/, csrf: false, handle: listIncidents },
  { method: 'GET', path: /^\/api\/incidents\/([^/]+)$/, csrf: false, handle: incidentDetail },
  { method: 'GET', path: /^\/api\/incidents\/([^/]+)\/timeline$/, csrf: false, handle: incidentTimeline },
  { method: 'POST', path: /^\/api\/incidents\/([^/]+)\/approve$/, csrf: true, handle: (d, r) => decideStep(d, r, true) },
  { method: 'POST', path: /^\/api\/incidents\/([^/]+)\/deny$/, csrf: true, handle: (d, r) => decideStep(d, r, false) },
  { method: 'POST', path: /^\/api\/incidents\/([^/]+)\/file$/, csrf: true, handle: fileStage },
  // wait-for answers (issue 17).
  { method: 'POST', path: /^\/api\/incidents\/([^/]+)\/decide$/, csrf: true, handle: decideQuestion },
  { method: 'POST', path: /^\/api\/incidents\/([^/]+)\/close$/, csrf: true, handle: closeIncident },
  { method: 'GET', path: /^\/api\/register$/, csrf: false, handle: registerJson },
  { method: 'GET', path: /^\/api\/register\.csv$/, csrf: false, handle: registerCsv },
  { method: 'GET', path: /^\/api\/drills$/, csrf: false, handle: drillList },
  { method: 'GET', path: /^\/api\/stream$/, csrf: false, handle: stream },
];
