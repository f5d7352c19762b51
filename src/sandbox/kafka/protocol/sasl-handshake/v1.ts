/*
 * SaslHandshake Request (Version: 1) => mechanism STRING
 * SaslHandshake Response (Version: 1) => error_code INT16, [enabled_mechanisms STRING]
 *   Version 1 means the SASL tokens that follow travel inside SaslAuthenticate requests
 *   (version 0's raw tokens: see v0.ts).
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** Sasl handshake response (decoded form). */
export interface SaslHandshakeResponse { errorCode: number; mechanisms: readonly string[] }

/** Reads the request body of this version. */
export function decode(r: KafkaReader): { mechanism: string } {
  return { mechanism: r.string() ?? '' };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: SaslHandshakeResponse): void {
  w.int16(res.errorCode).array(res.mechanisms, (x, m) => x.string(m));
}
