import { randomUUID } from 'node:crypto';
import { asRecord, startStub, type StubCall, type StubFaults, type StubReply, type StubRequest } from '../service-stub/server';

/*
 * Opsgenie Alert API stand-in: `POST /v2/alerts` (create; an open alert with the same alias is
 * deduplicated: its count grows, nobody is paged again), `GET /v2/alerts/:identifier`
 * (`identifierType=id|alias|tiny`), `POST /v2/alerts/:identifier/close`. Auth is
 * `Authorization: GenieKey <key>`. Answers as Opsgenie documents them: 202
 * `{result, took, requestId}` for the asynchronous writes, 401 without a valid key, 422 with an
 * `errors` map for an unprocessable body, 404 for an unknown alert. Unlike Opsgenie, requests are
 * processed before the 202 is sent, so a test can read the result at once.
 */

/** One alert as the stand-in keeps it. */
export interface OpsgenieAlert {
  readonly id: string;
  readonly tinyId: string;
  readonly alias: string;
  readonly message: string;
  readonly priority: string;
  status: 'open' | 'closed';
  count: number;
  readonly details: Readonly<Record<string, unknown>>;
}

/** A running Opsgenie stand-in. */
export interface RunningOpsgenieSandbox {
  readonly name: 'opsgenie';
  /** Base URL (the real ones are `https://api.opsgenie.com` and `https://api.eu.opsgenie.com`). */
  readonly address: string;
  /** An API key the stand-in accepts. */
  readonly apiKey: string;
  readonly connection: Readonly<Record<string, string>>;
  readonly faults: StubFaults;
  calls(): StubCall[];
  alerts(): OpsgenieAlert[];
  close(): Promise<void>;
}

const PRIORITIES = new Set(['P1', 'P2', 'P3', 'P4', 'P5']);

/** Starts the Opsgenie stand-in on a free port. */
export async function start(options: { host?: string; port?: number; apiKey?: string } = {}): Promise<RunningOpsgenieSandbox> {
  const apiKey = options.apiKey ?? randomUUID();
  const alerts: OpsgenieAlert[] = [];
  const meta = (): { took: number; requestId: string } => ({ took: 0.01, requestId: randomUUID() });
  const accepted = (): StubReply => ({ status: 202, body: { result: 'Request will be processed', ...meta() } });

  const find = (identifier: string, type: string): OpsgenieAlert | undefined => {
    const matches = alerts.filter((a) => (type === 'alias' ? a.alias === identifier : type === 'tiny' ? a.tinyId === identifier : a.id === identifier));
    return matches.find((a) => a.status === 'open') ?? matches.at(-1);
  };

  const create = (body: Record<string, unknown>): StubReply => {
    const errors: Record<string, string> = {};
    if (typeof body.message !== 'string' || body.message.trim() === '') errors.message = 'Message can not be empty.';
    else if (body.message.length > 130) errors.message = 'Message can not be longer than 130 characters.';
    if (body.alias !== undefined && (typeof body.alias !== 'string' || body.alias.length > 512)) errors.alias = 'Alias can not be longer than 512 characters.';
    if (body.priority !== undefined && (typeof body.priority !== 'string' || !PRIORITIES.has(body.priority))) errors.priority = 'Priority should be one of [P1, P2, P3, P4, P5]';
    if (Object.keys(errors).length > 0) return { status: 422, body: { message: 'Request body is not processable. Please check the errors.', errors, ...meta() } };
    const alias = typeof body.alias === 'string' ? body.alias : randomUUID();
    const open = alerts.find((a) => a.alias === alias && a.status === 'open');
    if (open) open.count++;
    else {
      alerts.push({ id: randomUUID(), tinyId: String(alerts.length + 1), alias, message: String(body.message), priority: typeof body.priority === 'string' ? body.priority : 'P3', status: 'open', count: 1, details: asRecord(body.details) });
    }
    return accepted();
  };

  const route = (req: StubRequest, raw: Readonly<Record<string, string>>): StubReply => {
    if (raw.authorization !== `GenieKey ${apiKey}`) return { status: 401, body: { message: 'Could not authenticate', ...meta() } };
    const m = /^\/v2\/alerts(?:\/([^/]+)(\/close)?)?$/.exec(req.path);
    if (!m) return { status: 404, body: { message: 'Not found', ...meta() } };
    const [, identifier, close] = m;
    const type = req.query.get('identifierType') ?? 'id';
    if (identifier === undefined) {
      if (req.method !== 'POST') return { status: 405, body: { message: 'Method not allowed', ...meta() } };
      if (req.body === undefined || typeof req.body !== 'object' || Array.isArray(req.body)) return { status: 400, body: { message: 'Could not parse the request body', ...meta() } };
      return create(req.body as Record<string, unknown>);
    }
    const id = decodeURIComponent(identifier);
    if (close !== undefined) {
      if (req.method !== 'POST') return { status: 405, body: { message: 'Method not allowed', ...meta() } };
      const a = find(id, type);
      if (a) a.status = 'closed';
      return accepted();
    }
    const a = find(id, type);
    if (!a) return { status: 404, body: { message: 'Alert does not exist', ...meta() } };
    return { status: 200, body: { data: { id: a.id, tinyId: a.tinyId, alias: a.alias, message: a.message, status: a.status, count: a.count, priority: a.priority, details: a.details }, ...meta() } };
  };
  const stub = await startStub(route, { ...options, faultBody: (s) => ({ message: s === 429 ? 'You are making too many requests! To avoid errors, we recommend you limit requests.' : 'Internal Server Error', ...meta() }) });
  return {
    name: 'opsgenie',
    address: stub.url,
    apiKey: apiKey,
    connection: { address: stub.url, apiKey },
    faults: stub.faults,
    calls: stub.calls,
    alerts: () => alerts.map((a) => ({ ...a })),
    close: stub.close,
  };
}
