/*
 * SyncGroup Request (Version: 1) => as v0
 * SyncGroup Response (Version: 1) => throttle_time_ms INT32, error_code INT16, member_assignment BYTES
 */
import type { KafkaWriter } from '../../../../kafka/wire';
import * as v0 from './v0';

/** Reads the request body of this version. */
export const decode = v0.decode;

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: v0.SyncGroupResponse): void {
  w.int32(0);
  v0.encode(w, res);
}
