/*
 * SaslAuthenticate Request (Version: 0) => auth_bytes BYTES
 * SaslAuthenticate Response (Version: 0) => error_code INT16, error_message NULLABLE_STRING, auth_bytes BYTES
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** Sasl authenticate response (decoded form). */
export interface SaslAuthenticateResponse {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  /** Only written from v1 on. */
  sessionLifetimeMs?: number;
}

/** Reads the request body of this version. */
export function decode(r: KafkaReader): { authBytes: Buffer } {
  return { authBytes: Buffer.from(r.bytes() ?? Buffer.alloc(0)) };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: SaslAuthenticateResponse): void {
  w.int16(res.errorCode).string(res.errorMessage).bytes(res.authBytes);
}
