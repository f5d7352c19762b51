import type { Logger } from '../../log/logger';
import type { AuditAuth, AuditEntry, AuditLog, AuditMount } from './audit';
import type { AuditBroker } from './audit-devices';
import type { VaultCore } from './core';
import { invalidToken, noRoute, permissionDenied, sealed, unsupportedOperation, VaultApiError } from './errors';
import type { Http1Handler, Http1Request, Http1Response } from './http1';
import type { Operation, Reply, Route, VaultRequest } from './route';
import { auditMountOf, resolveRoute } from './router';
import type { TokenEntry } from './state';
import { newUuid, type Body } from './values';

/*
 * The request pipeline: fault hooks → framing (/v1/, method, JSON body) → seal gate → route →
 * token and ACL → handler → audit → snapshot. Every failure becomes Vault's `{"errors": [...]}`
 * with Vault's status, so bad input never reaches a handler half-parsed and never stops the server.
 */

/** Faults the sandbox can inject (design §4). */
export interface FaultState {
  /** Added to every request, wall-clock milliseconds. */
  latencyMs: number;
  /** The next `count` requests answer `status` without being served. */
  failNext: { count: number; status: number };
  /** Requests currently held back by `latencyMs` (lets tests act while one is in flight). */
  delayed: number;
}

/** What the pipeline needs. */
export interface PipelineDeps {
  readonly core: VaultCore;
  readonly audit: AuditBroker;
  readonly faults: FaultState;
  readonly logger: Logger;
  /** Called after each request that may have changed state. */
  readonly persist: () => void;
}

// Reachable while sealed, as in Vault.
const SEALED_OK = new Set(['sys/health', 'sys/seal-status', 'sys/unseal', 'sys/init']);
const METHODS = new Set(['GET', 'LIST', 'POST', 'PUT', 'DELETE', 'PATCH']);

function json(status: number, body: unknown): Http1Response {
  return { status, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, body: `${JSON.stringify(body)}\n` };
}

function errorResponse(err: VaultApiError): Http1Response {
  const body = err.body ? { ...err.body, ...(err.errors.length > 0 ? { errors: err.errors } : {}) } : { errors: err.errors };
  return json(err.status, body);
}

function parseBody(raw: Buffer): Body {
  const text = raw.toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    throw new VaultApiError(400, [`failed to parse JSON input: ${(err as Error).message}`]);
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new VaultApiError(400, ['failed to parse JSON input: expected a JSON object']);
  return value as Body;
}

function tokenHeader(req: Http1Request): string | undefined {
  const direct = req.headers.get('x-vault-token');
  if (direct) return direct.trim();
  const auth = req.headers.get('authorization');
  const m = auth ? /^Bearer\s+(.+)$/i.exec(auth) : null;
  return m?.[1]?.trim();
}

function operationOf(method: string, listQuery: boolean, route: Route): Operation {
  switch (method) {
    case 'GET':
      return listQuery ? 'list' : 'read';
    case 'LIST':
      return 'list';
    case 'DELETE':
      return 'delete';
    case 'PATCH':
      return 'patch';
    default:
      // POST and PUT are create or update depending on whether the target exists, when the
      // backend can tell; otherwise Vault treats them as update.
      return route.exists && !route.exists() ? 'create' : 'update';
  }
}

function handlerFor(route: Route, op: Operation): ((r: VaultRequest) => Reply) | undefined {
  switch (op) {
    case 'read':
      return route.read;
    case 'list':
      return route.list;
    case 'create':
    case 'update':
      return route.write;
    case 'delete':
      return route.delete;
    case 'patch':
      return route.patch;
  }
}

function auditAuth(audit: AuditLog, token: TokenEntry | undefined): AuditAuth | undefined {
  if (!token) return undefined;
  return {
    client_token: audit.hash(token.id),
    accessor: audit.accessor(token.accessor),
    display_name: token.displayName,
    policies: token.policies,
    token_policies: token.policies,
    ...(token.meta && Object.keys(token.meta).length > 0 ? { metadata: token.meta } : {}),
    entity_id: '',
    token_type: 'service',
    token_ttl: token.ttl,
    token_issue_time: new Date(token.createdAt).toISOString(),
  };
}

/**
 * The response part of a line: the logical response (the envelope's `data`, or the whole body of
 * the few sys paths that answer without one), its `auth` block for logins and token creation —
 * with the new token's HMAC-ed id and accessor, which is how a child token is traced to its
 * parent — and the mount. No status: Vault does not log one.
 */
