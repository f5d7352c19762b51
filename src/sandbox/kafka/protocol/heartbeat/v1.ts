/*
 * Heartbeat Request (Version: 1) => as v0
 * Heartbeat Response (Version: 1) => throttle_time_ms INT32, error_code INT16
 */
import type { KafkaWriter } from '../../../../kafka/wire';
import * as v0 from './v0';

/** Reads the request body of this version. */
export const decode = v0.decode;

/** Writes the response body of this version (LeaveGroup v1 has the same shape). */
export function encode(w: KafkaWriter, res: v0.ErrorOnlyResponse): void {
  w.int32(0);
  v0.encode(w, res);
}
