import { randomBytes } from 'node:crypto';
import { asRecord, startStub, type StubCall, type StubFaults, type StubReply, type StubRequest } from '../service-stub/server';

/*
 * PagerDuty Events API v2 stand-in: `POST /v2/enqueue` with trigger / acknowledge / resolve, as
 * PagerDuty documents it: 202 `{status, message, dedup_key}`; 400 `{status: "invalid event",
 * message, errors[]}` for a malformed event or an unknown routing key; a trigger for an open
 * alert with the same dedup_key is folded into it (no new page); 429 through the fault hook.
 */

/** One alert as the stand-in keeps it. */
export interface PagerDutyAlert {
  readonly dedupKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  readonly summary: string;
  readonly severity: string;
  readonly source: string;
  readonly customDetails: Readonly<Record<string, unknown>>;
  /** Events folded into this alert (the first trigger included). */
  events: number;
}

/** A running PagerDuty stand-in. */
export interface RunningPagerDutySandbox {
  readonly name: 'pagerduty';
  /** Base URL, e.g. `http://127.0.0.1:41234` (the real one is `https://events.pagerduty.com`). */
  readonly address: string;
  /** An integration (routing) key the stand-in accepts. A credential in production; a fixture here. */
  readonly routingKey: string;
  readonly connection: Readonly<Record<string, string>>;
  readonly faults: StubFaults;
  calls(): StubCall[];
  /** Every alert ever opened, oldest first (a re-trigger after resolve is a new page). */
  alerts(): PagerDutyAlert[];
  close(): Promise<void>;
}

const SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);
const ACTIONS = new Set(['trigger', 'acknowledge', 'resolve']);

const invalid = (...errors: string[]): StubReply => ({ status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } });

function validate(body: Record<string, unknown>, keys: ReadonlySet<string>): string[] {
  const errors: string[] = [];
  const key = body.routing_key;
  if (typeof key !== 'string' || key.length !== 32) errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  else if (!keys.has(key)) errors.push('Invalid routing key');
  if (typeof body.event_action !== 'string' || !ACTIONS.has(body.event_action)) errors.push("'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')");
  if (body.dedup_key !== undefined && (typeof body.dedup_key !== 'string' || body.dedup_key.length > 255)) errors.push("'dedup_key' must be a string of at most 255 characters");
  if (body.event_action === 'trigger') {
    const p = asRecord(body.payload);
    if (typeof p.summary !== 'string' || p.summary === '') errors.push("'payload.summary' is missing or blank");
    else if (p.summary.length > 1024) errors.push("'payload.summary' must be at most 1024 characters");
    if (typeof p.source !== 'string' || p.source === '') errors.push("'payload.source' is missing or blank");
    if (typeof p.severity !== 'string' || !SEVERITIES.has(p.severity)) errors.push("'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')");
  } else if (body.event_action !== undefined && typeof body.dedup_key !== 'string') {
    errors.push("'dedup_key' is required for acknowledge and resolve");
  }
  return errors;
}

/** Starts the PagerDuty Events API v2 stand-in on a free port. */
export async function start(options: { host?: string; port?: number; routingKeys?: readonly string[] } = {}): Promise<RunningPagerDutySandbox> {
  const routingKey = options.routingKeys?.[0] ?? randomBytes(16).toString('hex');
  const keys = new Set([routingKey, ...(options.routingKeys ?? [])]);
  const alerts: PagerDutyAlert[] = [];
  const open = (dedupKey: string): PagerDutyAlert | undefined => alerts.find((a) => a.dedupKey === dedupKey && a.status !== 'resolved');

  const route = (req: StubRequest): StubReply => {
    if (req.path !== '/v2/enqueue') return { status: 404, body: { status: 'error', message: 'Not found' } };
    if (req.method !== 'POST') return { status: 405, body: { status: 'error', message: 'Method not allowed' } };
    if (req.body === undefined || typeof req.body !== 'object' || Array.isArray(req.body)) return invalid('Event object is not valid JSON');
    const body = req.body as Record<string, unknown>;
    const errors = validate(body, keys);
    if (errors.length > 0) return invalid(...errors);
    const dedupKey = typeof body.dedup_key === 'string' ? body.dedup_key : randomBytes(16).toString('hex');
    const current = open(dedupKey);
    if (body.event_action === 'trigger') {
      if (current) current.events++;
      else {
        const p = asRecord(body.payload);
        alerts.push({ dedupKey, status: 'triggered', summary: String(p.summary), severity: String(p.severity), source: String(p.source), customDetails: asRecord(p.custom_details), events: 1 });
      }
    } else if (current) {
      current.status = body.event_action === 'resolve' ? 'resolved' : 'acknowledged';
      current.events++;
    }
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedupKey } };
  };
  const stub = await startStub(route, { ...options, faultBody: (s) => (s === 429 ? { status: 'throttle event', message: 'Requests for this service are arriving too quickly. Please retry later.' } : { status: 'error', message: 'Internal error' }) });
  return {
    name: 'pagerduty',
    address: stub.url,
    routingKey,
    connection: { address: stub.url, routingKey },
    faults: stub.faults,
    calls: stub.calls,
    alerts: () => alerts.map((a) => ({ ...a })),
    close: stub.close,
  };
}
