/*
 * SaslAuthenticate Request (Version: 2, flexible) => auth_bytes COMPACT_BYTES, TAG_BUFFER
 * SaslAuthenticate Response (Version: 2, flexible) => error_code INT16, error_message COMPACT_NULLABLE_STRING,
 *   auth_bytes COMPACT_BYTES, session_lifetime_ms INT64, TAG_BUFFER
 *   v1's fields in compact form; request header v2 and response header v1.
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';
import type { SaslAuthenticateResponse } from './v0';

/** Reads the request body of this version. */
export function decode(r: KafkaReader): { authBytes: Buffer } {
  const authBytes = Buffer.from(r.compactBytes() ?? Buffer.alloc(0));
  r.skipTagBuffer();
  return { authBytes };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: SaslAuthenticateResponse): void {
  w.int16(res.errorCode).compactString(res.errorMessage).compactBytes(res.authBytes)
    .int64(BigInt(res.sessionLifetimeMs ?? 0)).tagBuffer();
}
