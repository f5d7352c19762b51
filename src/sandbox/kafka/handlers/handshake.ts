import { API_VERSIONS, ApiKey } from '../protocol/api-keys';
import * as apiVersionsV0 from '../protocol/api-versions/v0';
import * as apiVersionsV1 from '../protocol/api-versions/v1';
import * as apiVersionsV3 from '../protocol/api-versions/v3';
import { ErrorCode } from '../protocol/errors';
import * as saslAuthenticateV0 from '../protocol/sasl-authenticate/v0';
import * as saslAuthenticateV1 from '../protocol/sasl-authenticate/v1';
import * as saslAuthenticateV2 from '../protocol/sasl-authenticate/v2';
import * as saslHandshakeV0 from '../protocol/sasl-handshake/v0';
import * as saslHandshakeV1 from '../protocol/sasl-handshake/v1';
import type { KafkaBroker } from '../broker';
import type { Session } from '../server/session';
import { SaslAuthenticationError, createSaslExchange } from '../security';
import { codecFor, defineHandler, type ApiHandler } from './types';

const API_VERSIONS_CODECS = { 0: apiVersionsV0, 1: apiVersionsV1, 2: apiVersionsV1, 3: apiVersionsV3 } as const;

const apiVersions = defineHandler<apiVersionsV3.ApiVersionsRequestV3 | null>({
  decode: (r, version) => (version >= 3 ? apiVersionsV3.decode(r) : null),
  handle(ctx, req) {
    const codec = codecFor(API_VERSIONS_CODECS, ctx.version);
    if (req && !apiVersionsV3.isValid(req)) return (w) => codec.encode(w, { errorCode: ErrorCode.INVALID_REQUEST, apis: [] });
    return (w) => codec.encode(w, { errorCode: 0, apis: API_VERSIONS });
  },
  fail: (ctx, _req, code) => (w) => codecFor(API_VERSIONS_CODECS, ctx.version).encode(w, { errorCode: code, apis: API_VERSIONS }),
});

const HANDSHAKE_CODECS = { 0: saslHandshakeV0, 1: saslHandshakeV1 } as const;

const saslHandshake = defineHandler<{ mechanism: string }>({
  decode: (r, version) => codecFor(HANDSHAKE_CODECS, version).decode(r),
  handle(ctx, req) {
    const s = ctx.session;
    let errorCode = 0;
    if (s.principal !== null && ctx.broker.saslSessionLifetimeMs === 0) {
      // Without a session lifetime (KIP-368) there is no re-authentication, so a second handshake is illegal.
      errorCode = ErrorCode.ILLEGAL_SASL_STATE;
      s.closeAfterReply = true;
    } else if (!ctx.broker.saslMechanisms.includes(req.mechanism)) {
      errorCode = ErrorCode.UNSUPPORTED_SASL_MECHANISM;
      s.closeAfterReply = true;
    } else {
      s.mechanism = req.mechanism;
      s.exchange = createSaslExchange(req.mechanism, ctx.broker.credentials, {
        ...(ctx.broker.oauthBearer ? { oauthBearer: ctx.broker.oauthBearer } : {}),
        now: () => ctx.broker.clock.now(),
      });
      // After a v0 handshake the next frames are raw SASL tokens (see protocol/sasl-handshake/v0.ts).
      s.rawSasl = ctx.version === 0;
    }
    return (w) => codecFor(HANDSHAKE_CODECS, ctx.version).encode(w, { errorCode, mechanisms: ctx.broker.saslMechanisms });
  },
  fail: (ctx, _req, code) => (w) => codecFor(HANDSHAKE_CODECS, ctx.version).encode(w, { errorCode: code, mechanisms: ctx.broker.saslMechanisms }),
});

const AUTHENTICATE_CODECS = { 0: saslAuthenticateV0, 1: saslAuthenticateV1, 2: saslAuthenticateV2 } as const;

/**
 * One step of the SASL exchange of a session, shared by SaslAuthenticate and the raw tokens that
 * follow a v0 handshake. `lifetimeAllowed` is false for clients that cannot learn a session
 * lifetime (SaslAuthenticate v0, raw tokens), whose sessions therefore never expire, as in Kafka.
 */
export function saslStep(broker: KafkaBroker, s: Session, token: Buffer, lifetimeAllowed: boolean): saslAuthenticateV0.SaslAuthenticateResponse {
  if (!s.exchange) {
    s.closeAfterReply = true;
    return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: 'SaslAuthenticate without a SaslHandshake', authBytes: Buffer.alloc(0) };
  }
  try {
    const step = s.exchange.step(token);
    if (!step.done) return { errorCode: 0, errorMessage: null, authBytes: step.reply };
    if (s.principal !== null && s.principal !== step.principal) {
      // Kafka refuses a re-authentication that would change who is on the connection.
      throw new SaslAuthenticationError('Cannot change principals during re-authentication', 'illegal-state');
    }
    s.principal = step.principal;
    s.exchange = null;
    s.rawSasl = false;
    const lifetime = lifetimeAllowed ? broker.saslSessionLifetimeMs : 0;
    s.expiresAt = lifetime > 0 ? Date.now() + lifetime : null;
    broker.logger.debug({ session: s.id, principal: s.principal, mechanism: s.mechanism }, 'kafka client authenticated');
    return { errorCode: 0, errorMessage: null, authBytes: step.reply, sessionLifetimeMs: lifetime };
  } catch (err) {
    s.closeAfterReply = true;
    s.exchange = null;
    const message = err instanceof SaslAuthenticationError ? err.message : 'Authentication failed';
    const authBytes = err instanceof SaslAuthenticationError && err.reply ? err.reply : Buffer.alloc(0);
    broker.logger.info({ session: s.id, host: s.host, mechanism: s.mechanism, reason: (err as SaslAuthenticationError).reason }, 'kafka SASL authentication failed');
    return { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: message, authBytes };
  }
}

const saslAuthenticate = defineHandler<{ authBytes: Buffer }>({
  decode: (r, version) => codecFor(AUTHENTICATE_CODECS, version).decode(r),
  handle(ctx, req) {
    if (ctx.session.rawSasl) {
      // The client chose raw tokens with a v0 handshake; a framed token now is a protocol violation.
      ctx.session.closeAfterReply = true;
      const res = { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: 'SaslAuthenticate after a v0 SaslHandshake', authBytes: Buffer.alloc(0) };
      return (w) => codecFor(AUTHENTICATE_CODECS, ctx.version).encode(w, res);
    }
    const res = saslStep(ctx.broker, ctx.session, req.authBytes, ctx.version >= 1);
    return (w) => codecFor(AUTHENTICATE_CODECS, ctx.version).encode(w, res);
  },
  fail: (ctx, _req, code) => (w) => codecFor(AUTHENTICATE_CODECS, ctx.version).encode(w, { errorCode: code, errorMessage: 'injected fault', authBytes: Buffer.alloc(0) }),
});

/** ApiVersions and the SASL APIs: the only ones served before authentication. */
export const HANDSHAKE_HANDLERS: ReadonlyArray<[number, ApiHandler]> = [
  [ApiKey.ApiVersions, apiVersions],
  [ApiKey.SaslHandshake, saslHandshake],
  [ApiKey.SaslAuthenticate, saslAuthenticate],
];
