/*
 * Heartbeat Request (Version: 0) => group_id STRING, generation_id INT32, member_id STRING
 * Heartbeat Response (Version: 0) => error_code INT16
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** Heartbeat request (decoded form). */
export interface HeartbeatRequest { groupId: string; generationId: number; memberId: string }
/** Error only response (decoded form). */
export interface ErrorOnlyResponse { errorCode: number }

/** Reads the request body of this version. */
export function decode(r: KafkaReader): HeartbeatRequest {
  return { groupId: r.string() ?? '', generationId: r.int32(), memberId: r.string() ?? '' };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: ErrorOnlyResponse): void {
  w.int16(res.errorCode);
}
