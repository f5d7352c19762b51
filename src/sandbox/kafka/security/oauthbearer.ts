import { createHmac, timingSafeEqual } from 'node:crypto';
import { SaslAuthenticationError, type SaslExchange } from './sasl';

/**
 * How the sandbox broker validates SASL/OAUTHBEARER tokens, like Kafka's two validators: the
 * unsecured one (`alg: none`, for development, `unsecuredLoginStringClaim_sub`), and a JWT signed
 * with HS256 under a shared key (the role a JWKS plays for a real broker).
 */
export interface OAuthBearerValidation {
  /** Accept unsigned (`alg: none`) tokens. @default false */
  allowUnsecured?: boolean;
  /** HS256 key; tokens signed with it are accepted. */
  hmacKey?: string | Buffer;
  /** Required `aud` (one of the token's audiences). @default not checked */
  audience?: string;
  /** Required `iss`. @default not checked */
  issuer?: string;
}

/** Error JSON of RFC 7628 §3.2.2, sent as the failing reply. */
const INVALID_TOKEN = Buffer.from(JSON.stringify({ status: 'invalid_token' }), 'utf8');
const SEPARATOR = '\x01';
const MAX_MESSAGE = 16 * 1024;

interface Claims {
  sub?: unknown;
  exp?: unknown;
  nbf?: unknown;
  aud?: unknown;
  iss?: unknown;
}

function parseJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Validates a compact JWT and returns its subject, or the reason it is refused. Signature first,
 * then time (with the broker's clock), then audience and issuer.
 */
export function validateBearerToken(token: string, rules: OAuthBearerValidation, nowMs: number): { sub: string } | { refused: string } {
  const parts = token.split('.');
  if (parts.length !== 3) return { refused: 'not a compact JWT' };
  const [h, p, sig] = parts as [string, string, string];
  const header = parseJson(h);
  const claims = parseJson(p) as Claims | undefined;
  if (!header || !claims) return { refused: 'malformed JWT' };
  if (header.alg === 'none') {
    if (!rules.allowUnsecured) return { refused: 'unsecured tokens are not accepted' };
    if (sig !== '') return { refused: 'an unsecured token carries no signature' };
  } else if (header.alg === 'HS256') {
    if (rules.hmacKey === undefined) return { refused: 'no key for HS256 tokens' };
    const want = createHmac('sha256', rules.hmacKey).update(`${h}.${p}`).digest();
    const got = Buffer.from(sig, 'base64url');
    if (got.length !== want.length || !timingSafeEqual(got, want)) return { refused: 'bad signature' };
  } else {
    return { refused: `unsupported alg ${String(header.alg)}` };
  }
  if (typeof claims.exp !== 'number') return { refused: 'no exp claim' };
  if (claims.exp * 1000 <= nowMs) return { refused: 'expired' };
  if (typeof claims.nbf === 'number' && claims.nbf * 1000 > nowMs) return { refused: 'not yet valid' };
  if (typeof claims.sub !== 'string' || claims.sub === '') return { refused: 'no sub claim' };
  if (rules.audience !== undefined) {
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(rules.audience)) return { refused: 'wrong audience' };
  }
  if (rules.issuer !== undefined && claims.iss !== rules.issuer) return { refused: 'wrong issuer' };
  return { sub: claims.sub };
}

/** `n,[a=authzid],` SOH kvpairs SOH SOH → its parts; undefined when the framing is wrong. */
function splitInitialResponse(text: string): { authzid: string | undefined; kvpairs: string[] } | undefined {
  if (!text.startsWith('n,')) return undefined;
  const comma = text.indexOf(',', 2);
  if (comma < 0) return undefined;
  const authzPart = text.slice(2, comma);
  if (authzPart !== '' && !authzPart.startsWith('a=')) return undefined;
  const rest = text.slice(comma + 1);
  const end = SEPARATOR + SEPARATOR;
  if (!rest.startsWith(SEPARATOR) || !rest.endsWith(end) || rest.length < 3) return undefined;
  const kvpairs = rest.slice(1, -2).split(SEPARATOR);
  return { authzid: authzPart === '' ? undefined : authzPart.slice(2), kvpairs };
}

/**
 * RFC 7628 server: one client message `gs2-header SOH auth=Bearer <token> SOH [kvpairs] SOH SOH`.
 * The principal is `User:<sub>`. A refusal answers the RFC's error JSON with
 * SASL_AUTHENTICATION_FAILED at once (clients such as kafkajs never send the second, empty message).
 */
export class OAuthBearerServerExchange implements SaslExchange {
  private finished = false;

  constructor(
    private readonly rules: OAuthBearerValidation,
    private readonly now: () => number,
  ) {}

  step(client: Buffer): { done: true; reply: Buffer; principal: string } {
    if (this.finished) throw new SaslAuthenticationError('Unexpected SASL/OAUTHBEARER message after completion', 'illegal-state');
    this.finished = true;
    const text = client.length <= MAX_MESSAGE ? client.toString('utf8') : '';
    const parsed = splitInitialResponse(text);
    if (!parsed) throw new SaslAuthenticationError('Invalid OAUTHBEARER client first message', 'invalid-encoding', INVALID_TOKEN);
    const pairs = new Map<string, string>();
    for (const kv of parsed.kvpairs) {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new SaslAuthenticationError('Invalid OAUTHBEARER key-value pair', 'invalid-encoding', INVALID_TOKEN);
      pairs.set(kv.slice(0, eq), kv.slice(eq + 1));
    }
    const auth = pairs.get('auth');
    const token = auth !== undefined && /^bearer /i.test(auth) ? auth.slice(7).trim() : undefined;
    if (!token) throw new SaslAuthenticationError('Invalid OAUTHBEARER message: no bearer token', 'invalid-encoding', INVALID_TOKEN);
    const result = validateBearerToken(token, this.rules, this.now());
    if ('refused' in result) {
      // Unlike a password guess, why a token failed (expired, wrong audience) tells nobody about an
      // account, and it is what the operator of a misconfigured client needs to read.
      throw new SaslAuthenticationError(`Authentication failed: invalid OAUTHBEARER token (${result.refused})`, 'invalid-token', INVALID_TOKEN);
    }
    const authzid = parsed.authzid;
    if (authzid !== undefined && authzid !== '' && authzid !== result.sub) {
      throw new SaslAuthenticationError('Authentication failed: Client requested an authorization id that is different from the token subject', 'invalid-authzid', INVALID_TOKEN);
    }
    return { done: true, reply: Buffer.alloc(0), principal: `User:${result.sub}` };
  }
}
