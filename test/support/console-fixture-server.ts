import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

/*
 * A stand-in for the console server's HTTP contract (issue 16), used while building the front end
 * before the real server existed and to check the pages without a Temporal stack. It holds one
 * incident in memory and answers like the contract says; the browser test runs on the real server.
 */

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };

/** A running fixture server. */
export interface ConsoleFixture {
  url: string;
  /** One-time sign-in token for `user` (any string works once). */
  token(user: string): string;
  /** Sends an `incident` event to every open stream. */
  emit(incidentId: string, type: string): void;
  close(): Promise<void>;
}

/** Starts the fixture on a free port, serving the built front end from `staticDir`. */
export async function startConsoleFixture(staticDir: string): Promise<ConsoleFixture> {
  const tokens = new Map<string, string>();
  const sessions = new Map<string, { user: string; roles: string[]; csrfToken: string; expiresAt: string }>();
  const streams = new Set<ServerResponse>();
  const now = Date.now();
  const iso = (ms: number): string => new Date(ms).toISOString();
  let seq = 0;
  const detail = {
    incident: { incidentId: 'inc-0001', workflowId: 'incident-abc', title: 'report-exporter reads orders at 40x its baseline', status: 'contained', severity: 'critical', principal: 'User:report-exporter', openedAt: iso(now - 3_600_000) },
    steps: [
      { id: 'contain', action: 'contain', title: 'contain', state: 'completed', approval: 'none' },
      { id: 'break-circuits', action: 'break-circuits', title: 'break circuits', state: 'awaiting-approval', approval: 'incident-commander' },
      { id: 'forensics', action: 'forensics', title: 'forensics', state: 'completed', approval: 'none' },
    ],
    clocks: [{ regime: 'gdpr', authority: 'CNIL', stage: 'art33', rule: 'GDPR Art. 33(1)', dueAt: iso(now + 71 * 3_600_000), state: 'pending' }],
    window: {
      partitions: [
        { topic: 'orders', partition: 0, fromOffset: '100', toOffset: '900', fromTime: iso(now - 7_200_000), toTime: iso(now - 3_000_000), records: '800', precision: 'exact', sources: ['request-log'] },
        { topic: 'orders', partition: 1, fromOffset: '50', toOffset: '700', fromTime: iso(now - 6_000_000), toTime: iso(now - 3_200_000), records: '650', precision: 'bounded', sources: ['committed-offsets'] },
        { topic: 'orders', partition: 2, fromOffset: '0', toOffset: '400', fromTime: iso(now - 5_000_000), toTime: iso(now - 3_100_000), records: '400', precision: 'time-derived', sources: ['timestamp-index'] },
      ],
    },
    evidence: { records: '900', bytes: '900000', totalRecords: '1850', ratePerSecond: 300, etaSeconds: 3, done: false },
    pending: [{ stepId: 'break-circuits', approvalId: 'break-circuits', title: 'break circuits', requiredRole: 'incident-commander' }],
  };
  const roleOf = (user: string): string[] => (user === 'U0COMMANDER' ? ['incident-commander'] : ['observer']);
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
  };
  const body = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  const emit = (incidentId: string, type: string): void => {
    seq += 1;
    for (const s of streams) s.write(`event: incident\ndata: ${JSON.stringify({ incidentId, type, seq, at: new Date().toISOString() })}\n\n`);
  };
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fixture');
      const sid = /bl_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
      const session = sid ? sessions.get(sid) : undefined;
      if (url.pathname === '/api/session' && req.method === 'POST') {
        const token = String((await body(req)).token);
        const user = tokens.get(token);
        if (!user) return json(res, 401, { error: 'sign-in link already used, expired or invalid' });
        tokens.delete(token);
        const id = randomBytes(16).toString('hex');
        const s = { user, roles: roleOf(user), csrfToken: randomBytes(16).toString('hex'), expiresAt: iso(Date.now() + 8 * 3_600_000) };
        sessions.set(id, s);
        res.setHeader('set-cookie', `bl_session=${id}; HttpOnly; SameSite=Strict; Path=/`);
        return json(res, 200, s);
      }
      if (url.pathname.startsWith('/api/')) {
        if (!session) return json(res, 401, { error: 'not signed in' });
        if (req.method !== 'GET' && req.headers['x-csrf-token'] !== session.csrfToken) return json(res, 403, { error: 'missing or wrong X-CSRF-Token' });
        const commander = session.roles.includes('incident-commander');
        if (url.pathname === '/api/session') return req.method === 'DELETE' ? (sessions.delete(sid as string), json(res, 200, {})) : json(res, 200, session);
        if (url.pathname === '/api/incidents') {
          const { incident } = detail;
          const severity = url.searchParams.get('severity');
          const listed = severity && severity !== incident.severity ? [] : [{ ...incident, pendingApprovals: detail.pending.length }];
          return json(res, 200, { incidents: listed });
        }
        if (url.pathname.endsWith('/timeline')) return json(res, 200, { entries: [{ at: detail.incident.openedAt, type: 'IncidentOpened', summary: 'opened from splunk' }] });
        if (url.pathname.startsWith('/api/incidents/') && req.method === 'GET') return json(res, 200, { ...detail, can: { approve: commander, deny: commander, file: commander, close: commander } });
        if (url.pathname.endsWith('/deny')) {
          // The workflow's own refusal, as the real server passes it on (409 with its message).
          const reason = String((await body(req)).reason ?? '');
          return json(res, 409, { error: `step break-circuits cannot be denied now (reason given: ${reason})` });
        }
        if (url.pathname.endsWith('/approve')) {
          if (!commander) return json(res, 403, { error: ':no_entry: Not allowed: only an incident-commander may approve' });
          detail.pending = [];
          detail.steps[1] = { ...detail.steps[1]!, state: 'completed' };
          emit(detail.incident.incidentId, 'ApprovalGranted');
          return json(res, 200, { accepted: true, message: 'break-circuits approved' });
        }
        if (url.pathname === '/api/register') return json(res, 200, { rows: [{ incidentId: detail.incident.incidentId, title: detail.incident.title, severity: 'critical', status: 'contained', openedAt: detail.incident.openedAt, notifiable: 'undecided', regimes: { gdpr: 'pending' }, filings: [] }] });
        if (url.pathname === '/api/register.csv') {
          res.writeHead(200, { 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="breach-register.csv"' });
          return res.end(`incidentId,title\n${detail.incident.incidentId},${detail.incident.title}\n`);
        }
        if (url.pathname === '/api/drills') return json(res, 200, { drills: [60, 85, 100].map((score, i) => ({ id: `drill-${i}`, scenario: 'trading-exfiltration', startedAt: iso(now - (3 - i) * 86_400_000), score, passed: score >= 80 })) });
        if (url.pathname === '/api/stream') {
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
          res.write(': open\n\n');
          streams.add(res);
          req.once('close', () => streams.delete(res));
          return undefined;
        }
        return json(res, 404, { error: 'no such API' });
      }
      const file = normalize(join(staticDir, url.pathname === '/' ? 'index.html' : url.pathname));
      const path = file.startsWith(staticDir) && existsSync(file) && extname(file) ? file : join(staticDir, 'index.html');
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'content-security-policy': "default-src 'self'" }).end(readFileSync(path));
      return undefined;
    })().catch((e: unknown) => json(res, 500, { error: String(e) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    token(user) {
      const t = randomBytes(32).toString('base64url');
      tokens.set(t, user);
      return t;
    },
    emit,
    async close() {
      for (const s of streams) s.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