function responseEntry(core: VaultCore, audit: AuditLog, reply: Reply | undefined, mount: AuditMount | undefined): NonNullable<AuditEntry['response']> {
  const body = reply?.body;
  const data = body === undefined ? undefined : 'request_id' in body ? body.data : body;
  const issued = body?.auth !== null && typeof body?.auth === 'object' ? (body.auth as Record<string, unknown>) : undefined;
  const token = typeof issued?.accessor === 'string' ? core.tokenByAccessor(issued.accessor) : undefined;
  const auth = token ? auditAuth(audit, token) : undefined;
  return { ...(mount ?? {}), ...(data !== undefined && data !== null ? { data: audit.redact(data) } : {}), ...(auth ? { auth } : {}) };
}

/** Builds the HTTP handler of the Vault sandbox. */
export function createPipeline(deps: PipelineDeps): Http1Handler {
  const { core, audit, faults, logger } = deps;
  return async (http) => {
    if (faults.latencyMs > 0) {
      faults.delayed += 1;
      await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
      faults.delayed -= 1;
    }
    if (faults.failNext.count > 0) {
      faults.failNext.count -= 1;
      return json(faults.failNext.status, { errors: [`injected fault: status ${faults.failNext.status}`] });
    }
    let url: URL;
    let path: string;
    try {
      url = new URL(http.target, 'http://sandbox');
      if (!url.pathname.startsWith('/v1/')) return json(404, { errors: [] });
      path = decodeURIComponent(url.pathname.slice(4)).replace(/\/{2,}/g, '/');
    } catch {
      return json(400, { errors: ['invalid request path'] });
    }
    const requestId = newUuid();
    let token: TokenEntry | undefined;
    let op: Operation | undefined;
    let body: Body = {};
    const started = Date.now();
    try {
      if (!METHODS.has(http.method)) throw new VaultApiError(405, ['unsupported method']);
      if (core.sealed && !SEALED_OK.has(path)) throw sealed();
      body = parseBody(http.body);
      const route = resolveRoute(core, path);
      if (!route) throw noRoute(path);
      const listQuery = ['true', '1'].includes(url.searchParams.get('list') ?? '');
      op = operationOf(http.method, listQuery, route);
      const handler = handlerFor(route, op);
      if (!handler) throw unsupportedOperation();
      const tokenId = tokenHeader(http);
      token = core.token(tokenId);
      if (!route.unauthenticated) {
        if (!token) throw invalidToken();
        if (!core.aclFor(token).allows(path, op, route.sudo === true)) throw permissionDenied();
      }
      // A token created with num_uses is good for that many authenticated requests, then revoked.
      const usesLeft = !route.unauthenticated && token && token.numUses > 0 ? (token.numUses -= 1) : undefined;
      const request: VaultRequest = { operation: op, path, query: url.searchParams, body, token, remoteAddress: http.remoteAddress };
      const mount = auditMountOf(core, path);
      audit.record((log) => requestEntry(log, core.clock.now(), requestId, request, token, mount));
      let reply: Reply;
      try {
        reply = handler(request);
      } finally {
        if (usesLeft === 0 && token) core.revokeTree(token.id);
      }
      audit.record((log) => ({ ...requestEntry(log, core.clock.now(), requestId, request, token, mount), type: 'response', response: responseEntry(core, log, reply, mount) }));
      if ((op !== 'read' && op !== 'list') || usesLeft !== undefined) deps.persist();
      logger.debug({ method: http.method, path, status: reply.status, ms: Date.now() - started }, 'vault request');
      return reply.status === 204 || !reply.body ? { status: 204 } : json(reply.status, reply.body);
    } catch (err) {
      const apiErr = err instanceof VaultApiError ? err : new VaultApiError(500, ['internal error']);
      if (!(err instanceof VaultApiError)) logger.error({ err, path }, 'vault sandbox handler failed');
      const failed: VaultRequest = { operation: op ?? 'read', path, query: url.searchParams, body, token, remoteAddress: http.remoteAddress };
      const mount = auditMountOf(core, path);
      audit.record((log) => ({ ...requestEntry(log, core.clock.now(), requestId, failed, token, mount), type: 'response', response: { ...(mount ?? {}) }, error: apiErr.message }));
      logger.debug({ method: http.method, path, status: apiErr.status }, 'vault request refused');
      return errorResponse(apiErr);
    }
  };
}

function requestEntry(audit: AuditLog, at: number, id: string, req: VaultRequest, token: TokenEntry | undefined, mount: AuditMount | undefined): AuditEntry {
  const auth = auditAuth(audit, token);
  return {
    time: new Date(at).toISOString(),
    type: 'request',
    ...(auth ? { auth } : {}),
    request: {
      id,
      operation: req.operation,
      ...(mount ?? {}),
      namespace: { id: 'root' },
      path: req.path,
      ...(token ? { client_token: audit.hash(token.id), client_token_accessor: audit.accessor(token.accessor) } : {}),
      ...(Object.keys(req.body).length > 0 ? { data: audit.redact(req.body) } : {}),
      remote_address: req.remoteAddress,
    },
  };
}
