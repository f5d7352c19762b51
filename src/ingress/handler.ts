import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/config';
import type { Logger } from '../log/logger';
import { lazyRequestLog } from '../log/request-log';
import { incidentWorkflowId } from '../../workflows/api';
import { handleAlert, toSource, type AlertAccepted } from './alert-route';
import { DEFAULT_REPLAY_WINDOW_MS } from './auth';
import { IngressError } from './errors';
import type { IncidentGateway } from './incidents';
import type { AlertOutcome, BreachlineMetrics } from './metrics';
import { ReplayGuard } from '../security/replay-guard';
import { asIngressError, sendError, sendJson } from './respond';
import type { RunbookCatalog } from './runbooks';
import { lingerUntilBodyRead } from './linger';

/** Everything the ingress request handler needs. */
export interface IngressHandlerOptions {
  config: Config;
  gateway: IncidentGateway;
  catalog: RunbookCatalog;
  logger: Logger;
  metrics: BreachlineMetrics;
  /** Epoch milliseconds; injected so tests can move time. @default Date.now */
  clock?: () => number;
  /** Accepted timestamp skew either way for signed requests. @default 5 minutes */
  replayWindowMs?: number;
  /** Most signatures remembered against replay. @default 100000 */
  replayMaxEntries?: number;
}

/** A node `http` request listener, plus a predicate so a shared server can route to it. */
export interface IngressRequestHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** True for paths this handler serves (`/v1/alerts/…`, `/healthz`, `/readyz`, `/metrics`). */
  handles(url: string | undefined): boolean;
}

const ALERT_PATH = /^\/v1\/alerts\/([^/]+)\/?$/;
const FIXED_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Creates the request handler behind `createIngressServer`; the main command can mount it on a
 * server it shares with the Slack receiver. Every request gets a correlation id (the sender's
 * `X-Request-Id` if sane, else a new one) that is echoed back and put on every log line; bodies
 * and credentials are never logged.
 */
