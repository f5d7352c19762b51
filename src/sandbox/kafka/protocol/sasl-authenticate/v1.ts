/*
 * SaslAuthenticate Request (Version: 1) => auth_bytes BYTES            (as v0)
 * SaslAuthenticate Response (Version: 1) => error_code INT16, error_message NULLABLE_STRING, auth_bytes BYTES,
 *   session_lifetime_ms INT64   (KIP-368: 0 = no limit; otherwise the client re-authenticates before it ends)
 */
import type { KafkaWriter } from '../../../../kafka/wire';
import * as v0 from './v0';

/** Reads the request body of this version. */
export const decode = v0.decode;

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: v0.SaslAuthenticateResponse): void {
  v0.encode(w, res);
  w.int64(BigInt(res.sessionLifetimeMs ?? 0));
}
