import { API_VERSIONS, ApiKey } from '../protocol/api-keys';
import * as apiVersionsV0 from '../protocol/api-versions/v0';
import * as apiVersionsV1 from '../protocol/api-versions/v1';
import { ErrorCode } from '../protocol/errors';
import * as saslAuthenticateV0 from '../protocol/sasl-authenticate/v0';
import * as saslAuthenticateV1 from '../protocol/sasl-authenticate/v1';
import * as saslHandshakeV1 from '../protocol/sasl-handshake/v1';
import { SASL_MECHANISMS, SaslAuthenticationError, createSaslExchange } from '../security';
import { defineHandler, type ApiHandler } from './types';

const apiVersions = defineHandler<null>({
  decode: () => null,
  handle: (ctx) => (w) => (ctx.version === 0 ? apiVersionsV0 : apiVersionsV1).encode(w, { errorCode: 0, apis: API_VERSIONS }),
  fail: (ctx, _req, code) => (w) => (ctx.version === 0 ? apiVersionsV0 : apiVersionsV1).encode(w, { errorCode: code, apis: API_VERSIONS }),
});

const saslHandshake = defineHandler<{ mechanism: string }>({
  decode: saslHandshakeV1.decode,
  handle(ctx, req) {
    const s = ctx.session;
    let errorCode = 0;
    if (s.principal !== null && ctx.broker.saslSessionLifetimeMs === 0) {
      // Without a session lifetime (KIP-368) there is no re-authentication, so a second handshake is illegal.
      errorCode = ErrorCode.ILLEGAL_SASL_STATE;
      s.closeAfterReply = true;
    } else if (!SASL_MECHANISMS.includes(req.mechanism)) {
      errorCode = ErrorCode.UNSUPPORTED_SASL_MECHANISM;
      s.closeAfterReply = true;
    } else {
      s.mechanism = req.mechanism;
      s.exchange = createSaslExchange(req.mechanism, ctx.broker.credentials);
    }
    return (w) => saslHandshakeV1.encode(w, { errorCode, mechanisms: SASL_MECHANISMS });
  },
  fail: (_ctx, _req, code) => (w) => saslHandshakeV1.encode(w, { errorCode: code, mechanisms: SASL_MECHANISMS }),
});

const authenticateCodec = (version: number): typeof saslAuthenticateV0 => (version === 0 ? saslAuthenticateV0 : saslAuthenticateV1);

const saslAuthenticate = defineHandler<{ authBytes: Buffer }>({
  decode: saslAuthenticateV0.decode,
  handle(ctx, req) {
    const s = ctx.session;
    const reply = (res: saslAuthenticateV0.SaslAuthenticateResponse) => (w: Parameters<typeof saslAuthenticateV0.encode>[0]) => authenticateCodec(ctx.version).encode(w, res);
    if (!s.exchange) {
      s.closeAfterReply = true;
      return reply({ errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: 'SaslAuthenticate without a SaslHandshake', authBytes: Buffer.alloc(0) });
    }
    try {
      const step = s.exchange.step(req.authBytes);
      if (!step.done) return reply({ errorCode: 0, errorMessage: null, authBytes: step.reply });
      if (s.principal !== null && s.principal !== step.principal) {
        // Kafka refuses a re-authentication that would change who is on the connection.
        throw new SaslAuthenticationError('Cannot change principals during re-authentication', 'illegal-state');
      }
      s.principal = step.principal;
      s.exchange = null;
      // A v0 client cannot learn the lifetime, so (as in Kafka) only v1+ sessions expire.
      const lifetime = ctx.version >= 1 ? ctx.broker.saslSessionLifetimeMs : 0;
      s.expiresAt = lifetime > 0 ? Date.now() + lifetime : null;
      ctx.broker.logger.debug({ session: s.id, principal: s.principal, mechanism: s.mechanism }, 'kafka client authenticated');
      return reply({ errorCode: 0, errorMessage: null, authBytes: step.reply, sessionLifetimeMs: lifetime });
    } catch (err) {
      s.closeAfterReply = true;
      s.exchange = null;
      const message = err instanceof SaslAuthenticationError ? err.message : 'Authentication failed';
      const authBytes = err instanceof SaslAuthenticationError && err.reply ? err.reply : Buffer.alloc(0);
      ctx.broker.logger.info({ session: s.id, host: s.host, mechanism: s.mechanism, reason: (err as SaslAuthenticationError).reason }, 'kafka SASL authentication failed');
      return reply({ errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: message, authBytes });
    }
  },
  fail: (ctx, _req, code) => (w) => authenticateCodec(ctx.version).encode(w, { errorCode: code, errorMessage: 'injected fault', authBytes: Buffer.alloc(0) }),
});

/** ApiVersions and the SASL APIs: the only ones served before authentication. */
export const HANDSHAKE_HANDLERS: ReadonlyArray<[number, ApiHandler]> = [
  [ApiKey.ApiVersions, apiVersions],
  [ApiKey.SaslHandshake, saslHandshake],
  [ApiKey.SaslAuthenticate, saslAuthenticate],
];
