import { readFile as readFileAsync } from 'node:fs/promises';
import type { OAuthBearerSource } from './client';

/**
 * Where SASL/OAUTHBEARER tokens come from: an OAuth 2.0 token endpoint with the client-credentials
 * grant (RFC 6749 §4.4, client authenticated with HTTP Basic, §2.3.1), or a file that something
 * else keeps fresh (a Kubernetes projected token, a sidecar). Either way the token is cached and
 * fetched again before it expires, so no broker login ever presents an expired token.
 */
export type OAuthTokenSourceOptions = (
  | { tokenUrl: string; clientId: string; clientSecret: string; scope?: string; tokenFile?: undefined }
  | { tokenFile: string; tokenUrl?: undefined }
) & {
  /** Refresh this long before expiry (at most half the token's lifetime). @default 60000 */
  refreshMarginMs?: number;
  /** A file token whose expiry cannot be read is re-read after this long. @default 60000 */
  fileRecheckMs?: number;
  /** Per-request timeout of the token endpoint. @default 10000 */
  requestTimeoutMs?: number;
  /** Test seams. */
  now?: () => number;
  fetch?: typeof fetch;
  readFile?: (path: string) => Promise<string>;
};

/** The token endpoint or file could not give a usable token. Never carries the secret or the token. */
export class OAuthTokenError extends Error {
  override readonly name = 'OAuthTokenError';
}

interface Cached {
  token: string;
  /** Epoch ms when the token must no longer be presented. */
  refreshAt: number;
}

/** `exp` (seconds) of a JWT, or undefined for an opaque token. Not a verification: the broker verifies. */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const exp = claims !== null && typeof claims === 'object' ? (claims as { exp?: unknown }).exp : undefined;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates a token source for `KafkaConnection.oauthBearer`. Concurrent logins share one request to
 * the endpoint; a failed refresh is an {@link OAuthTokenError} naming the endpoint and the status.
 */
export function createOAuthTokenSource(options: OAuthTokenSourceOptions): OAuthBearerSource {
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? 60_000;
  let cached: Cached | undefined;
  let inflight: Promise<Cached> | undefined;

  const refreshAt = (issuedAt: number, expiresAt: number | undefined, fallbackMs: number): number => {
    if (expiresAt === undefined) return issuedAt + fallbackMs;
    const lifetime = expiresAt - issuedAt;
    return expiresAt - Math.min(margin, Math.max(0, lifetime / 2));
  };

  const fetchFromEndpoint = async (o: { tokenUrl: string; clientId: string; clientSecret: string; scope?: string }): Promise<Cached> => {
    const issuedAt = now();
    const body = new URLSearchParams({ grant_type: 'client_credentials', ...(o.scope ? { scope: o.scope } : {}) });
    const basic = Buffer.from(`${encodeURIComponent(o.clientId)}:${encodeURIComponent(o.clientSecret)}`).toString('base64');
    let res: Response;
    try {
      res = await (options.fetch ?? fetch)(o.tokenUrl, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: body.toString(),
        signal: AbortSignal.timeout(options.requestTimeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new OAuthTokenError(`token endpoint ${o.tokenUrl} unreachable: ${(err as Error).message}`);
    }
    const json: unknown = await res.json().catch(() => undefined);
    const answer = json !== null && typeof json === 'object' ? (json as { access_token?: unknown; expires_in?: unknown; error?: unknown }) : {};
    if (!res.ok || typeof answer.access_token !== 'string' || answer.access_token === '') {
      const reason = typeof answer.error === 'string' ? answer.error : 'no access_token';
      throw new OAuthTokenError(`token endpoint ${o.tokenUrl} refused the client-credentials grant (HTTP ${res.status}, ${reason})`);
    }
    const token = answer.access_token;
    const expiresIn = typeof answer.expires_in === 'number' ? answer.expires_in : undefined;
    const exp = expiresIn !== undefined ? issuedAt + expiresIn * 1000 : (jwtExpiry(token) ?? Number.NaN) * 1000;
    return { token, refreshAt: refreshAt(issuedAt, Number.isFinite(exp) ? exp : undefined, 5 * 60_000) };
  };

  const readFromFile = async (path: string): Promise<Cached> => {
    const issuedAt = now();
    let token: string;
    try {
      token = (await (options.readFile ?? ((p: string) => readFileAsync(p, 'utf8')))(path)).trim();
    } catch (err) {
      throw new OAuthTokenError(`cannot read the OAuth token file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (token === '') throw new OAuthTokenError(`the OAuth token file ${path} is empty`);
    const exp = jwtExpiry(token);
    if (exp !== undefined && exp * 1000 <= issuedAt) throw new OAuthTokenError(`the token in ${path} expired at ${new Date(exp * 1000).toISOString()}`);
    return { token, refreshAt: refreshAt(issuedAt, exp === undefined ? undefined : exp * 1000, options.fileRecheckMs ?? 60_000) };
  };

  const load = (): Promise<Cached> =>
    options.tokenFile !== undefined ? readFromFile(options.tokenFile) : fetchFromEndpoint(options);

  return async () => {
    if (cached && now() < cached.refreshAt) return cached.token;
    inflight ??= load().finally(() => {
      inflight = undefined;
    });
    cached = await inflight;
    return cached.token;
  };
}
