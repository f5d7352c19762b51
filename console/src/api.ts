/**
 * The console's HTTP client: the server's JSON contract (types) and the calls the pages make.
 * The CSRF token is held in memory only (never in storage or the URL); every state-changing call
 * sends it as `X-CSRF-Token`, and the browser adds the `Origin` header the server also checks.
 */

/*
 * The server's JSON contract is declared once, in src/console/contract.ts (types only, shared with
 * the server); the console reads it through these names.
 */
export type {
  SessionBody as Session,
  IncidentListItem as IncidentSummary,
  StepView as Step,
  ClockStageView as Clock,
  WindowPartitionView as PartitionRange,
  EvidenceView as Evidence,
  PendingView as Pending,
  IncidentDetailBody as IncidentDetail,
  TimelineEntryView as TimelineEntry,
  DrillView as Drill,
  // wait-for (issue 17).
  QuestionItemView as Question,
} from '../../src/console/contract';
import type { IncidentDetailBody, SessionBody as Session } from '../../src/console/contract';

/** What the signed-in user may do on an incident (the same policy decision as Slack). */
export type Can = IncidentDetailBody['can'];

/** The answer to an operator action, as the server gives it (acceptance or refusal). */
export interface ActionAnswer {
  ok: boolean;
  status: number;
  message: string;
}

/** A failed API call, with the server's own error text. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken: string | undefined;

/** Dispatched on `window` when the server answers 401 (session expired or signed out elsewhere). */
export const SIGNED_OUT = 'breachline:signed-out';

/** Remembers the session's CSRF token (memory only). */
export function rememberSession(session: Session | undefined): void {
  csrfToken = session?.csrfToken;
}

async function readJson(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : { message: String(parsed) };
  } catch {
    return { message: text };
  }
}

/** The server's explanation in an answer body (`message` for answers, `error` for refusals). */
function explanation(body: Record<string, unknown>, status: number): string {
  const text = body.message ?? body.error;
  return typeof text === 'string' && text ? text : `HTTP ${status}`;
}

/** GETs JSON; a non-2xx answer throws {@link ApiError} with the server's error text. */
export async function getJson<T>(path: string, options: { announceSignOut?: boolean } = {}): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  const body = await readJson(response);
  if (response.status === 401 && options.announceSignOut !== false) dispatchEvent(new Event(SIGNED_OUT));
  if (!response.ok) throw new ApiError(response.status, explanation(body, response.status));
  return body as T;
}

async function send(method: 'POST' | 'DELETE', path: string, payload?: unknown): Promise<{ response: Response; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, { method, headers, credentials: 'same-origin', ...(payload !== undefined ? { body: JSON.stringify(payload) } : {}) });
  return { response, body: await readJson(response) };
}

/** Exchanges a one-time sign-in token for a session. */
export async function signIn(token: string): Promise<Session> {
  const { response, body } = await send('POST', '/api/session', { token });
  if (!response.ok) throw new ApiError(response.status, explanation(body, response.status));
  const session = body as unknown as Session;
  rememberSession(session);
  return session;
}

/** The current session, or undefined when there is none (401). */
export async function currentSession(): Promise<Session | undefined> {
  try {
    const session = await getJson<Session>('/api/session', { announceSignOut: false });
    rememberSession(session);
    return session;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return undefined;
    throw e;
  }
}

/** Signs out. */
export async function signOut(): Promise<void> {
  await send('DELETE', '/api/session');
  rememberSession(undefined);
}

/** Runs an operator action and returns the server's answer, refusals included, never throwing on 4xx. */
export async function act(path: string, payload: Record<string, unknown>): Promise<ActionAnswer> {
  try {
    const { response, body } = await send('POST', path, payload);
    return { ok: response.ok && body.accepted !== false, status: response.status, message: explanation(body, response.status) };
  } catch (e) {
    return { ok: false, status: 0, message: `The console could not reach the server: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Query string of the incident list's filters (empty values left out). */
export function listQuery(filters: { status: string; severity: string; q: string }): string {
  const params = new URLSearchParams();
  if (filters.status) params.set('status', filters.status);
  if (filters.severity) params.set('severity', filters.severity);
  if (filters.q.trim()) params.set('q', filters.q.trim());
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** An incident id as one path segment. */
export function incidentPath(id: string, rest = ''): string {
  return `/api/incidents/${encodeURIComponent(id)}${rest}`;
}
