import type { FetchLineContext } from '../forensic-emit/request-log-lines';
import type { RequestContext } from './types';

/** What the request log says of any completed request, whatever its API. */
export type CompletedRequest = Omit<FetchLineContext, 'listener' | 'securityProtocol'> & { tls: boolean };

/** The request-log fields of the request `ctx` serves, completed now after starting at `started` (epoch ms). */
export function completedRequest(ctx: RequestContext, started: number): CompletedRequest {
  const { broker, session } = ctx;
  return {
    time: broker.clock.now(),
    apiVersion: ctx.version,
    clientId: ctx.clientId,
    correlationId: ctx.correlationId ?? -1,
    connection: `${broker.host}:${broker.port}-${session.host}:${session.port}-${session.id}`,
    principal: session.principal ?? 'User:ANONYMOUS',
    tls: broker.tlsEnabled,
    totalTimeMs: Date.now() - started,
  };
}
