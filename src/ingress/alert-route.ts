import type { IncomingMessage } from 'node:http';
import { ALERT_SOURCES, type Alert, type AlertSource } from '../domain/alert';
import type { Config } from '../config/config';
import type { RequestLog } from '../log/request-log';
import { checkSignedTimestamp, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyBearer, verifySignature } from './auth';
import { readBodyWithLimit, requireJsonContentType } from './body';
import { IngressError } from './errors';
import type { IncidentAcceptance, IncidentGateway } from './incidents';
import { normaliseForRouting } from './routing-fields';
import type { ReplayGuard } from '../security/replay-guard';
import type { RunbookCatalog } from './runbooks';

/** What the alert route needs; built once per server. */
export interface AlertRouteDeps {
  config: Config;
  gateway: IncidentGateway;
  catalog: RunbookCatalog;
  replay: ReplayGuard;
  replayWindowMs: number;
  clock: () => number;
}

/** The route's successful outcome. */
export interface AlertAccepted extends IncidentAcceptance {
  alert: Alert;
}

/** Narrows a path segment to a known source; 404 otherwise. */
export function toSource(segment: string): AlertSource {
  const source = ALERT_SOURCES.find((s) => s === segment);
  if (!source) {
    throw new IngressError(404, 'unknown_source', `unknown alert source "${segment.slice(0, 64)}"; expected one of ${ALERT_SOURCES.join(', ')}`);
  }
  return source;
}

/**
 * `POST /v1/alerts/:source`, cheapest refusals first: source, credentials present, bearer token
 * and timestamp (headers only), media type, body size while streaming, HMAC signature, replay,
 * JSON, schema, runbook. Only then is Temporal asked, and only its acceptance makes a 202. A
 * verified signature is held against replay only if the alert was accepted, so the sender's retry
 * after any refusal gets the same answer again rather than a 409.
 */
export async function handleAlert(deps: AlertRouteDeps, source: AlertSource, req: IncomingMessage, log: RequestLog): Promise<AlertAccepted> {
  const credentials = deps.config.ingress.sources[source];
  const hmacSecret = credentials?.hmacSecret;
  const bearerToken = credentials?.bearerToken;
  if (!hmacSecret && !bearerToken) {
    throw new IngressError(403, 'source_not_configured', `source "${source}" has no credentials configured (ingress.sources.${source}.hmacSecret or .bearerToken); it accepts nothing until one is set`);
  }
  if (bearerToken) verifyBearer(header(req, 'authorization'), bearerToken);
  const timestamp = header(req, TIMESTAMP_HEADER);
  const signature = header(req, SIGNATURE_HEADER);
  if (hmacSecret) checkSignedTimestamp(timestamp, signature, deps.clock(), deps.replayWindowMs);
  requireJsonContentType(header(req, 'content-type'));
  const body = await readBodyWithLimit(req, deps.config.ingress.bodyLimitBytes);

  let reserved: Buffer | undefined;
  if (hmacSecret && timestamp && signature) {
    const digest = verifySignature(hmacSecret, timestamp, signature, body);
    if (!deps.replay.admit(digest, deps.clock())) {
      throw new IngressError(409, 'replayed', 'this exact signed request was already received within the replay window; sign a new timestamp to resend');
    }
    reserved = digest;
  }
  try {
    const payload = parseJson(body);
    // Routing as data (issue 17): the fields some runbook's rules read travel with the alert.
    const alert = normaliseForRouting(source, payload, new Date(deps.clock()), deps.catalog.routedFields);
    const choice = deps.catalog.choose(alert);
    log.debug({ fingerprint: alert.fingerprint, alertId: alert.alertId, runbook: choice.loaded.runbook.id, reason: choice.reason?.kind }, 'alert normalised');
    const accepted = await deps.gateway.accept(alert, choice);
    reserved = undefined;
    return { ...accepted, alert };
  } finally {
    if (reserved !== undefined) deps.replay.release(reserved);
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (error) {
    // Newer V8 messages quote part of the input; only the position is passed on, never body text.
    const position = error instanceof SyntaxError ? /position (\d+)/.exec(error.message)?.[1] : undefined;
    throw new IngressError(400, 'malformed_json', `request body is not valid JSON${position === undefined ? '' : ` (error at byte ${position})`}`);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