export function createIngressHandler(options: IngressHandlerOptions): IngressRequestHandler {
  const clock = options.clock ?? Date.now;
  const replayWindowMs = options.replayWindowMs ?? DEFAULT_REPLAY_WINDOW_MS;
  const replay = new ReplayGuard({
    // A timestamp may sit a whole window in the future, so a signature must be held for two.
    rememberMs: 2 * replayWindowMs,
    maxEntries: options.replayMaxEntries ?? 100_000,
  });
  const routeDeps = { config: options.config, gateway: options.gateway, catalog: options.catalog, replay, replayWindowMs, clock };
  const { metrics, logger } = options;

  const serve = async (req: IncomingMessage, res: ServerResponse, correlationId: string): Promise<{ route: string; status: number }> => {
    const path = pathOf(req.url);
    const log = lazyRequestLog(logger, { correlationId });
    const reply = { 'x-request-id': correlationId };
    const alertMatch = ALERT_PATH.exec(path);
    if (alertMatch) {
      const segment = decodeSegment(alertMatch[1] ?? '');
      let source = 'unknown';
      try {
        if (req.method !== 'POST') throw new IngressError(405, 'method_not_allowed', 'alerts are delivered with POST', undefined, { Allow: 'POST' });
        const known = toSource(segment);
        source = known;
        const accepted = await handleAlert(routeDeps, known, req, log);
        if (accepted.queued === true) {
          // Durable mode: on the alerts topic, the correlator opens or joins the incident.
          metrics.alerts.inc({ source, outcome: 'queued', code: '' });
          metrics.alertsLogged.inc({ source });
          log.info({ source, incidentId: accepted.incidentId, alertId: accepted.alert.alertId }, 'alert durably queued');
          sendJson(res, 202, queuedBody(accepted), reply);
          return { route: '/v1/alerts/:source', status: 202 };
        }
        const outcome: AlertOutcome = accepted.duplicate ? 'duplicate' : 'opened';
        metrics.alerts.inc({ source, outcome, code: '' });
        (accepted.duplicate ? metrics.duplicates : metrics.incidentsOpened).inc({ source });
        log.info({ source, incidentId: accepted.incidentId, runId: accepted.runId, duplicate: accepted.duplicate, alertId: accepted.alert.alertId }, accepted.duplicate ? 'alert joined open incident' : 'incident opened');
        sendJson(res, 202, { incidentId: accepted.incidentId, duplicate: accepted.duplicate }, reply);
        return { route: '/v1/alerts/:source', status: 202 };
      } catch (thrown) {
        const error = asIngressError(thrown);
        const outcome: AlertOutcome = error.code === 'temporal_unavailable' || error.code === 'alert_log_unavailable' ? 'unavailable' : error.status >= 500 ? 'error' : 'rejected';
        metrics.alerts.inc({ source, outcome, code: error.code });
        if (error.status >= 500) log.error({ source, code: error.code, err: thrown instanceof IngressError ? undefined : thrown }, 'alert not accepted');
        else log.warn({ source, code: error.code, status: error.status, problems: error.details?.length }, 'alert refused');
        // A body left unread (413, early refusals) must not be parsed as the next request.
        const close: Record<string, string> = req.readableEnded ? {} : { connection: 'close' };
        // …and the client must still read this answer while it is sending the rest (413).
        lingerUntilBodyRead(req);
        sendError(res, error, { ...reply, ...close });
        return { route: '/v1/alerts/:source', status: error.status };
      }
    }
    if (FIXED_ROUTES.has(path) && req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, new IngressError(405, 'method_not_allowed', `${path} answers GET`, undefined, { Allow: 'GET' }), reply);
      return { route: path, status: 405 };
    }
    switch (path) {
      case '/healthz':
        sendJson(res, 200, { status: 'ok' }, reply);
        return { route: path, status: 200 };
      case '/readyz':
        return { route: path, status: await readiness(options, res, reply) };
      case '/metrics': {
        const text = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType, ...reply });
        res.end(text);
        return { route: path, status: 200 };
      }
      default:
        sendError(res, new IngressError(404, 'not_found', `no route for ${req.method ?? 'GET'} ${path.slice(0, 128)}`), reply);
        return { route: 'unmatched', status: 404 };
    }
  };

  const handler = ((req: IncomingMessage, res: ServerResponse): void => {
    const started = process.hrtime.bigint();
    const correlationId = correlationOf(req);
    serve(req, res, correlationId)
      .then(({ route, status }) => {
        metrics.requestDuration.observe({ route, method: req.method ?? 'GET', status: String(status) }, Number(process.hrtime.bigint() - started) / 1e9);
      })
      .catch((error: unknown) => {
        logger.error({ correlationId, err: error }, 'ingress request failed');
        sendError(res, asIngressError(error), { 'x-request-id': correlationId });
      });
  }) as IngressRequestHandler;
  handler.handles = (url) => {
    const path = pathOf(url);
    return FIXED_ROUTES.has(path) || path.startsWith('/v1/alerts/');
  };
  return handler;
}

async function readiness(options: IngressHandlerOptions, res: ServerResponse, reply: Record<string, string>): Promise<number> {
  const runbooks = options.catalog.scenarios;
  if (runbooks.length === 0) {
    sendError(res, new IngressError(503, 'not_ready', 'no runbooks loaded'), reply);
    return 503;
  }
  try {
    await options.gateway.ping();
  } catch {
    sendError(res, new IngressError(503, 'not_ready', 'Temporal is not reachable', undefined, { 'Retry-After': '5' }), reply);
    return 503;
  }
  sendJson(res, 200, { status: 'ready', scenarios: runbooks, runbooks: options.catalog.pinned }, reply);
  return 200;
}

/**
 * The 202 of a queued alert: durably accepted, with the workflow id its incident has or will have,
 * and the incident id only when this process knows the open incident it joins.
 */
function queuedBody(accepted: AlertAccepted): Record<string, unknown> {
  return {
    status: 'durably accepted',
    workflowId: incidentWorkflowId(accepted.alert.fingerprint),
    ...(accepted.incidentId !== undefined ? { incidentId: accepted.incidentId, duplicate: accepted.duplicate } : {}),
  };
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q < 0 ? raw : raw.slice(0, q);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function correlationOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  const value = Array.isArray(given) ? given[0] : given;
  return value !== undefined && /^[\w.:-]{1,128}$/.test(value) ? value : randomUUID();
}
