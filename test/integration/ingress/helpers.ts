import { readFileSync } from 'node:fs';
import { request, type Agent } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { configSchema, type Config } from '../../../src/config/config';
import type { Alert, AlertSource } from '../../../src/domain/alert';
import type { IncidentWorkflowInput } from '../../../src/domain/step-contract';
import { loadRunbookDir, type LoadedRunbook } from '../../../src/domain/runbook-loader';
import { signPayload } from '../../../src/ingress/auth';
import { createIngressServer, type IngressServer, type IngressServerOptions } from '../../../src/ingress/server';
import { alertFingerprint } from '../../../src/ingress/fingerprint';
import { createMetrics } from '../../../src/ingress/metrics';
import { silentLogger } from '../../../src/log/logger';
import { start, type RunningTemporalSandbox } from '../../../src/sandbox/temporal';
import { incidentWorkflowId } from '../../../workflows/api';

/** Credentials the test servers are configured with. */
export const SECRETS = {
  splunk: { hmacSecret: 'splunk-relay-hmac-secret-0001' },
  elastic: { bearerToken: 'kibana-webhook-connector-token-0001' },
  sentinel: { bearerToken: 'sentinel-logic-app-token-0000001' },
  generic: { hmacSecret: 'generic-hmac-secret-00000000001' },
} as const;

/** A fixture payload from `test/fixtures/alerts`. */
export function fixture(source: AlertSource): Record<string, unknown> {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'alerts', `${source}.json`), 'utf8')) as Record<string, unknown>;
}

/** Config with the test credentials, overridable per test file. */
export function testConfig(ingress: Partial<Config['ingress']> = {}): Config {
  return configSchema.parse({ ingress: { sources: SECRETS, bodyLimitBytes: 64 * 1024, ...ingress }, temporal: { taskQueue: 'breachline-test' } });
}

/** The repository's runbooks, validated. */
export function repoRunbooks(): Promise<LoadedRunbook[]> {
  return loadRunbookDir(join(__dirname, '..', '..', '..', 'runbooks'));
}

/** A sandbox, a real client and an ingress server bound to 127.0.0.1:0. */
export interface IngressRig {
  sandbox: RunningTemporalSandbox;
  connection: Connection;
  client: Client;
  server: IngressServer;
  url: string;
  close(): Promise<void>;
}

/** Starts the rig; `clock` defaults to wall time. */
export async function startRig(options: Partial<Omit<IngressServerOptions, 'temporalClient' | 'runbooks'>> = {}): Promise<IngressRig> {
  const sandbox = await start();
  // A coalesced storm's history holds large batch signals; the sandbox pages history by count only.
  const connection = await Connection.connect({ address: sandbox.address, channelArgs: { 'grpc.max_receive_message_length': 64 * 1024 * 1024 } });
  const client = new Client({ connection });
  const server = createIngressServer({
    config: testConfig(),
    temporalClient: client,
    runbooks: await repoRunbooks(),
    logger: silentLogger,
    metrics: createMetrics(),
    ...options,
  });
  const { url } = await server.listen(0, '127.0.0.1');
  return {
    sandbox,
    connection,
    client,
    server,
    url,
    async close() {
      await server.close();
      await connection.close();
      await sandbox.close();
    },
  };
}

/** Headers that authenticate `body` for `source` with the test credentials. */
export function authHeaders(source: AlertSource, body: string, nowMs = Date.now()): Record<string, string> {
  const creds = SECRETS[source];
  if ('hmacSecret' in creds) {
    const ts = String(Math.floor(nowMs / 1000));
    return { 'x-breachline-timestamp': ts, 'x-breachline-signature': signPayload(creds.hmacSecret, ts, body) };
  }
  return { authorization: `Bearer ${creds.bearerToken}` };
}

/** An HTTP answer, body parsed when JSON. */
export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** POSTs `body` (JSON text) to `/v1/alerts/<source>` with the given headers. */
export async function post(url: string, source: string, body: string, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(`${url}/v1/alerts/${source}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** POSTs an authenticated alert. */
export function postAlert(url: string, source: AlertSource, payload: unknown, nowMs?: number): Promise<Answer> {
  const body = JSON.stringify(payload);
  return post(url, source, body, authHeaders(source, body, nowMs));
}

/**
 * POSTs over a bare socket with every header byte as given (latin1), HTTP/1.1 with
 * `Connection: close`. fetch and node:http would trim, refuse or UTF-8-encode some header
 * spellings (e.g. a no-break space, byte 0xA0) that an attacker's own client sends as-is.
 */
export function postRaw(url: string, source: string, body: string, headers: Record<string, string>): Promise<Answer> {
  const target = new URL(`${url}/v1/alerts/${source}`);
  const payload = Buffer.from(body, 'utf8');
  const all: Record<string, string> = { host: target.host, 'content-type': 'application/json', ...headers, 'content-length': String(payload.length), connection: 'close' };
  const head = `POST ${target.pathname} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return new Promise((resolve, reject) => {
    // Written, not ended: a half-closed socket may be dropped before a slow answer is sent.
    const socket = connect(Number(target.port), target.hostname, () => socket.write(Buffer.concat([Buffer.from(head, 'latin1'), payload])));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [statusAndHeaders = '', rest = ''] = text.split('\r\n\r\n', 2);
      const [statusLine = '', ...lines] = statusAndHeaders.split('\r\n');
      const responseHeaders = new Headers();
      for (const line of lines) {
        const i = line.indexOf(':');
        if (i > 0) responseHeaders.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
      }
      // The ingress answers with Content-Length, so what follows the head is the JSON body.
      resolve({ status: Number(statusLine.split(' ')[1]), headers: responseHeaders, body: rest ? (JSON.parse(rest) as Record<string, unknown>) : {} });
    });
  });
}

/** Streams `total` bytes with chunked encoding (no Content-Length) and returns status and body. */
export function postChunked(url: string, path: string, headers: Record<string, string>, total: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: new Headers(res.headers as Record<string, string>), body: JSON.parse(text) as Record<string, unknown> });
      });
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    let sent = 0;
    const pump = (): void => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

/** What a huge upload got back: the answer if one was read, and any socket error on the way. */
export interface UploadOutcome {
  answer?: { status: number; head: string; body: string };
  /** The first socket error (EPIPE, ECONNRESET), if any. */
  error?: string;
  /** Body bytes the socket accepted. */
  written: number;
}

/**
 * Sends `total` body bytes over a bare socket (declared by Content-Length, or chunked) and only
 * then reads the answer, like the many clients that upload their whole body before they look at
 * the response. A server that closes the connection right after refusing the body makes such a
 * client fail with EPIPE or ECONNRESET instead of reading the refusal.
 */
export function uploadHuge(url: string, path: string, headers: Record<string, string>, total: number, declareLength: boolean): Promise<UploadOutcome> {
  const target = new URL(`${url}${path}`);
  const all: Record<string, string> = {
    host: target.host,
    'content-type': 'application/json',
    ...headers,
    ...(declareLength ? { 'content-length': String(total) } : { 'transfer-encoding': 'chunked' }),
  };
  const head = `POST ${target.pathname} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return new Promise((resolve) => {
    const outcome: UploadOutcome = { written: 0 };
    const received: Buffer[] = [];
    const socket = connect(Number(target.port), target.hostname);
    const payload = Buffer.alloc(256 * 1024, 0x20);
    const frame = (n: number): Buffer => {
      const body = n === payload.length ? payload : payload.subarray(0, n);
      return declareLength ? body : Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), body, Buffer.from('\r\n')]);
    };
    const pump = (): void => {
      while (outcome.written < total) {
        const n = Math.min(payload.length, total - outcome.written);
        outcome.written += n;
        if (!socket.write(frame(n))) {
          socket.once('drain', pump);
          return;
        }
      }
      if (!declareLength) socket.write('0\r\n\r\n');
      // Only now does this client start reading.
      socket.on('data', (c: Buffer) => received.push(c));
      socket.resume();
    };
    socket.pause();
    socket.on('connect', () => {
      socket.write(head);
      pump();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      outcome.error ??= err.code ?? err.message;
    });
    socket.on('close', () => {
      const text = Buffer.concat(received).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      if (split > 0) outcome.answer = { status: Number(text.split(' ')[1]), head: text.slice(0, split).toLowerCase(), body: text.slice(split + 4) };
      resolve(outcome);
    });
  });
}

/** Number of workflow executions the server knows. */
export async function workflowCount(client: Client): Promise<number> {
  return (await client.workflow.count()).count;
}

/**
 * The start input and every alert signalled to an incident's history: those of `alert` signals
 * and, flattened, those of coalesced `alertBatch` signals. `signalCount` is the number of signal
 * events (each one Temporal call).
 */
export async function recorded(
  client: Client,
  workflowId: string,
  runId?: string,
): Promise<{ input: IncidentWorkflowInput; signals: Alert[]; signalCount: number; events: temporal.api.history.v1.IHistoryEvent[] }> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const events = history.events ?? [];
  const started = events[0]?.workflowExecutionStartedEventAttributes;
  const first = started?.input?.payloads?.[0];
  if (!first) throw new Error(`no start input for ${workflowId}`);
  const signalled = events
    .map((e) => e.workflowExecutionSignaledEventAttributes)
    .filter((s): s is temporal.api.history.v1.IWorkflowExecutionSignaledEventAttributes => s?.signalName === 'alert' || s?.signalName === 'alertBatch');
  const signals = signalled.flatMap((s) => {
    const payload = s.input?.payloads?.[0] ?? {};
    return s.signalName === 'alertBatch' ? defaultPayloadConverter.fromPayload<Alert[]>(payload) : [defaultPayloadConverter.fromPayload<Alert>(payload)];
  });
  return { input: defaultPayloadConverter.fromPayload<IncidentWorkflowInput>(first), signals, signalCount: signalled.length, events };
}

/** POSTs through a node `http` agent (keep-alive pools for load); resolves status and JSON body. */
export function postVia(agent: Agent, url: string, path: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Polls `check` every 200 ms until it holds; fails naming `what` after `ms`. */
export async function eventually(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Waits until every generic `kafka-pii-bulk-read` alert in `sent` is recorded on its principal's
 * incident, and returns how an incident's workflow id follows from its principal.
 */
export async function everyAlertCorrelated(client: Client, sent: ReadonlyArray<{ id: string; principal: string }>, ms = 120_000): Promise<(principal: string) => string> {
  const principals = [...new Set(sent.map((a) => a.principal))];
  const workflowIdOf = (principal: string): string => incidentWorkflowId(alertFingerprint({ source: 'generic', rule: 'kafka-pii-bulk-read', principal }));
  const allRecorded = async (): Promise<boolean> => {
    for (const principal of principals) {
      const workflowId = workflowIdOf(principal);
      if ((await client.workflow.count(`WorkflowId = '${workflowId}'`)).count === 0) return false;
      const ids = new Set((await recorded(client, workflowId)).signals.map((s) => s.alertId));
      if (!sent.every((a) => a.principal !== principal || ids.has(a.id))) return false;
    }
    return true;
  };
  await eventually(allRecorded, ms, 'every alert correlated');
  return workflowIdOf;
}
